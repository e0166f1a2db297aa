// CPU backend: sign-packing to bits, Hamming distances and exact top-k by counting.

extension CPUBackend {
  public func signPack(
    _ x: DeviceBuffer<Float>, rows: Int, bits: Int, into codes: DeviceBuffer<UInt64>
  ) throws {
    try Validate.positive("signPack", "rows", rows)
    try Validate.bits("signPack", bits)
    let words = codeWords(bits: bits)
    try Validate.fits("signPack", "x", x, needs: rows * bits)
    try Validate.fits("signPack", "codes", codes, needs: rows * words)
    let px = try pointer(x, "signPack", "x")
    let pc = try pointer(codes, "signPack", "codes")
    for i in 0..<rows {
      let row = px + i * bits
      for w in 0..<words {
        var word: UInt64 = 0
        for bit in 0..<min(64, bits - 64 * w) where row[64 * w + bit] >= 0 {
          word |= 1 << UInt64(bit)
        }
        pc[i * words + w] = word
      }
    }
  }

  public func hammingDistances(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>,
    databaseCount: Int, bits: Int, into distances: DeviceBuffer<Int32>
  ) throws {
    try Validate.hamming("hammingDistances", queries, queryCount, database, databaseCount, bits)
    try Validate.fits("hammingDistances", "distances", distances, needs: queryCount * databaseCount)
    let words = codeWords(bits: bits)
    let q = try pointer(queries, "hammingDistances", "queries")
    let db = try pointer(database, "hammingDistances", "database")
    let d = try pointer(distances, "hammingDistances", "distances")
    parallelChunks(queryCount) { range in
      for i in range {
        Self.distances(from: q + i * words, to: db, count: databaseCount, words: words) {
          d[i * databaseCount + $0] = Int32($1)
        }
      }
    }
  }

  /// Calls `emit(index, distance)` for each database code in index order. The 1-word case
  /// (codes up to 64 bits, the common one) gets its own loop.
  @inline(__always)
  static func distances(
    from query: UnsafePointer<UInt64>, to database: UnsafePointer<UInt64>, count: Int,
    words: Int, _ emit: (Int, Int) -> Void
  ) {
    if words == 1 {
      let code = query[0]
      for i in 0..<count { emit(i, (code ^ database[i]).nonzeroBitCount) }
      return
    }
    for i in 0..<count {
      var distance = 0
      let row = database + i * words
      for w in 0..<words { distance += (query[w] ^ row[w]).nonzeroBitCount }
      emit(i, distance)
    }
  }

  public func hammingTopK(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>,
    databaseCount: Int, bits: Int, k: Int
  ) throws -> TopK {
    try Validate.hamming("hammingTopK", queries, queryCount, database, databaseCount, bits)
    try Validate.topK(k, databaseCount: databaseCount)
    let words = codeWords(bits: bits)
    let q = try pointer(queries, "hammingTopK", "queries")
    let db = try pointer(database, "hammingTopK", "database")
    var ids = [Int32](repeating: 0, count: queryCount * k)
    var distances = [Int32](repeating: 0, count: queryCount * k)
    ids.withUnsafeMutableBufferPointer { idsOut in
      distances.withUnsafeMutableBufferPointer { distancesOut in
        parallelChunks(queryCount) { range in
          var selector = CountingTopK(bits: bits, databaseCount: databaseCount)
          for i in range {
            selector.select(
              query: q + i * words, database: db, words: words, k: k,
              ids: idsOut.baseAddress! + i * k, distances: distancesOut.baseAddress! + i * k)
          }
        }
      }
    }
    return TopK(k: k, ids: ids, distances: distances)
  }
}

/// Exact top-k by counting sort over the `bits + 1` possible distances: one pass computes
/// the distances and their histogram, which fixes the k-th distance `t`; a second pass in
/// index order drops every item at or below `t` into its slot, so ties come out by index.
/// The same algorithm runs in `kernels/hamming.cl`.
struct CountingTopK {
  private var histogram: [Int]
  private var slots: [Int]
  private var scratch: [UInt16]

  init(bits: Int, databaseCount: Int) {
    histogram = Array(repeating: 0, count: bits + 1)
    slots = Array(repeating: 0, count: bits + 1)
    scratch = Array(repeating: 0, count: databaseCount)
  }

  mutating func select(
    query: UnsafePointer<UInt64>, database: UnsafePointer<UInt64>, words: Int, k: Int,
    ids: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Int32>
  ) {
    let count = scratch.count
    for d in histogram.indices { histogram[d] = 0 }
    histogram.withUnsafeMutableBufferPointer { histogram in
      scratch.withUnsafeMutableBufferPointer { scratch in
        CPUBackend.distances(from: query, to: database, count: count, words: words) {
          scratch[$0] = UInt16($1)
          histogram[$1] += 1
        }
      }
    }
    // t = the smallest distance whose cumulative count reaches k; slots[d] = first output
    // position for distance d.
    var threshold = 0
    var below = 0
    while below + histogram[threshold] < k {
      slots[threshold] = below
      below += histogram[threshold]
      threshold += 1
    }
    slots[threshold] = below
    var placed = 0
    for i in 0..<count {
      let d = Int(scratch[i])
      guard d <= threshold, slots[d] < k else { continue }
      ids[slots[d]] = Int32(i)
      distances[slots[d]] = Int32(d)
      slots[d] += 1
      placed += 1
      if placed == k { break }
    }
  }
}
