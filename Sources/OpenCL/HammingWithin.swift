// Launcher for kernels/hamming_within.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedHammingWithin(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    radius: Int
  ) throws -> HammingMatches {
    let operation = "hammingWithin"
    let words = codeWords(bits: bits)
    let lanes = tuning.hammingGroupSize
    var groupQueries = min(Self.withinMostQueriesPerGroup, queryCount)
    while groupQueries > 1 && UInt64(groupQueries * words * 8) > device.localMemoryBytes { groupQueries /= 2 }
    guard UInt64(groupQueries * words * 8 + Self.withinMostQueriesPerGroup * 4) <= device.localMemoryBytes else {
      throw BackendError.invalidArgument(
        operation: operation,
        message: "\(bits)-bit codes need \(words * 8 + 64) bytes of local memory; the device has "
          + "\(device.localMemoryBytes)")
    }
    let queryGroups = (queryCount + groupQueries - 1) / groupQueries
    let chunks = Self.withinChunks(
      databaseCount: databaseCount, queryGroups: queryGroups, lanes: lanes, computeUnits: device.computeUnits)
    let chunkLength = (databaseCount + chunks - 1) / chunks
    let grid: [KernelArgument] = [
      .memory(try memory(queries, operation, "queries")), .int(queryCount), .int(groupQueries),
      .memory(try memory(database, operation, "database")), .int(databaseCount), .int(words), .int(radius),
      .int(chunkLength), .local(bytes: groupQueries * words * MemoryLayout<UInt64>.size),
    ]
    let counts = try uncheckedMakeBuffer(Int32.self, count: queryCount * chunks)
    try launch(
      "hamming_within_count", file: "hamming_within", global: [chunks * lanes, queryGroups], local: [lanes, 1],
      grid + [.memory(try memory(counts, operation, "counts"))])
    // Each work-group's matches start where the previous group's (in query-major order) end.
    var offsets = try uncheckedDownload(counts, offset: 0, count: queryCount * chunks)
    var total = 0
    for e in offsets.indices { (offsets[e], total) = (Int32(truncatingIfNeeded: total), total + Int(offsets[e])) }
    guard total <= Int(Int32.max) else {
      throw BackendError.invalidArgument(
        operation: operation,
        message: "\(total) matches exceed the \(Int32.max) one call can return; ask for fewer queries")
    }
    var queryOffsets = (0..<queryCount).map { Int(offsets[$0 * chunks]) }
    queryOffsets.append(total)
    guard total > 0 else { return HammingMatches(offsets: queryOffsets, ids: [], distances: []) }
    let offsetBuffer = try uncheckedMakeBuffer(Int32.self, count: offsets.count)
    try offsets.withUnsafeBufferPointer { try uncheckedUpload($0, to: offsetBuffer, offset: 0) }
    let ids = try uncheckedMakeBuffer(Int32.self, count: total)
    let distances = try uncheckedMakeBuffer(Int32.self, count: total)
    try launch(
      "hamming_within_write", file: "hamming_within", global: [chunks * lanes, queryGroups], local: [lanes, 1],
      grid + [
        .memory(try memory(offsetBuffer, operation, "offsets")), .memory(try memory(ids, operation, "ids")),
        .memory(try memory(distances, operation, "distances")),
      ])
    return Self.inDistanceOrder(
      offsets: queryOffsets, ids: try uncheckedDownload(ids, offset: 0, count: total),
      distances: try uncheckedDownload(distances, offset: 0, count: total))
  }

  /// The most queries a work-group of the radius kernels scores together (WITHIN_QUERIES).
  static let withinMostQueriesPerGroup = 16

  /// Database chunks: enough work-groups for four per compute unit, but never chunks so
  /// short that a lane scores fewer than 16 codes.
  static func withinChunks(databaseCount: Int, queryGroups: Int, lanes: Int, computeUnits: Int) -> Int {
    let wanted = (4 * max(computeUnits, 1) + queryGroups - 1) / queryGroups
    return max(1, min(wanted, databaseCount / (16 * lanes)))
  }

  /// Each query's matches, written in the lanes' order, put in (distance, index) order.
  static func inDistanceOrder(offsets: [Int], ids: [Int32], distances: [Int32]) -> HammingMatches {
    var keys = zip(ids, distances).map { SmallestKeys.key(UInt32($1), index: Int($0)) }
    for q in 0..<(offsets.count - 1) { keys[offsets[q]..<offsets[q + 1]].sort() }
    return HammingMatches(
      offsets: offsets, ids: keys.map(SmallestKeys.index(of:)),
      distances: keys.map { Int32(SmallestKeys.value(of: $0)) })
  }
}
