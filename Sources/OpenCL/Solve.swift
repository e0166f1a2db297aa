// Launcher for kernels/solve.cl: one work-group factors, one work-item a column substitutes.

import Backend

extension OpenCLBackend {
  public func uncheckedCholeskySolve(
    _ matrix: DeviceBuffer<Float>, order: Int, relativeRidge: Float, rightHandSides: DeviceBuffer<Float>,
    columns: Int
  ) throws {
    let operation = "choleskySolve"
    let factor = try memory(matrix, operation, "matrix")
    // The rows below a pivot are the group's parallel work: no wider than the order needs
    // (a CPU device's barriers cost a loop over its lanes each).
    var group = 1
    while group < order - 1 && group * 2 <= min(tuning.reductionGroupSize, device.maxWorkGroupSize) { group *= 2 }
    try launch(
      "cholesky_factor", file: "solve", global: [group], local: [group],
      [.memory(factor), .int(order), .float(relativeRidge), .local(bytes: 2 * MemoryLayout<Float>.size)])
    try launch(
      "cholesky_substitute", file: "solve", global: [columns],
      [.memory(factor), .int(order), .memory(try memory(rightHandSides, operation, "rightHandSides")), .int(columns)])
  }
}
