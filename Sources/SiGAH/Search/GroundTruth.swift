// Exact Euclidean ground truth: the K nearest database items of each query, ties by
// index (METHOD.md §5). Distances come from blocked GEMM on the backend
// (‖q‖² + ‖x‖² − 2q·x) with bounded memory, and each block's K + slack nearest of each
// query are chosen on the backend (only they are read back); the pool of K + slack
// candidates per query is then re-ranked in Float64 from the vectors, so Float32
// cancellation cannot reorder near-ties or exact ties.

import Backend
import Foundation

public enum GroundTruth {
  /// Ids of the `k` nearest rows of `database` for each row of `queries` by `metric`,
  /// `queries × k`. `queryBlock × databaseBlock` floats is the largest buffer on the
  /// device. Cosine is Euclidean between the rows scaled to unit length; inner product
  /// takes its candidates from the augmented Euclidean search (`Metric`) and orders them
  /// by `q·x` in Float64 from the vectors themselves, largest first, ties by id.
  public static func compute(
    queries: Matrix, database: Matrix, k: Int, backend: any Backend, metric: Metric = .l2, queryBlock: Int = 1024,
    databaseBlock: Int = 16384, progress: (Int) -> Void = { _ in }
  ) throws -> [Int32] {
    guard queries.columns == database.columns else {
      throw BackendError.invalidArgument(
        operation: "groundtruth",
        message: "queries have dimension \(queries.columns), the database \(database.columns)")
    }
    switch metric {
    case .l2:
      return try euclidean(
        queries: queries, database: database, k: k, backend: backend, queryBlock: queryBlock,
        databaseBlock: databaseBlock, progress: progress)
    case .cosine:
      return try euclidean(
        queries: Metric.normalisedRows(queries), database: Metric.normalisedRows(database), k: k, backend: backend,
        queryBlock: queryBlock, databaseBlock: databaseBlock, progress: progress)
    case .ip:
      let augmented = Metric.augmentedForInnerProduct(queries: queries, database: database)
      return try euclidean(
        queries: augmented.queries, database: augmented.database, k: k, backend: backend, queryBlock: queryBlock,
        databaseBlock: databaseBlock, progress: progress
      ) { query, candidates in
        largestInnerProducts(query: query, of: queries, candidates: candidates, in: database, k: k)
      }
    }
  }

  /// The Euclidean search: blocked GEMM, a pool of candidates a query, then `exact` (by
  /// default `rerank`) orders each query's pool. `compute` has checked the dimensions.
  static func euclidean(
    queries: Matrix, database: Matrix, k: Int, backend: any Backend, queryBlock: Int, databaseBlock: Int,
    progress: (Int) -> Void,
    exact: (@Sendable (Int, [Int32]) -> [(distance: Double, id: Int32)])? = nil
  ) throws -> [Int32] {
    guard (1...database.rows).contains(k) else {
      throw BackendError.invalidArgument(
        operation: "groundtruth", message: "k must be between 1 and the database size \(database.rows), got \(k)")
    }
    let d = database.columns
    let pool = min(database.rows, k + max(16, k / 8))
    let qb = min(queryBlock, queries.rows)
    let db = min(databaseBlock, database.rows)
    let qBuffer = try backend.makeBuffer(Float.self, count: qb * d)
    let xBuffer = try backend.makeBuffer(Float.self, count: db * d)
    let qNorms = try backend.makeBuffer(Float.self, count: qb)
    let xNorms = try backend.makeBuffer(Float.self, count: db)
    let distances = try backend.makeBuffer(Float.self, count: qb * db)
    // Each query's `pool` nearest of a block are chosen where the distances are: only they
    // cross the bus, and the host merges pools, not whole rows of distances. The pools of
    // several blocks collect on the device, each block's in an aligned slice after the
    // last, and come back in one read a group, so the device never waits between blocks.
    let alignment = max(1, backend.sliceAlignment / MemoryLayout<Float>.stride)
    let aligned = { (count: Int) in (count + alignment - 1) / alignment * alignment }
    let blocks = database.rowBlocks(db)
    let groupBlocks = max(1, min(blocks.count, Self.candidateBytesPerRead / (aligned(qb * pool) * 8)))
    let chosenIds = try backend.makeBuffer(Int32.self, count: groupBlocks * aligned(qb * pool))
    let chosenDistances = try backend.makeBuffer(Float.self, count: groupBlocks * aligned(qb * pool))
    var result = [Int32](repeating: 0, count: queries.rows * k)
    for queryBlock in queries.rowBlocks(qb) {
      let (queryStart, nq) = (queryBlock.lowerBound, queryBlock.count)
      try backend.upload(queries.slice(ofRows: queryBlock), to: qBuffer)
      try backend.squaredRowNorms(qBuffer, rows: nq, columns: d, into: qNorms)
      var candidates = (0..<nq).map { _ in SmallestKeys(capacity: pool) }
      for first in stride(from: 0, to: blocks.count, by: groupBlocks) {
        let group = blocks[first..<min(first + groupBlocks, blocks.count)]
        var starts: [Int] = []
        var end = 0
        for databaseBlock in group {
          let (nx, start) = (databaseBlock.count, aligned(end))
          let used = nq * min(pool, nx)
          try backend.upload(database.slice(ofRows: databaseBlock), to: xBuffer)
          try backend.squaredRowNorms(xBuffer, rows: nx, columns: d, into: xNorms)
          try backend.squaredDistances(
            qBuffer, rows: nq, xBuffer, columns: nx, dimension: d, rowNorms: qNorms, columnNorms: xNorms,
            into: distances)
          try backend.smallestPerRow(
            distances, rows: nq, columns: nx, count: min(pool, nx),
            ids: try backend.makeSlice(of: chosenIds, offset: start, count: used),
            values: try backend.makeSlice(of: chosenDistances, offset: start, count: used))
          starts.append(start)
          end = start + used
        }
        let (ids, values) = (
          try backend.download(chosenIds, count: end), try backend.download(chosenDistances, count: end)
        )
        for (databaseBlock, start) in zip(group, starts) {
          let (chosen, offset) = (min(pool, databaseBlock.count), databaseBlock.lowerBound)
          for q in 0..<nq {
            for i in (start + q * chosen)..<(start + (q + 1) * chosen) {
              candidates[q].offer(SmallestKeys.key(values[i], index: offset + Int(ids[i])))
            }
          }
        }
      }
      let pools = candidates
      result.withUnsafeMutableBufferPointer { out in
        nonisolated(unsafe) let out = out
        let first = queryStart
        DispatchQueue.concurrentPerform(iterations: nq) { q in
          let pool = pools[q].sorted().map(SmallestKeys.index(of:))
          let ordered =
            exact?(first + q, pool) ?? rerank(query: first + q, of: queries, candidates: pool, in: database, k: k)
          for j in 0..<k { out[(first + q) * k + j] = ordered[j].id }
        }
      }
      progress(queryBlock.upperBound)
    }
    return result
  }

