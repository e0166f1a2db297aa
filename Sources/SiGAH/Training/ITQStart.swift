// SiGAH-DM's start (METHOD.md §3b.1): the hash layer begins as ITQ's projection, each bit
// scaled so its pre-activation on the training data has about unit standard deviation.
// The scale is the power of two nearest 1/std: multiplying by a power of two is exact in
// floating point, so every dot product is exactly scaled, no sign can flip, and the
// epoch-0 codes are ITQ's codes bit for bit. (An exact 1/std would round the weights and
// could flip the sign of a dot product near 0.) The bias is 0: the model centres its input.

import Backend
import Foundation

public enum ITQStart {
  /// `W` (`r × d`) for the hash layer, from ITQ fitted with `seed` on `data` (one share of
  /// the rows with `reduction`, its sums over every share).
  public static func projection(
    _ data: Matrix, bits: Int, seed: UInt64, backend: any Backend, reduction: ShardReduction = .local
  ) throws -> [Float] {
    let backend = try HostFallback.backend(for: data, preferring: backend)
    let itq = try LinearBaselines.itq(data, bits: bits, seed: seed, backend: backend, reduction: reduction)
    let centred = try PCA.centre(data, mean: itq.mean, backend: backend)
    let scales = try unitSpreadScales(
      itq.projection, bits: bits, centred: centred, rows: data.rows, backend: backend, reduction: reduction)
    var projection = itq.projection
    for bit in 0..<bits {
      for j in 0..<data.columns { projection[bit * data.columns + j] *= scales[bit] }
    }
    return projection
  }

  /// Per bit, the power of two nearest `1/std` of the bit's projection `W x̃` over the
  /// `rows` centred vectors in `centred`: multiplying a row of `W` (and its offset) by it
  /// changes no sign, and leaves the pre-activations about unit spread.
  static func unitSpreadScales(
    _ projection: [Float], bits: Int, centred: DeviceBuffer<Float>, rows n: Int, backend: any Backend,
    reduction: ShardReduction = .local
  ) throws -> [Float] {
    let d = projection.count / bits
    let preActivation = try backend.makeBuffer(Float.self, count: n * bits)
    try backend.gemm(
      centred, transposeA: false, try backend.makeBuffer(projection), transposeB: true, into: preActivation, m: n,
      n: bits, k: d, alpha: 1, beta: 0)
    let variances = reduction.columnMoments(try backend.download(preActivation), rows: n, columns: bits).variances
    return variances.map { variance in
      let std = max(variance.squareRoot(), 1e-12)
      return Float(exp2((-log2(std)).rounded()))
    }
  }
}
