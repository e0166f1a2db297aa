// Launchers for kernels/hamming.cl.

import Backend

extension OpenCLBackend {
  public func signPack(
    _ x: DeviceBuffer<Float>, rows: Int, bits: Int, into codes: DeviceBuffer<UInt64>
  ) throws {
    try Validate.signPack(x, rows: rows, bits: bits, codes)
    let words = codeWords(bits: bits)
    try launch(
      "sign_pack", file: "hamming", global: [rows * words],
      [
        .memory(try memory(x, "signPack", "x")), .int(rows), .int(bits),
        .memory(try memory(codes, "signPack", "codes")),
      ])
  }

  public func hammingDistances(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>,
    databaseCount: Int, bits: Int, into distances: DeviceBuffer<Int32>
  ) throws {
    let operation = "hammingDistances"
    try Validate.hamming(operation, queries, queryCount, database, databaseCount, bits)
    try Validate.fits(operation, "distances", distances, needs: queryCount * databaseCount)
    try launch(
      "hamming_distances", file: "hamming", global: [databaseCount, queryCount],
      [
        .memory(try memory(queries, operation, "queries")),
        .memory(try memory(database, operation, "database")), .int(queryCount),
        .int(databaseCount), .int(codeWords(bits: bits)),
        .memory(try memory(distances, operation, "distances")),
      ])
  }

  public func hammingTopK(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>,
    databaseCount: Int, bits: Int, k: Int
  ) throws -> TopK {
    let operation = "hammingTopK"
    try Validate.hamming(operation, queries, queryCount, database, databaseCount, bits)
    try Validate.topK(k, databaseCount: databaseCount)
    let scratch = try makeBuffer(Int32.self, count: queryCount * (bits + 1))
    let ids = try makeBuffer(Int32.self, count: queryCount * k)
    let distances = try makeBuffer(Int32.self, count: queryCount * k)
    try launch(
      "hamming_topk", file: "hamming", global: [queryCount],
      [
        .memory(try memory(queries, operation, "queries")),
        .memory(try memory(database, operation, "database")), .int(queryCount),
        .int(databaseCount), .int(bits), .int(k), .memory(try memory(scratch, operation, "scratch")),
        .memory(try memory(ids, operation, "ids")),
        .memory(try memory(distances, operation, "distances")),
      ])
    return TopK(k: k, ids: try download(ids), distances: try download(distances))
  }
}