  /// The most bytes of candidates (ids and distances) a group of database blocks collects
  /// on the device before one read brings them back.
  static let candidateBytesPerRead = 64 << 20

  /// The `k` nearest of `candidates` to row `query` of `queries` by squared distance in
  /// Float64, ties by id: the exact last stage of ground truth and of re-ranked search.
  public static func rerank(query: Int, of queries: Matrix, candidates: [Int32], in database: Matrix, k: Int)
    -> [(distance: Double, id: Int32)]
  {
    let d = database.columns
    var exact: [(distance: Double, id: Int32)] = queries.values.withUnsafeBufferPointer { queryValues in
      database.values.withUnsafeBufferPointer { databaseValues in
        let row = queryValues.baseAddress! + query * d
        return candidates.map { id in (squaredDistance(row, databaseValues.baseAddress! + Int(id) * d, count: d), id) }
      }
    }
    exact.sort(by: nearestFirst)
    return Array(exact.prefix(k))
  }

  /// The `k` of `candidates` with the largest `q·x` (Float64), ties by id; as distances,
  /// `−q·x`, so that `nearestFirst` orders them.
  static func largestInnerProducts(query: Int, of queries: Matrix, candidates: [Int32], in database: Matrix, k: Int)
    -> [(distance: Double, id: Int32)]
  {
    let q = queries[query]
    var exact = candidates.map { id in
      (distance: -zip(q, database[Int(id)]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }, id: id)
    }
    exact.sort(by: nearestFirst)
    return Array(exact.prefix(k))
  }

  /// The order of every exact ranking: by distance, ties by id.
  public static func nearestFirst(_ a: (distance: Double, id: Int32), _ b: (distance: Double, id: Int32)) -> Bool {
    a.distance < b.distance || (a.distance == b.distance && a.id < b.id)
  }

  public static func squaredDistance(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    precondition(a.count == b.count)
    return a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in squaredDistance(a.baseAddress!, b.baseAddress!, count: a.count) }
    }
  }

  /// ‖a − b‖² in Float64 over `count` values; four independent sums let it vectorise.
  @inline(__always)
  static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
    var sums: (Double, Double, Double, Double) = (0, 0, 0, 0)
    var i = 0
    while i + 4 <= count {
      let d0 = Double(a[i]) - Double(b[i])
      let d1 = Double(a[i + 1]) - Double(b[i + 1])
      let d2 = Double(a[i + 2]) - Double(b[i + 2])
      let d3 = Double(a[i + 3]) - Double(b[i + 3])
      sums = (sums.0 + d0 * d0, sums.1 + d1 * d1, sums.2 + d2 * d2, sums.3 + d3 * d3)
      i += 4
    }
    var total = (sums.0 + sums.1) + (sums.2 + sums.3)
    while i < count {
      let d = Double(a[i]) - Double(b[i])
      total += d * d
      i += 1
    }
    return total
  }
}
