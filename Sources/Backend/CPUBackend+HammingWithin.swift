// CPU backend: radius search. As in the top-k (`BlockedTopK`), a group of queries shares
// each block of codes while it is in cache; `sigah_codes_within` passes on only the
// matches, in index order, and a stable counting sort by distance then gives each query
// its (distance, index) order.

import CHamming

extension CPUBackend {
  public func uncheckedHammingWithin(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    radius: Int
  ) throws -> HammingMatches {
    let words = codeWords(bits: bits)
    let q = try pointer(queries, "hammingWithin", "queries")
    let db = try pointer(database, "hammingWithin", "database")
    var ids = [[Int32]](repeating: [], count: queryCount)
    var distances = [[Int32]](repeating: [], count: queryCount)
    ids.withUnsafeMutableBufferPointer { idsOut in
      distances.withUnsafeMutableBufferPointer { distancesOut in
        parallelChunks(queryCount) { range in
          var positions = [UInt32](repeating: 0, count: BlockedTopK.blockSize)
          for first in stride(from: range.lowerBound, to: range.upperBound, by: BlockedTopK.groupSize) {
            let group = first..<min(first + BlockedTopK.groupSize, range.upperBound)
            var found = [(ids: [Int32], distances: [Int32])](repeating: ([], []), count: group.count)
            positions.withUnsafeMutableBufferPointer { positions in
              for start in stride(from: 0, to: databaseCount, by: BlockedTopK.blockSize) {
                let n = min(BlockedTopK.blockSize, databaseCount - start)
                for (slot, query) in group.enumerated() {
                  let code = q + query * words
                  let hits = sigah_codes_within(
                    db + start * words, n, words, code, UInt32(radius), positions.baseAddress!)
                  for hit in 0..<hits {
                    let i = start + Int(positions[hit])
                    found[slot].ids.append(Int32(i))
                    found[slot].distances.append(Int32(BlockedTopK.distance(code, db + i * words, words)))
                  }
                }
              }
            }
            for (slot, query) in group.enumerated() {
              (idsOut[query], distancesOut[query]) = Self.byDistance(found[slot], radius: radius)
            }
          }
        }
      }
    }
    var offsets = [0]
    offsets.reserveCapacity(queryCount + 1)
    for row in ids { offsets.append(offsets.last! + row.count) }
    return HammingMatches(offsets: offsets, ids: ids.flatMap { $0 }, distances: distances.flatMap { $0 })
  }

  /// Matches in index order put in (distance, index) order: a stable counting sort over
  /// the distances 0…radius.
  static func byDistance(_ found: (ids: [Int32], distances: [Int32]), radius: Int) -> ([Int32], [Int32]) {
    var next = [Int](repeating: 0, count: radius + 2)
    for d in found.distances { next[Int(d) + 1] += 1 }
    for d in 0...radius { next[d + 1] += next[d] }
    var ids = [Int32](repeating: 0, count: found.ids.count)
    var distances = [Int32](repeating: 0, count: found.ids.count)
    for (id, d) in zip(found.ids, found.distances) {
      let slot = next[Int(d)]
      next[Int(d)] += 1
      (ids[slot], distances[slot]) = (id, d)
    }
    return (ids, distances)
  }
}
