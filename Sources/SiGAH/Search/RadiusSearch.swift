// Radius search: every database code within Hamming distance R of each query, the way
// hashing is used for lookups ("all items within radius 2"). The backend scans a block of
// queries at a time (`hammingWithin`) and returns only the matches.

import Backend

public enum RadiusSearch {
  /// One match: the query's row, the database code's row, their Hamming distance.
  public struct Match: Equatable, Sendable {
    public let query: Int32
    public let id: Int32
    public let distance: Int32
  }

  /// Every (query, id) with `distance ≤ radius`, by query, then distance, then id.
  /// `progress` receives the number of queries answered.
  public static func within(
    _ radius: Int, queries: PackedCodes, database: PackedCodes, backend: any Backend,
    progress: (Int) -> Void = { _ in }
  ) throws -> [Match] {
    precondition(queries.bits == database.bits)
    let words = database.wordsPerCode
    // Queries a call: enough to keep a GPU busy, but a block's matches, were every code
    // within reach, stay below 2²⁸ (2 GB of ids and distances).
    let block = max(1, min(queries.count, 1024, (1 << 28) / max(database.count, 1)))
    let databaseBuffer = try backend.makeBuffer(database.words)
    var matches: [Match] = []
    var first = 0
    while first < queries.count {
      let n = min(block, queries.count - first)
      let queryBuffer = try backend.makeBuffer(Array(queries.words[(first * words)..<((first + n) * words)]))
      let found = try backend.hammingWithin(
        queries: queryBuffer, queryCount: n, database: databaseBuffer, databaseCount: database.count,
        bits: database.bits, radius: radius)
      for q in 0..<n {
        for e in found.range(ofQuery: q) {
          matches.append(Match(query: Int32(first + q), id: found.ids[e], distance: found.distances[e]))
        }
      }
      first += n
      progress(first)
    }
    return matches
  }
}
