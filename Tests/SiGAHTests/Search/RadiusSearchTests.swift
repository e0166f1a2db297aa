// Radius search returns exactly the pairs a brute-force popcount finds, in the stated
// order (by query, then distance, then id), for codes longer than one word.

import Backend
import Testing

@testable import SiGAH

struct RadiusSearchTests {
  @Test(arguments: [0, 45, 100])
  func matchesBruteForce(_ radius: Int) throws {
    var generator = SeededGenerator(seed: 31)
    let bits = 100
    let words = codeWords(bits: bits)
    let mask = UInt64.max >> UInt64(64 * words - bits)
    func codes(_ count: Int) -> PackedCodes {
      PackedCodes(
        count: count, bits: bits,
        words: (0..<(count * words)).map { $0 % words == words - 1 ? generator.next() & mask : generator.next() })
    }
    let (queries, database) = (codes(70), codes(300))
    var expected: [RadiusSearch.Match] = []
    for q in 0..<queries.count {
      var row: [RadiusSearch.Match] = []
      for id in 0..<database.count {
        let distance = (0..<words).reduce(0) {
          $0 + (queries.words[q * words + $1] ^ database.words[id * words + $1]).nonzeroBitCount
        }
        if distance <= radius { row.append(.init(query: Int32(q), id: Int32(id), distance: Int32(distance))) }
      }
      expected += row.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
    }
    let found = try RadiusSearch.within(radius, queries: queries, database: database, backend: try CPUBackend())
    #expect(found == expected)
    #expect(radius < 100 || found.count == 70 * 300)
  }
}
