// Feature matching (Salimans et al. 2016; METHOD.md §7): `L = w·‖mean_i F(x_i) −
// mean_j F(x̂_j)‖²` between a real and a synthetic batch of features, differentiated with
// respect to the synthetic one: `∂L/∂F(x̂_j) = (2w/n̂)(μ̂ − μ)`.

import Backend

public final class FeatureMatching: BatchWide {
  let backend: any Backend
  let realMean: DeviceBuffer<Float>, fakeMean: DeviceBuffer<Float>
  public let features: Int
  /// In a data-parallel run, the means are the whole batch's (METHOD.md §12).
  var share: ShareStep?

  public init(features: Int, backend: any Backend) throws {
    self.backend = backend
    self.features = features
    realMean = try backend.makeBuffer(Float.self, count: features)
    fakeMean = try backend.makeBuffer(Float.self, count: features)
  }

  public func apply(
    real: DeviceBuffer<Float>, realRows: Int, fake: DeviceBuffer<Float>, fakeRows: Int, weight: Float,
    slot: LossSlot, fakeGradient: DeviceBuffer<Float>, beta: Float = 0
  ) throws {
    let f = features
    try backend.sumColumns(real, rows: realRows, columns: f, into: realMean)
    try backend.sumColumns(fake, rows: fakeRows, columns: f, into: fakeMean)
    try totalOverBatch(realMean, count: f, backend: backend)
    try totalOverBatch(fakeMean, count: f, backend: backend)
    try backend.linearCombination(
      alpha: 1 / Float(batchRows(fakeRows)), fakeMean, beta: -1 / Float(batchRows(realRows)), realMean, into: fakeMean,
      count: f)
    try slot.add(fakeMean, count: f, .sumOfSquares, scale: weight * Float(fakeRows))
    try backend.linearCombination(
      alpha: 2 * weight / Float(fakeRows), fakeMean, beta: 0, fakeMean, into: fakeMean, count: f)
    if beta == 0 { try backend.fill(fakeGradient, value: 0, count: fakeRows * f) }
    try backend.addRowVector(fakeMean, to: fakeGradient, rows: fakeRows, columns: f)
  }
}
