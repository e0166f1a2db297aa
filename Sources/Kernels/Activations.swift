// Launchers for kernels/activations.cl.

import Backend

extension OpenCLBackend {
  /// The kernel's activation code and LeakyReLU slope.
  private func code(_ activation: Activation) -> (Int, Float) {
    switch activation {
    case .leakyReLU(let slope): return (0, slope)
    case .relu: return (1, 0)
    case .tanh: return (2, 0)
    case .sigmoid: return (3, 0)
    case .identity: return (4, 0)
    }
  }

  public func activate(
    _ activation: Activation, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int
  ) throws {
    let p = try elementwise("activate", [("x", x), ("y", y)], count: count)
    let (kind, slope) = code(activation)
    try launch(
      "activate", file: "activations", global: [count],
      [.int(kind), .float(slope)] + p + [.int(count)])
  }

  public func activationBackward(
    _ activation: Activation, output y: DeviceBuffer<Float>, outputGradient dy: DeviceBuffer<Float>,
    into dx: DeviceBuffer<Float>, count: Int
  ) throws {
    let p = try elementwise(
      "activationBackward", [("output", y), ("outputGradient", dy), ("into", dx)], count: count)
    let (kind, slope) = code(activation)
    try launch(
      "activation_backward", file: "activations", global: [count],
      [.int(kind), .float(slope)] + p + [.int(count)])
  }
}
