// Launchers for kernels/ranking.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedAveragePrecision(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    relevantIds: DeviceBuffer<Int32>, relevantPerQuery: Int, into averagePrecisions: DeviceBuffer<Float>
  ) throws {
    let operation = "averagePrecision"
    let countsBytes = 2 * (bits + 1) * MemoryLayout<Int32>.size
    guard UInt64(countsBytes) <= device.localMemoryBytes else {
      throw BackendError.invalidArgument(
        operation: operation,
        message:
          "\(bits)-bit codes need \(countsBytes) bytes of local memory; the device has \(device.localMemoryBytes)")
    }
    let group = tuning.hammingGroupSize
    try launch(
      "average_precision", file: "ranking", global: [queryCount * group], local: [group],
      [
        .memory(try memory(queries, operation, "queries")), .memory(try memory(database, operation, "database")),
        .int(databaseCount), .int(bits), .memory(try memory(relevantIds, operation, "relevantIds")),
        .int(relevantPerQuery), .local(bytes: countsBytes),
        .memory(try memory(averagePrecisions, operation, "averagePrecisions")),
      ])
  }
}
