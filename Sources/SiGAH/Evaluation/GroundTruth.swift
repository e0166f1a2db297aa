// Exact Euclidean ground truth: the K nearest database items of each query, ties by
// index (SPEC §5). Distances come from blocked GEMM on the backend
// (‖q‖² + ‖x‖² − 2q·x) with bounded memory; a pool of K + slack candidates per query
// is then re-ranked in Float64 from the vectors, so Float32 cancellation cannot reorder
// near-ties or exact ties.

import Backend
import Foundation

public enum GroundTruth {
  /// Ids of the `k` nearest rows of `database` for each row of `queries`, `queries × k`.
  /// `queryBlock × databaseBlock` floats is the largest buffer on the device.
  public static func compute(
    queries: Matrix, database: Matrix, k: Int, backend: any Backend, queryBlock: Int = 256,
    databaseBlock: Int = 16384, progress: (Int) -> Void = { _ in }
  ) throws -> [Int32] {
    guard queries.columns == database.columns else {
      throw BackendError.invalidArgument(
        operation: "groundtruth",
        message: "queries have dimension \(queries.columns), the database \(database.columns)")
    }
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
    var result = [Int32](repeating: 0, count: queries.rows * k)
    var queryStart = 0
    while queryStart < queries.rows {
      let nq = min(qb, queries.rows - queryStart)
      try backend.upload(Array(queries.values[(queryStart * d)..<((queryStart + nq) * d)]), to: qBuffer)
      try backend.squaredRowNorms(qBuffer, rows: nq, columns: d, into: qNorms)
      var candidates = (0..<nq).map { _ in BoundedMaxHeap(capacity: pool) }
      var databaseStart = 0
      while databaseStart < database.rows {
        let nx = min(db, database.rows - databaseStart)
        try backend.upload(Array(database.values[(databaseStart * d)..<((databaseStart + nx) * d)]), to: xBuffer)
        try backend.squaredRowNorms(xBuffer, rows: nx, columns: d, into: xNorms)
        try backend.gemm(qBuffer, transposeA: false, xBuffer, transposeB: true, into: distances, m: nq, n: nx, k: d, alpha: 1, beta: 0)
        try backend.distancesFromGram(
          distances, rowNorms: qNorms, columnNorms: xNorms, rows: nq, columns: nx, squareRoot: false,
          zeroDiagonal: false, into: distances)
        let block = try backend.download(distances, count: nq * nx)
        for q in 0..<nq {
          block.withUnsafeBufferPointer { values in
            let row = values.baseAddress! + q * nx
            for i in 0..<nx { candidates[q].offer(Double(row[i]), Int32(databaseStart + i)) }
          }
        }
        databaseStart += nx
      }
      for q in 0..<nq {
        let query = queries[queryStart + q]
        var exact: [(distance: Double, id: Int32)] = candidates[q].items.map { item in
          (squaredDistance(query, database[Int(item.1)]), item.1)
        }
        exact.sort { a, b in a.distance < b.distance || (a.distance == b.distance && a.id < b.id) }
        for j in 0..<k { result[(queryStart + q) * k + j] = exact[j].id }
      }
      queryStart += nq
      progress(queryStart)
    }
    return result
  }

  /// ‖a − b‖² in Float64.
  public static func squaredDistance(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    var total = 0.0
    for (x, y) in zip(a, b) {
      let difference = Double(x) - Double(y)
      total += difference * difference
    }
    return total
  }
}

/// The `capacity` smallest (value, id) pairs offered, ties by smaller id.
struct BoundedMaxHeap {
  let capacity: Int
  private(set) var items: [(Double, Int32)] = []

  init(capacity: Int) {
    self.capacity = capacity
    items.reserveCapacity(capacity)
  }

  private static func less(_ a: (Double, Int32), _ b: (Double, Int32)) -> Bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
  }

  mutating func offer(_ value: Double, _ id: Int32) {
    let item = (value, id)
    if items.count < capacity {
      items.append(item)
      var child = items.count - 1
      while child > 0 {
        let parent = (child - 1) / 2
        guard Self.less(items[parent], items[child]) else { break }
        items.swapAt(parent, child)
        child = parent
      }
    } else if Self.less(item, items[0]) {
      items[0] = item
      var parent = 0
      while true {
        let left = 2 * parent + 1
        let right = left + 1
        var largest = parent
        if left < items.count && Self.less(items[largest], items[left]) { largest = left }
        if right < items.count && Self.less(items[largest], items[right]) { largest = right }
        if largest == parent { break }
        items.swapAt(parent, largest)
        parent = largest
      }
    }
  }
}
