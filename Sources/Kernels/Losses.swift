// Launcher for kernels/losses.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedMarginLoss(
    energies: DeviceBuffer<Float>, count: Int, margin: Float, losses: DeviceBuffer<Float>,
    gradient: DeviceBuffer<Float>
  ) throws {
    let p = try arguments("marginLoss", [("energies", energies), ("losses", losses), ("gradient", gradient)])
    try launch("margin_loss", file: "losses", global: [count], [p[0], .int(count), .float(margin), p[1], p[2]])
  }
}
