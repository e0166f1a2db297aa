// Launcher for kernels/encode.cl: on CPU devices a work-item codes `encodeRows` rows of a
// code word; on GPUs a work-group of 64 lanes, one a bit of the word, codes them.

import Backend

extension OpenCLBackend {
  public func uncheckedProjectSignPack(
    _ x: DeviceBuffer<Float>, firstRow: Int, rows: Int, columns: Int, subtracting mean: DeviceBuffer<Float>?,
    transposedProjection: DeviceBuffer<Float>, adding addend: DeviceBuffer<Float>?, offset: DeviceBuffer<Float>,
    bits: Int, into codes: DeviceBuffer<UInt64>, firstCode: Int, workspace: SignProjectionWorkspace
  ) throws {
    let local = tuning.encodeInLocalMemory
    guard !local || device.maxWorkGroupSize >= 64 else {
      return try composedProjectSignPack(
        x, firstRow: firstRow, rows: rows, columns: columns, subtracting: mean,
        transposedProjection: transposedProjection, adding: addend, offset: offset, bits: bits, into: codes,
        firstCode: firstCode, workspace: workspace)
    }
    let operation = "projectSignPack"
    let input = try memory(x, operation, "x")
    let blocks = (rows + tuning.encodeRows - 1) / tuning.encodeRows
    try launch(
      "project_sign_pack", file: "encode", global: [local ? blocks * 64 : blocks, codeWords(bits: bits)],
      local: local ? [64, 1] : nil,
      [
        .memory(input), .int(firstRow), .int(rows), .int(columns),
        // Without a mean or an addend the kernel never reads it: any buffer stands in.
        .memory(try mean.map { try memory($0, operation, "mean") } ?? input), .int(mean == nil ? 0 : 1),
        .memory(try memory(transposedProjection, operation, "transposedProjection")),
        .memory(try addend.map { try memory($0, operation, "addend") } ?? input), .int(addend == nil ? 0 : 1),
        .memory(try memory(offset, operation, "offset")), .int(bits), .memory(try memory(codes, operation, "codes")),
        .int(firstCode),
      ])
  }
}
