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
          var selector = BlockedTopK(k: k)
          for i in range {
            selector.select(
              query: q + i * words, database: db, count: databaseCount, words: words,
              ids: idsOut.baseAddress! + i * k, distances: distancesOut.baseAddress! + i * k)
          }
        }
      }
    }
    return TopK(k: k, ids: ids, distances: distances)
  }
}

/// Exact top-k in one pass: the k smallest (distance, index) keys (`SmallestKeys`), fed
/// block by block with only the codes that can still enter, which after the first blocks
/// are rare; ties go to the smaller index, as METHOD.md §4 orders them.
struct BlockedTopK {
  static let blockSize = 512
  let k: Int
  private var kept: SmallestKeys
  private var positions = [UInt32](repeating: 0, count: BlockedTopK.blockSize)

  init(k: Int) {
    self.k = k
    kept = SmallestKeys(capacity: k)
  }

  mutating func select(
    query: UnsafePointer<UInt64>, database: UnsafePointer<UInt64>, count: Int, words: Int,
    ids: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Int32>
  ) {
    kept.removeAll()
    for i in 0..<k { kept.offer(SmallestKeys.key(UInt32(Self.distance(query, database + i * words, words)), index: i)) }
    scan(query, database, count: count, words: words)
    for (position, key) in kept.sorted().enumerated() {
      ids[position] = SmallestKeys.index(of: key)
      distances[position] = Int32(SmallestKeys.value(of: key))
    }
  }

  /// Only a code nearer than the k-th can enter (a tie loses to the smaller index kept),
  /// and the C loop (AVX-512 where there is one) passes on just those.
  private mutating func scan(_ query: UnsafePointer<UInt64>, _ database: UnsafePointer<UInt64>, count: Int, words: Int)
  {
    positions.withUnsafeMutableBufferPointer { positions in
      var worst = SmallestKeys.value(of: kept.worst)
      var start = k
      while start < count && worst > 0 {
        let n = min(Self.blockSize, count - start)
        let near = sigah_codes_within(database + start * words, n, words, query, worst - 1, positions.baseAddress!)
        for hit in 0..<near {
          let i = start + Int(positions[hit])
          let distance = UInt32(Self.distance(query, database + i * words, words))
          if distance < worst {
            kept.offer(SmallestKeys.key(distance, index: i))
            worst = SmallestKeys.value(of: kept.worst)
          }
        }
        start += n
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
