// Parity cases of the average precision of Hamming rankings, against the definition: a
// full sort on (distance, index) and the mean of f/p over the relevant items.

import Backend

extension ParitySuite {
  static func rankingCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    // 8-bit codes over 500 items tie dozens of times at every distance; 93 items checks a
    // last chunk that is not full; ids past the database and a query's empty set too.
    for (queryCount, databaseCount, bits, relevantPerQuery) in [
      (1, 1, 1, 1), (7, 500, 8, 50), (7, 500, 8, 500), (5, 93, 65, 10), (3, 1024, 64, 100), (2, 300, 200, 7),
    ] {
      let (queries, database) = randomCodes(queryCount, databaseCount, bits: bits, seed: 97)
      var generator = SeededGenerator(seed: 98)
      var ids: [Int32] = []
      for q in 0..<queryCount {
        var chosen = generator.permutation(databaseCount + 3).prefix(relevantPerQuery).map { Int32($0) }
        // Out-of-range ids are never found: the second query's set lies wholly outside.
        if q == 1 { chosen = (0..<relevantPerQuery).map { Int32(databaseCount + $0) } }
        ids += chosen.sorted()
      }
      let relevant = ids
      cases.append(
        ParityCase(
          operation: "averagePrecision",
          shape: "\(queryCount)×\(databaseCount), \(bits) bits, \(relevantPerQuery) relevant", tolerance: 1e-5,
          run: { backend in
            let (q, db) = (try backend.makeBuffer(queries), try backend.makeBuffer(database))
            let out = try backend.makeBuffer(Float.self, count: queryCount)
            try backend.averagePrecision(
              queries: q, queryCount: queryCount, database: db, databaseCount: databaseCount, bits: bits,
              relevantIds: try backend.makeBuffer(relevant), relevantPerQuery: relevantPerQuery, into: out)
            return doubles(try backend.download(out))
          },
          reference: {
            Reference.averagePrecisions(
              queries: queries, database: database, queryCount: queryCount, databaseCount: databaseCount, bits: bits,
              relevantIds: relevant, relevantPerQuery: relevantPerQuery)
          }))
    }
    return cases
  }
}

extension Reference {
  /// Each query's AP over the database sorted by (distance, index).
  public static func averagePrecisions(
    queries: [UInt64], database: [UInt64], queryCount: Int, databaseCount: Int, bits: Int, relevantIds: [Int32],
    relevantPerQuery: Int
  ) -> [Double] {
    let everything = hammingTopK(
      queries: queries, database: database, queryCount: queryCount, databaseCount: databaseCount, bits: bits,
      k: databaseCount)
    return (0..<queryCount).map { q in
      let relevant = Set(relevantIds[(q * relevantPerQuery)..<((q + 1) * relevantPerQuery)])
      var (found, sum) = (0, 0.0)
      for position in 0..<databaseCount where relevant.contains(everything.ids[q * databaseCount + position]) {
        found += 1
        sum += Double(found) / Double(position + 1)
      }
      return found == 0 ? 0 : sum / Double(found)
    }
  }
}
