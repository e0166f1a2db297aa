// The CPU backend's radius search scans blocks of codes for groups of queries: every
// query's matches are those of a brute-force filter, in (distance, index) order, whatever
// the group, code length or radius.

import Backend
import Testing

@Suite struct HammingWithinTests {
  @Test(arguments: [(64, 0), (64, 26), (16, 5), (128, 58), (150, 150)])
  func groupedScanEqualsBruteForce(bits: Int, radius: Int) throws {
    let backend = try CPUBackend()
    let words = (bits + 63) / 64
    var generator = SeededGenerator(seed: UInt64(bits * 1000 + radius))
    // 37 queries: two full groups and a short one; 3,001 codes: blocks and a tail. Query 0
    // is database code 5, so radius 0 finds something.
    let (queryCount, databaseCount) = (37, 3001)
    let database = RandomCodes.make(databaseCount, bits: bits, &generator)
    let queries = Array(database[(5 * words)..<(6 * words)]) + RandomCodes.make(queryCount - 1, bits: bits, &generator)
    let found = try backend.hammingWithin(
      queries: try backend.makeBuffer(queries), queryCount: queryCount, database: try backend.makeBuffer(database),
      databaseCount: databaseCount, bits: bits, radius: radius)
    var total = 0
    for q in 0..<queryCount {
      let distances = (0..<databaseCount).map { RandomCodes.distance(queries, q, database, $0, words: words) }
      let expected = (0..<databaseCount).filter { distances[$0] <= radius }.sorted {
        (distances[$0], $0) < (distances[$1], $1)
      }
      let range = found.range(ofQuery: q)
      #expect(found.ids[range].map(Int.init) == expected, "query \(q)")
      #expect(found.distances[range].map(Int.init) == expected.map { distances[$0] })
      total += expected.count
    }
    #expect(total >= 1 && found.ids.count == total)
  }
}
