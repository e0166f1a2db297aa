// Launchers for kernels/elementwise.cl.

import Backend

extension OpenCLBackend {
  /// Checks an element-wise operation's buffers and returns their `cl_mem`s in order.
  func elementwise(
    _ operation: String, _ buffers: [(String, DeviceBuffer<Float>)], count: Int
  ) throws -> [KernelArgument] {
    try Validate.elementwise(operation, buffers, count: count)
    return try buffers.map { .memory(try memory($0.1, operation, $0.0)) }
  }

  public func fill(_ buffer: DeviceBuffer<Float>, value: Float, count: Int) throws {
    let x = try elementwise("fill", [("buffer", buffer)], count: count)
    try launch("fill", file: "elementwise", global: [count], x + [.float(value), .int(count)])
  }

  public func addRowVector(
    _ vector: DeviceBuffer<Float>, to matrix: DeviceBuffer<Float>, rows: Int, columns: Int
  ) throws {
    try Validate.shape(
      "addRowVector", rows: rows, columns: columns, [("vector", vector, columns), ("matrix", matrix, rows * columns)])
    try launch(
      "add_row_vector", file: "elementwise", global: [rows * columns],
      [
        .memory(try memory(matrix, "addRowVector", "matrix")),
        .memory(try memory(vector, "addRowVector", "vector")), .int(rows), .int(columns),
      ])
  }

  public func scaleRows(
    _ matrix: DeviceBuffer<Float>, by scales: DeviceBuffer<Float>, rows: Int, columns: Int
  ) throws {
    try Validate.shape(
      "scaleRows", rows: rows, columns: columns, [("scales", scales, rows), ("matrix", matrix, rows * columns)])
    try launch(
      "scale_rows", file: "elementwise", global: [rows * columns],
      [
        .memory(try memory(matrix, "scaleRows", "matrix")),
        .memory(try memory(scales, "scaleRows", "scales")), .int(rows), .int(columns),
      ])
  }

  public func linearCombination(
    alpha: Float, _ x: DeviceBuffer<Float>, beta: Float, _ y: DeviceBuffer<Float>,
    into z: DeviceBuffer<Float>, count: Int
  ) throws {
    let p = try elementwise("linearCombination", [("x", x), ("y", y), ("z", z)], count: count)
    try launch(
      "linear_combination", file: "elementwise", global: [count],
      [.float(alpha), p[0], .float(beta), p[1], p[2], .int(count)])
  }

  public func multiply(
    _ x: DeviceBuffer<Float>, _ y: DeviceBuffer<Float>, into z: DeviceBuffer<Float>, count: Int
  ) throws {
    let p = try elementwise("multiply", [("x", x), ("y", y), ("z", z)], count: count)
    try launch("multiply", file: "elementwise", global: [count], p + [.int(count)])
  }

  public func map(
    _ function: UnaryFunction, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int
  ) throws {
    let p = try elementwise("map", [("x", x), ("y", y)], count: count)
    let (code, parameter): (Int, Float)
    switch function {
    case .sign: (code, parameter) = (0, 0)
    case .abs: (code, parameter) = (1, 0)
    case .square: (code, parameter) = (2, 0)
    case .exp(let scale): (code, parameter) = (3, scale)
    }
    try launch(
      "map", file: "elementwise", global: [count],
      [.int(code), .float(parameter)] + p + [.int(count)])
  }
}
