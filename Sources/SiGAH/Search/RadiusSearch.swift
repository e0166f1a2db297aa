// Radius search: every database code within Hamming distance R of each query, the way
// hashing is used for lookups ("all items within radius 2"). Distances are computed on the
// backend a block of queries at a time, so memory stays bounded for any database size.

import Backend

public enum RadiusSearch {
  /// One match: the query's row, the database code's row, their Hamming distance.
  public struct Match: Equatable, Sendable {
    public let query: Int32
    public let id: Int32
    public let distance: Int32
  }

  /// Every (query, id) with `distance ≤ radius`, by query, then distance, then id.
  public static func within(
    _ radius: Int, queries: PackedCodes, database: PackedCodes, backend: any Backend
  ) throws -> [Match] {
    precondition(queries.bits == database.bits)
    let words = database.wordsPerCode
    // Blocks of queries whose distance rows fit 16 M entries (64 MB).
    let block = max(1, min(queries.count, (1 << 24) / max(database.count, 1)))
    let databaseBuffer = try backend.makeBuffer(database.words)
    let distances = try backend.makeBuffer(Int32.self, count: block * database.count)
    var matches: [Match] = []
    var first = 0
    while first < queries.count {
      let n = min(block, queries.count - first)
      let queryBuffer = try backend.makeBuffer(Array(queries.words[(first * words)..<((first + n) * words)]))
      try backend.hammingDistances(
        queries: queryBuffer, queryCount: n, database: databaseBuffer, databaseCount: database.count,
        bits: database.bits, into: distances)
      let rows = try backend.download(distances, count: n * database.count)
      for q in 0..<n {
        var found: [Match] = []
        for id in 0..<database.count where rows[q * database.count + id] <= radius {
          found.append(Match(query: Int32(first + q), id: Int32(id), distance: rows[q * database.count + id]))
        }
        found.sort { ($0.distance, $0.id) < ($1.distance, $1.id) }
        matches += found
      }
      first += n
    }
    return matches
  }
}
