// Binary cross-entropy on logits (METHOD.md §7): `L = (w/n)·Σ [softplus(z) − t·z]`, the
// negative log-likelihood of targets t under `σ(z)`, with `∂L/∂z = (w/n)(σ(z) − t)`;
// computed from softplus, so large logits neither overflow nor lose the gradient.

import Backend

public final class BinaryCrossEntropy {
  let backend: any Backend
  /// The per-element form's workspace (the one-target form is one fused pass).
  let scratch: DeviceBuffer<Float>
  public let capacity: Int

  public init(capacity: Int, backend: any Backend) throws {
    self.backend = backend
    self.capacity = capacity
    scratch = try backend.makeBuffer(Float.self, count: capacity)
  }

  /// Against one target for every element (1 = real, 0 = synthetic for a discriminator).
  /// One fused pass (`binaryCrossEntropy`); the logits may start at `logitsOffset` and the
  /// gradient at `gradientOffset` of their buffers (a discriminator's real or fake half).
  public func apply(
    logits: DeviceBuffer<Float>, logitsOffset: Int = 0, target: Float, rows n: Int, columns: Int = 1, weight: Float,
    slot: LossSlot, gradient: DeviceBuffer<Float>?, gradientOffset: Int = 0, beta: Float = 0
  ) throws {
    try backend.binaryCrossEntropy(
      logits, offset: logitsOffset, count: n * columns, target: target, lossScale: weight,
      accumulator: slot.accumulator?.sums, index: slot.index, gradient: gradient, gradientOffset: gradientOffset,
      gradientScale: weight / Float(n), beta: beta)
  }

  /// Against a target per element.
  public func apply(
    logits: DeviceBuffer<Float>, targets: DeviceBuffer<Float>, rows n: Int, columns: Int = 1, weight: Float,
    slot: LossSlot, gradient: DeviceBuffer<Float>?, beta: Float = 0
  ) throws {
    let count = n * columns
    precondition(count <= capacity)
    try backend.map(.softplus, logits, into: scratch, count: count)
    try slot.add(scratch, count: count, scale: weight)
    try backend.multiply(targets, logits, into: scratch, count: count)
    try slot.add(scratch, count: count, scale: -weight)
    guard let gradient else { return }
    try backend.activate(.sigmoid, logits, into: scratch, count: count)
    try backend.linearCombination(alpha: 1, scratch, beta: -1, targets, into: scratch, count: count)
    try backend.addGradient(scratch, scale: weight / Float(n), into: gradient, beta: beta, count: count)
  }
}
