// Launchers for kernels/reductions.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedReduceRows(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, _ reduction: RowReduction, into out: DeviceBuffer<Float>
  ) throws {
    let group = tuning.reductionGroupSize
    try launch(
      "reduce_rows", file: "reductions", global: [rows * group], local: [group],
      [
        .memory(try memory(matrix, "reduceRows", "matrix")), .int(rows), .int(columns),
        .int(Int(reduction.code.rawValue)), .memory(try memory(out, "reduceRows", "out")),
      ])
  }

  public func uncheckedSumColumns(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, into out: DeviceBuffer<Float>
  ) throws {
    try launch(
      "sum_columns", file: "reductions", global: columnSumGlobalSize(columns: columns), local: columnSumGroupSize,
      [
        .memory(try memory(matrix, "sumColumns", "matrix")), .int(rows), .int(columns),
        .memory(try memory(out, "sumColumns", "out")),
      ])
  }

  public func uncheckedAccumulate(
    _ x: DeviceBuffer<Float>, count: Int, _ reduction: RowReduction, scale: Float,
    into accumulator: DeviceBuffer<Float>, index: Int
  ) throws {
    let group = tuning.reductionGroupSize
    try launch(
      "accumulate", file: "reductions", global: [group], local: [group],
      [
        .memory(try memory(x, "accumulate", "x")), .int(count), .int(Int(reduction.code.rawValue)), .float(scale),
        .memory(try memory(accumulator, "accumulate", "accumulator")), .int(index),
      ])
  }
}

extension OpenCLBackend {
  /// The work of a column-sum kernel (common.cl's layout): columns × row lanes.
  func columnSumGlobalSize(columns: Int) -> [Int] { [columns, tuning.columnGroupRows] }
  var columnSumGroupSize: [Int] { [tuning.columnGroupColumns, tuning.columnGroupRows] }
}
