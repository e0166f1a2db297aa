// Launcher for kernels/selection.cl: one work-group of `reductionGroupSize` a row.

import Backend

extension OpenCLBackend {
  public func uncheckedSmallestPerRow(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, count: Int, ids: DeviceBuffer<Int32>,
    values: DeviceBuffer<Float>
  ) throws {
    let group = tuning.reductionGroupSize
    try launch(
      "smallest_per_row", file: "selection", global: [rows * group], local: [group],
      [
        .memory(try memory(matrix, "smallestPerRow", "matrix")), .int(columns), .int(count),
        .memory(try memory(ids, "smallestPerRow", "ids")), .memory(try memory(values, "smallestPerRow", "values")),
      ])
  }
}
