// CPU backend: the average precision of each query's whole Hamming ranking, by counting.

extension CPUBackend {
  public func uncheckedAveragePrecision(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    relevantIds: DeviceBuffer<Int32>, relevantPerQuery: Int, into averagePrecisions: DeviceBuffer<Float>
  ) throws {
    let operation = "averagePrecision"
    let words = codeWords(bits: bits)
    let q = try pointer(queries, operation, "queries")
    let db = try pointer(database, operation, "database")
    let ids = try pointer(relevantIds, operation, "relevantIds")
    let out = try pointer(averagePrecisions, operation, "averagePrecisions")
    parallelChunks(queryCount) { range in
      var distances = [Int32](repeating: 0, count: databaseCount)
      var relevant = [Bool](repeating: false, count: databaseCount)
      var preceding = [Int](repeating: 0, count: bits + 1)
      var relevantPreceding = [Int](repeating: 0, count: bits + 1)
      for query in range {
        let queryIds = UnsafeBufferPointer(start: ids + query * relevantPerQuery, count: relevantPerQuery)
        for id in queryIds where (0..<databaseCount).contains(Int(id)) { relevant[Int(id)] = true }
        for d in 0...bits {
          preceding[d] = 0
          relevantPreceding[d] = 0
        }
        Self.distances(from: q + query * words, to: db, count: databaseCount, words: words) { i, d in
          distances[i] = Int32(d)
          preceding[d] += 1
          if relevant[i] { relevantPreceding[d] += 1 }
        }
        // Counts become the positions before each distance's run, then advance through
        // the database in index order, which is the ranking's order within a run.
        var (all, found) = (0, 0)
        for d in 0...bits {
          (all, preceding[d]) = (all + preceding[d], all)
          (found, relevantPreceding[d]) = (found + relevantPreceding[d], found)
        }
        var sum = 0.0
        for i in 0..<databaseCount {
          let d = Int(distances[i])
          preceding[d] += 1
          if relevant[i] {
            relevantPreceding[d] += 1
            sum += Double(relevantPreceding[d]) / Double(preceding[d])
          }
        }
        out[query] = found == 0 ? 0 : Float(sum / Double(found))
        for id in queryIds where (0..<databaseCount).contains(Int(id)) { relevant[Int(id)] = false }
      }
    }
  }
}

extension CPUBackend {
  public func uncheckedSmallestPerRow(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, count: Int, ids: DeviceBuffer<Int32>,
    values: DeviceBuffer<Float>
  ) throws {
    let x = try pointer(matrix, "smallestPerRow", "matrix")
    let (outIds, outValues) = (
      try pointer(ids, "smallestPerRow", "ids"), try pointer(values, "smallestPerRow", "values")
    )
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / columns)) { range in
      var kept = SmallestKeys(capacity: count)
      for i in range {
        kept.removeAll()
        let row = x + i * columns
        // Keys in the order of the values, negative ones included (as the kernel's).
        for j in 0..<columns {
          let bits = row[j].bitPattern
          kept.offer(SmallestKeys.key(bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000, index: j))
        }
        let chosen = kept.sorted().map { Int(SmallestKeys.index(of: $0)) }.sorted()
        for (position, j) in chosen.enumerated() {
          outIds[i * count + position] = Int32(j)
          outValues[i * count + position] = row[j]
        }
      }
    }
  }
}
