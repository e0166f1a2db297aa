// Launchers for kernels/elementwise.cl.

import Backend

extension OpenCLBackend {
  /// The `cl_mem`s of named buffers, in order, as kernel arguments.
  func arguments<T>(_ operation: String, _ buffers: [(String, DeviceBuffer<T>)]) throws -> [KernelArgument] {
    try buffers.map { .memory(try memory($0.1, operation, $0.0)) }
  }

  public func uncheckedFill(_ buffer: DeviceBuffer<Float>, value: Float, count: Int) throws {
    try launch(
      "fill", file: "elementwise", global: [count],
      try arguments("fill", [("buffer", buffer)]) + [.float(value), .int(count)])
  }

  public func uncheckedWidenBytes(
    _ bytes: DeviceBuffer<UInt8>, count: Int, table: DeviceBuffer<Float>, into out: DeviceBuffer<Float>
  ) throws {
    try launch(
      "widen_bytes", file: "elementwise", global: [count],
      [
        .memory(try memory(bytes, "widenBytes", "bytes")), .memory(try memory(table, "widenBytes", "table")),
        .memory(try memory(out, "widenBytes", "out")), .int(count),
      ])
  }

  public func uncheckedAddRowVector(
    _ vector: DeviceBuffer<Float>, to matrix: DeviceBuffer<Float>, rows: Int, columns: Int
  ) throws {
    try launch(
      "add_row_vector", file: "elementwise", global: [rows * columns],
      try arguments("addRowVector", [("matrix", matrix), ("vector", vector)]) + [.int(rows), .int(columns)])
  }

  public func uncheckedScaleRows(
    _ matrix: DeviceBuffer<Float>, by scales: DeviceBuffer<Float>, rows: Int, columns: Int
  ) throws {
    try launch(
      "scale_rows", file: "elementwise", global: [rows * columns],
      try arguments("scaleRows", [("matrix", matrix), ("scales", scales)]) + [.int(rows), .int(columns)])
  }

  public func uncheckedLinearCombination(
    alpha: Float, _ x: DeviceBuffer<Float>, beta: Float, _ y: DeviceBuffer<Float>, into z: DeviceBuffer<Float>,
    count: Int
  ) throws {
    let p = try arguments("linearCombination", [("x", x), ("y", y), ("z", z)])
    try launch(
      "linear_combination", file: "elementwise", global: [count],
      [.float(alpha), p[0], .float(beta), p[1], p[2], .int(count)])
  }

  public func uncheckedMultiply(
    _ x: DeviceBuffer<Float>, _ y: DeviceBuffer<Float>, into z: DeviceBuffer<Float>, count: Int
  ) throws {
    try launch(
      "multiply", file: "elementwise", global: [count],
      try arguments("multiply", [("x", x), ("y", y), ("z", z)]) + [.int(count)])
  }

  public func uncheckedMap(
    _ function: UnaryFunction, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int
  ) throws {
    let (code, parameter) = function.code
    try launch(
      "map", file: "elementwise", global: [count],
      [.int(Int(code.rawValue)), .float(parameter)] + (try arguments("map", [("x", x), ("y", y)])) + [.int(count)])
  }

  public func uncheckedGatherRows(
    _ source: DeviceBuffer<Float>, indices: DeviceBuffer<Int32>, first: Int, rows: Int, columns: Int,
    subtracting: DeviceBuffer<Float>?, into out: DeviceBuffer<Float>
  ) throws {
    let operation = "gatherRows"
    try launch(
      "gather_rows", file: "elementwise", global: [rows * columns],
      [
        .memory(try memory(source, operation, "source")), .memory(try memory(indices, operation, "indices")),
        .int(first), .int(rows), .int(columns), .int(subtracting == nil ? 0 : 1),
        .memory(try memory(subtracting ?? out, operation, "subtracting")), .memory(try memory(out, operation, "out")),
      ])
  }
}
