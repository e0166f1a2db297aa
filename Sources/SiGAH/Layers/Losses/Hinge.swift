// The hinge loss of a linear SVM per output (METHOD.md §7): for scores s and labels
// y ∈ {−1, +1}, `L = (w/n)·Σ max(0, 1 − y·s)`, `∂L/∂s = −(w/n)·y·[y·s < 1]`.

import Backend

public final class Hinge {
  let backend: any Backend
  let margins: DeviceBuffer<Float>, losses: DeviceBuffer<Float>, slopes: DeviceBuffer<Float>
  public let capacity: Int

  public init(capacity: Int, backend: any Backend) throws {
    self.backend = backend
    self.capacity = capacity
    margins = try backend.makeBuffer(Float.self, count: capacity)
    losses = try backend.makeBuffer(Float.self, count: capacity)
    slopes = try backend.makeBuffer(Float.self, count: capacity)
  }

  public func apply(
    scores: DeviceBuffer<Float>, labels: DeviceBuffer<Float>, rows n: Int, columns: Int, weight: Float,
    slot: LossSlot, gradient: DeviceBuffer<Float>?, beta: Float = 0
  ) throws {
    let count = n * columns
    precondition(count <= capacity)
    try backend.multiply(labels, scores, into: margins, count: count)
    try backend.marginLoss(energies: margins, count: count, margin: 1, losses: losses, gradient: slopes)
    try slot.add(losses, count: count, scale: weight)
    guard let gradient else { return }
    try backend.multiply(labels, slopes, into: slopes, count: count)
    try backend.addGradient(slopes, scale: weight / Float(n), into: gradient, beta: beta, count: count)
  }
}
