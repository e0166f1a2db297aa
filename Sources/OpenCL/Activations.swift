// Launchers for kernels/activations.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedActivate(
    _ activation: Activation, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int
  ) throws {
    let (code, slope) = activation.code
    try launch(
      "activate", file: "activations", global: [count],
      [.int(Int(code.rawValue)), .float(slope)] + (try arguments("activate", [("x", x), ("y", y)])) + [.int(count)])
  }

  public func uncheckedActivationBackward(
    _ activation: Activation, output y: DeviceBuffer<Float>, outputGradient dy: DeviceBuffer<Float>,
    into dx: DeviceBuffer<Float>, count: Int
  ) throws {
    let (code, slope) = activation.code
    let buffers = try arguments("activationBackward", [("output", y), ("outputGradient", dy), ("into", dx)])
    try launch(
      "activation_backward", file: "activations", global: [count],
      [.int(Int(code.rawValue)), .float(slope)] + buffers + [.int(count)])
  }

  public func uncheckedBiasActivate(
    _ activation: Activation, bias: DeviceBuffer<Float>, _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int
  ) throws {
    let (code, slope) = activation.code
    try launch(
      "bias_activate", file: "activations", global: [rows * columns],
      [.int(Int(code.rawValue)), .float(slope)] + (try arguments("biasActivate", [("bias", bias), ("matrix", matrix)]))
        + [.int(rows), .int(columns)])
  }

  public func uncheckedActivationBackwardWithBiasGradient(
    _ activation: Activation, output y: DeviceBuffer<Float>, outputGradient dy: DeviceBuffer<Float>,
    into dx: DeviceBuffer<Float>, rows: Int, columns: Int, biasGradient: DeviceBuffer<Float>
  ) throws {
    let (code, slope) = activation.code
    let operation = "activationBackwardWithBiasGradient"
    try launch(
      "activation_backward_bias", file: "activations", global: columnSumGlobalSize(columns: columns),
      local: columnSumGroupSize,
      [.int(Int(code.rawValue)), .float(slope)]
        + (try arguments(operation, [("output", y), ("outputGradient", dy), ("into", dx)]))
        + [.int(rows), .int(columns), .memory(try memory(biasGradient, operation, "biasGradient"))])
  }
}
