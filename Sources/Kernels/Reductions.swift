// Launchers for kernels/reductions.cl.

import Backend

extension OpenCLBackend {
  public func reduceRows(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, _ reduction: RowReduction,
    into out: DeviceBuffer<Float>
  ) throws {
    try Validate.shape(
      "reduceRows", rows: rows, columns: columns, [("matrix", matrix, rows * columns), ("out", out, rows)])
    let code: Int
    switch reduction {
    case .sum: code = 0
    case .sumOfSquares: code = 1
    case .sumOfAbsoluteValues: code = 2
    }
    let group = tuning.reductionGroupSize
    try launch(
      "reduce_rows", file: "reductions", global: [rows * group], local: [group],
      [
        .memory(try memory(matrix, "reduceRows", "matrix")), .int(rows), .int(columns), .int(code),
        .memory(try memory(out, "reduceRows", "out")),
      ])
  }

  public func sumColumns(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, into out: DeviceBuffer<Float>
  ) throws {
    try Validate.shape(
      "sumColumns", rows: rows, columns: columns, [("matrix", matrix, rows * columns), ("out", out, columns)])
    try launch(
      "sum_columns", file: "reductions", global: [columns],
      [
        .memory(try memory(matrix, "sumColumns", "matrix")), .int(rows), .int(columns),
        .memory(try memory(out, "sumColumns", "out")),
      ])
  }
}
