// HashGAN's independent-bits term on a layer's weight W (K × h, one row a bit; METHOD.md
// §7): `L = w·‖WWᵀ − I‖²_F`, `∂L/∂W = 4w·(WWᵀ − I)·W`, added to the weight's gradient.

import Backend

public final class Orthogonality {
  let backend: any Backend
  let product: DeviceBuffer<Float>
  let identity: DeviceBuffer<Float>
  public let rows: Int

  public init(rows: Int, backend: any Backend) throws {
    self.backend = backend
    self.rows = rows
    product = try backend.makeBuffer(Float.self, count: rows * rows)
    var eye = [Float](repeating: 0, count: rows * rows)
    for i in 0..<rows { eye[i * rows + i] = 1 }
    identity = try backend.makeBuffer(eye)
  }

  /// Adds `L` times `batchRows` to `slot` and `∂L/∂W` to `weight.gradient` (which the
  /// layer's backward pass has written first).
  public func apply(_ weight: Tensor, weight w: Float, batchRows: Int, slot: LossSlot) throws {
    let (k, h) = (weight.shape[0], weight.shape[1])
    precondition(k == rows)
    try backend.gemm(
      weight.value, transposeA: false, weight.value, transposeB: true, into: product, m: k, n: k, k: h, alpha: 1,
      beta: 0)
    try backend.linearCombination(alpha: 1, product, beta: -1, identity, into: product, count: k * k)
    try slot.add(product, count: k * k, .sumOfSquares, scale: w * Float(batchRows))
    try backend.gemm(
      product, transposeA: false, weight.value, transposeB: false, into: weight.gradient, m: k, n: h, k: k,
      alpha: 4 * w, beta: 1)
  }
}
