// The ℓ2 energy between two batches (METHOD.md §7): `L = (w/n)·Σ_i ‖a_i − b_i‖²`, with
// `∂L/∂a = (2w/n)(a − b) = −∂L/∂b`.

import Backend

public final class SquaredError {
  let backend: any Backend
  let difference: DeviceBuffer<Float>
  public let capacity: Int

  public init(capacity: Int, backend: any Backend) throws {
    self.backend = backend
    self.capacity = capacity
    difference = try backend.makeBuffer(Float.self, count: capacity)
  }

  /// Adds `L·n` to `slot`; writes `∂L/∂a` into `gradientA` and `∂L/∂b` into `gradientB`
  /// when given (over their contents with `beta` 0, added with 1).
  public func apply(
    _ a: DeviceBuffer<Float>, _ b: DeviceBuffer<Float>, rows n: Int, columns: Int, weight: Float, slot: LossSlot,
    gradientA: DeviceBuffer<Float>?, gradientB: DeviceBuffer<Float>? = nil, beta: Float = 0
  ) throws {
    let count = n * columns
    precondition(count <= capacity)
    try backend.linearCombination(alpha: 1, a, beta: -1, b, into: difference, count: count)
    try slot.add(difference, count: count, .sumOfSquares, scale: weight)
    let scale = 2 * weight / Float(n)
    if let gradientA { try backend.addGradient(difference, scale: scale, into: gradientA, beta: beta, count: count) }
    if let gradientB { try backend.addGradient(difference, scale: -scale, into: gradientB, beta: beta, count: count) }
  }
}
