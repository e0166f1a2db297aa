// The CPU backend's Hamming top-k scans the database once for each group of queries
// (BlockedTopK): every query's ids and distances are those of a brute-force sort by
// (distance, index), whatever the group, code length, k or number of ties.

import Backend
import Testing

@Suite struct HammingTopKTests {
  @Test(arguments: [(64, 1), (16, 10), (128, 100), (150, 7)])
  func groupedScanEqualsBruteForce(bits: Int, k: Int) throws {
    let backend = try CPUBackend()
    let words = (bits + 63) / 64
    var generator = SeededGenerator(seed: UInt64(bits * 1000 + k))
    // 37 queries: two full groups and a short one; 3,001 codes: blocks and a tail.
    let (queryCount, databaseCount) = (37, 3001)
    let queries = RandomCodes.make(queryCount, bits: bits, &generator)
    let database = RandomCodes.make(databaseCount, bits: bits, &generator)
    let top = try backend.hammingTopK(
      queries: try backend.makeBuffer(queries), queryCount: queryCount, database: try backend.makeBuffer(database),
      databaseCount: databaseCount, bits: bits, k: k)
    for q in 0..<queryCount {
      let distances = (0..<databaseCount).map { RandomCodes.distance(queries, q, database, $0, words: words) }
      let expected = (0..<databaseCount).sorted { (distances[$0], $0) < (distances[$1], $1) }.prefix(k)
      #expect(top.ids[(q * k)..<((q + 1) * k)].map(Int.init) == Array(expected), "query \(q)")
      #expect(top.distances[(q * k)..<((q + 1) * k)].map(Int.init) == expected.map { distances[$0] })
    }
  }
}
