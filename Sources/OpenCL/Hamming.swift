// Launchers for kernels/hamming.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedSignPack(
    _ x: DeviceBuffer<Float>, rows: Int, bits: Int, into codes: DeviceBuffer<UInt64>
  ) throws {
    let words = codeWords(bits: bits)
    try launch(
      "sign_pack", file: "hamming", global: [rows * words],
      [
        .memory(try memory(x, "signPack", "x")), .int(rows), .int(bits),
        .memory(try memory(codes, "signPack", "codes")),
      ])
  }

  public func uncheckedHammingDistances(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>,
    databaseCount: Int, bits: Int, into distances: DeviceBuffer<Int32>
  ) throws {
    let operation = "hammingDistances"
    try launch(
      "hamming_distances", file: "hamming", global: [databaseCount, queryCount],
      [
        .memory(try memory(queries, operation, "queries")),
        .memory(try memory(database, operation, "database")), .int(queryCount),
        .int(databaseCount), .int(codeWords(bits: bits)),
        .memory(try memory(distances, operation, "distances")),
      ])
  }

  public func uncheckedHammingTopK(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    k: Int
  ) throws -> TopK {
    let operation = "hammingTopK"
    let words = codeWords(bits: bits)
    let group = tuning.hammingGroupSize
    guard
      let groupQueries = Self.hammingQueriesPerGroup(
        queryCount: queryCount, bits: bits, lanes: group, on: device)
    else {
      throw BackendError.invalidArgument(
        operation: operation,
        message:
          "\(bits)-bit codes need \(Self.hammingLocalBytes(queries: 1, bits: bits, lanes: group)) bytes of local "
          + "memory; the device has \(device.localMemoryBytes)")
    }
    let buffers = try topKWorkspace(results: queryCount * k, scratch: queryCount * (k + bits + 1))
    let groups = (queryCount + groupQueries - 1) / groupQueries
    try launch(
      "hamming_topk", file: "hamming", global: [groups * group], local: [group],
      [
        .memory(try memory(queries, operation, "queries")), .int(queryCount),
        .memory(try memory(database, operation, "database")), .int(databaseCount), .int(bits), .int(k),
        .int(groupQueries), .local(bytes: groupQueries * words * MemoryLayout<UInt64>.size),
        .local(bytes: groupQueries * (bits + 1) * MemoryLayout<Int32>.size),
        .memory(try memory(buffers.scratch, operation, "scratch")),
        .memory(try memory(buffers.ids, operation, "ids")),
        .memory(try memory(buffers.distances, operation, "distances")),
      ])
    let count = queryCount * k
    return TopK(
      k: k, ids: try uncheckedDownload(buffers.ids, offset: 0, count: count),
      distances: try uncheckedDownload(buffers.distances, offset: 0, count: count))
  }

  /// The most queries a work-group of `hamming_topk` scores together (kernels/hamming.cl's
  /// HAMMING_QUERIES).
  static let hammingMostQueriesPerGroup = 16

  /// Queries per work-group: as many as share a database read (up to the kernel's most),
  /// but never so many that a compute unit is left without a group, and within local
  /// memory; nil when not even one query's histogram fits.
  static func hammingQueriesPerGroup(queryCount: Int, bits: Int, lanes: Int, on device: OpenCLDeviceInfo) -> Int? {
    let units = max(device.computeUnits, 1)
    let perUnit = (queryCount + units - 1) / units
    var queries = max(1, min(Self.hammingMostQueriesPerGroup, perUnit))
    while queries >= 1 {
      if hammingLocalBytes(queries: queries, bits: bits, lanes: lanes) <= device.localMemoryBytes {
        return queries
      }
      queries /= 2
    }
    return nil
  }

  /// Local memory of one `hamming_topk` work-group: the block's query codes and
  /// histograms, and the fixed arrays (the packed tie scan, five counts per query and the
  /// finished flag).
  static func hammingLocalBytes(queries: Int, bits: Int, lanes: Int) -> UInt64 {
    let most = hammingMostQueriesPerGroup
    let fixed = (most + 3) / 4 * lanes * 8 + 5 * most * 4 + 4
    return UInt64(queries * codeWords(bits: bits) * 8 + queries * (bits + 1) * 4 + fixed)
  }

  /// The result and scratch buffers of `hammingTopK`, kept between calls and grown (to
  /// at least twice their old size) only when a call needs more.
  private func topKWorkspace(results: Int, scratch: Int) throws -> TopKWorkspace {
    if let kept = topKBuffers, kept.ids.count >= results, kept.scratch.count >= scratch { return kept }
    let old = topKBuffers
    let made = TopKWorkspace(
      ids: try uncheckedMakeBuffer(Int32.self, count: max(results, 2 * (old?.ids.count ?? 0))),
      distances: try uncheckedMakeBuffer(Int32.self, count: max(results, 2 * (old?.ids.count ?? 0))),
      scratch: try uncheckedMakeBuffer(Int32.self, count: max(scratch, 2 * (old?.scratch.count ?? 0))))
    topKBuffers = made
    return made
  }
}

/// The buffers `hammingTopK` keeps between calls.
struct TopKWorkspace {
  let ids: DeviceBuffer<Int32>
  let distances: DeviceBuffer<Int32>
  let scratch: DeviceBuffer<Int32>
}
