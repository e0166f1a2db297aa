// CPU backend: sign-packing to bits, Hamming distances and exact top-k by counting.

import CHamming

extension CPUBackend {
  public func uncheckedSignPack(
    _ x: DeviceBuffer<Float>, rows: Int, bits: Int, into codes: DeviceBuffer<UInt64>
  ) throws {
    let words = codeWords(bits: bits)
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

  public func uncheckedHammingDistances(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>,
    databaseCount: Int, bits: Int, into distances: DeviceBuffer<Int32>
  ) throws {
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

  public func uncheckedHammingTopK(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>,
    databaseCount: Int, bits: Int, k: Int
  ) throws -> TopK {
    let words = codeWords(bits: bits)
    let q = try pointer(queries, "hammingTopK", "queries")
    let db = try pointer(database, "hammingTopK", "database")
    var ids = [Int32](repeating: 0, count: queryCount * k)
    var distances = [Int32](repeating: 0, count: queryCount * k)
    ids.withUnsafeMutableBufferPointer { idsOut in
      distances.withUnsafeMutableBufferPointer { distancesOut in
        parallelChunks(queryCount) { range in
          var selector = BlockedTopK(k: k, group: BlockedTopK.groupSize)
          for first in stride(from: range.lowerBound, to: range.upperBound, by: BlockedTopK.groupSize) {
            let group = first..<min(first + BlockedTopK.groupSize, range.upperBound)
            selector.select(
              queries: q + first * words, count: group.count, database: db, databaseCount: databaseCount,
              words: words, ids: idsOut.baseAddress! + first * k, distances: distancesOut.baseAddress! + first * k)
          }
        }
      }
    }
    return TopK(k: k, ids: ids, distances: distances)
  }
}

/// Exact top-k in one pass: the k smallest (distance, index) keys (`SmallestKeys`), fed
/// block by block with only the codes that can still enter, which after the first blocks
/// are rare; ties go to the smaller index, as METHOD.md §4 orders them. A group of queries
/// shares the pass: each block of codes, while it is in the core's cache, is scanned for
/// every query of the group, so a database larger than the cache is read from memory once
/// per group instead of once per query. Each query sees the same blocks in the same order
/// as alone, so its result is the same.
struct BlockedTopK {
  static let blockSize = 512
  /// Queries a pass serves: 16 one-word queries' scans of a 4 KB block take about as long
  /// as streaming the next block from memory on the machines measured (BENCHMARKS.md).
  static let groupSize = 16
  let k: Int
  private var kept: [SmallestKeys]
  private var positions = [UInt32](repeating: 0, count: BlockedTopK.blockSize)

  init(k: Int, group: Int) {
    self.k = k
    kept = (0..<max(group, 1)).map { _ in SmallestKeys(capacity: k) }
  }

  /// The top k of `count` consecutive queries (at most the group), written to their rows
  /// of `ids` and `distances` (k a query).
  mutating func select(
    queries: UnsafePointer<UInt64>, count: Int, database: UnsafePointer<UInt64>, databaseCount: Int, words: Int,
    ids: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Int32>
  ) {
    precondition(count <= kept.count)
    var worst = [UInt32](repeating: 0, count: count)
    for q in 0..<count {
      let query = queries + q * words
      kept[q].removeAll()
      for i in 0..<k {
        kept[q].offer(SmallestKeys.key(UInt32(Self.distance(query, database + i * words, words)), index: i))
      }
      worst[q] = SmallestKeys.value(of: kept[q].worst)
    }
    positions.withUnsafeMutableBufferPointer { positions in
      var start = k
      // Only a code nearer than the k-th can enter (a tie loses to the smaller index kept),
      // and the C loop (AVX-512 where there is one) passes on just those.
      while start < databaseCount && worst.contains(where: { $0 > 0 }) {
        let n = min(Self.blockSize, databaseCount - start)
        let block = database + start * words
        for q in 0..<count where worst[q] > 0 {
          let query = queries + q * words
          let near = sigah_codes_within(block, n, words, query, worst[q] - 1, positions.baseAddress!)
          for hit in 0..<near {
            let i = start + Int(positions[hit])
            let distance = UInt32(Self.distance(query, database + i * words, words))
            if distance < worst[q] {
              kept[q].offer(SmallestKeys.key(distance, index: i))
              worst[q] = SmallestKeys.value(of: kept[q].worst)
            }
          }
        }
        start += n
      }
    }
    for q in 0..<count {
      for (position, key) in kept[q].sorted().enumerated() {
        ids[q * k + position] = SmallestKeys.index(of: key)
        distances[q * k + position] = Int32(SmallestKeys.value(of: key))
      }
    }
  }

  @inline(__always)
  static func distance(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ words: Int) -> Int {
    var total = 0
    for w in 0..<words { total += (a[w] ^ b[w]).nonzeroBitCount }
    return total
  }
}
