// GMANs' variance loss L_V (METHOD.md §7): the codes H (n × K) as spread as a batch of
// sampled binary codes B, `Var(H) = tr(HᵀH) = ‖H‖²`. Normalised by the batch's size so that
// the weight means the same at every n and K: `L = w·e²`, `e = (‖B‖² − ‖H‖²)/(nK)`,
// `∂L/∂H = −(4w·e/(nK))·H`.

import Backend

public final class VarianceMatching: BatchWide {
  let backend: any Backend
  let scalars: DeviceBuffer<Float>
  let scratch: DeviceBuffer<Float>
  public let capacity: Int
  /// In a data-parallel run, the sums of squares are the whole batch's (METHOD.md §12).
  var share: ShareStep?

  public init(capacity: Int, backend: any Backend) throws {
    self.backend = backend
    self.capacity = capacity
    scalars = try backend.makeBuffer(Float.self, count: 1)
    scratch = try backend.makeBuffer(Float.self, count: capacity)
  }

  public func apply(
    codes h: DeviceBuffer<Float>, sampled b: DeviceBuffer<Float>, rows n: Int, bits: Int, weight: Float,
    slot: LossSlot, gradient: DeviceBuffer<Float>?, beta: Float = 0
  ) throws {
    let count = n * bits
    precondition(count <= capacity)
    try backend.reduceRows(h, rows: 1, columns: count, .sumOfSquares, into: scratch)
    try backend.reduceRows(b, rows: 1, columns: count, .sumOfSquares, into: scalars)
    try totalOverBatch(scratch, count: 1, backend: backend)
    try totalOverBatch(scalars, count: 1, backend: backend)
    // ‖H‖² in scratch[0], ‖B‖² then e in scalars[0].
    let batchCount = Float(batchRows(n) * bits)
    try backend.linearCombination(
      alpha: 1 / batchCount, scalars, beta: -1 / batchCount, scratch, into: scalars, count: 1)
    try slot.add(scalars, count: 1, .sumOfSquares, scale: weight * Float(n))
    guard let gradient else { return }
    try backend.linearCombination(
      alpha: -4 * weight / Float(count), scalars, beta: 0, scalars, into: scalars, count: 1)
    try backend.copy(h, sourceOffset: 0, to: scratch, destinationOffset: 0, count: count)
    try backend.scaleRows(scratch, by: scalars, rows: 1, columns: count)
    try backend.addGradient(scratch, scale: 1, into: gradient, beta: beta, count: count)
  }
}
