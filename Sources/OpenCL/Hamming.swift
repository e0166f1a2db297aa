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
    let histogramBytes = (bits + 1) * MemoryLayout<Int32>.size
    guard UInt64(histogramBytes) <= device.localMemoryBytes else {
      throw BackendError.invalidArgument(
        operation: operation,
        message:
          "\(bits)-bit codes need \(histogramBytes) bytes of local memory; the device has \(device.localMemoryBytes)")
    }
    let buffers = try topKWorkspace(results: queryCount * k, scratch: queryCount * (k + bits + 1))
    let group = tuning.hammingGroupSize
    try launch(
      "hamming_topk", file: "hamming", global: [queryCount * group], local: [group],
      [
        .memory(try memory(queries, operation, "queries")), .memory(try memory(database, operation, "database")),
        .int(databaseCount), .int(bits), .int(k), .local(bytes: histogramBytes),
        .memory(try memory(buffers.scratch, operation, "scratch")),
        .memory(try memory(buffers.ids, operation, "ids")),
        .memory(try memory(buffers.distances, operation, "distances")),
      ])
    let count = queryCount * k
    return TopK(
      k: k, ids: try uncheckedDownload(buffers.ids, offset: 0, count: count),
      distances: try uncheckedDownload(buffers.distances, offset: 0, count: count))
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
