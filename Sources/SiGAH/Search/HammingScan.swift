// The exact k-NN of query codes by a linear scan on the backend, in blocks of queries:
// what `sigah search`, the C API and the Python `Index` answer without a multi-index.

import Backend

public enum HammingScan {
  /// The `k` nearest database codes of each query, ties by database index, `count × k`
  /// ids and distances. `progress` receives the number of queries answered.
  public static func topK(
    _ queries: PackedCodes, in database: PackedCodes, k: Int, backend: any Backend, queryBlock: Int = 256,
    progress: (Int) -> Void = { _ in }
  ) throws -> (ids: [Int32], distances: [Int32]) {
    try checkSearch(queries, k: k, against: database, named: "database codes")
    let databaseBuffer = try backend.makeBuffer(database.words)
    let words = queries.wordsPerCode
    var ids: [Int32] = []
    var distances: [Int32] = []
    ids.reserveCapacity(queries.count * k)
    distances.reserveCapacity(queries.count * k)
    var start = 0
    while start < queries.count {
      let n = min(queryBlock, queries.count - start)
      let queryBuffer = try backend.makeBuffer(Array(queries.words[(start * words)..<((start + n) * words)]))
      let top = try backend.hammingTopK(
        queries: queryBuffer, queryCount: n, database: databaseBuffer, databaseCount: database.count,
        bits: database.bits, k: k)
      ids += top.ids
      distances += top.distances
      start += n
      progress(start)
    }
    return (ids, distances)
  }

  /// The one check of a k-NN search, scan or index: query codes of the database's length,
  /// and k within the `named` codes searched.
  static func checkSearch(_ queries: PackedCodes, k: Int, against database: PackedCodes, named: String) throws {
    guard queries.bits == database.bits else {
      throw BackendError.invalidArgument(
        operation: "search", message: "query codes have \(queries.bits) bits, the \(named) \(database.bits)")
    }
    guard database.count >= 1, (1...database.count).contains(k) else {
      throw BackendError.invalidArgument(
        operation: "search", message: "k must be between 1 and the \(database.count) \(named), got \(k)")
    }
  }
}
