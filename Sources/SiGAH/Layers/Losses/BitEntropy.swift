// The two entropy terms of HashGAN's hashing loss (METHOD.md §7), on the logits z of bit
// probabilities t = σ(z):
// - minimum entropy, `L = (w/n)·Σ_ik H(t_ik)` with `H(σ(z)) = softplus(z) − z·σ(z)` and
//   `∂H/∂z = −z·σ(z)(1 − σ(z))`: pushes every bit of every item towards 0 or 1;
// - uniform frequency, `L = w·Σ_k −H(f_k)` with `f_k = (1/n)·Σ_i t_ik` and
//   `∂L/∂z_ik = (w/n)·log(f_k/(1 − f_k))·σ'(z_ik)`: pushes each bit to fire for half the items.

import Backend

public final class BitEntropy: BatchWide {
  let backend: any Backend
  let probabilities: DeviceBuffer<Float>
  let scratch: DeviceBuffer<Float>
  let frequency: DeviceBuffer<Float>, complement: DeviceBuffer<Float>
  let logFrequency: DeviceBuffer<Float>, logComplement: DeviceBuffer<Float>
  let ones: DeviceBuffer<Float>
  public let capacity: Int
  public let bits: Int
  /// In a data-parallel run, the frequencies are the whole batch's (METHOD.md §12).
  var share: ShareStep?

  public init(capacity rows: Int, bits: Int, backend: any Backend) throws {
    self.backend = backend
    self.capacity = rows
    self.bits = bits
    probabilities = try backend.makeBuffer(Float.self, count: rows * bits)
    scratch = try backend.makeBuffer(Float.self, count: rows * bits)
    (frequency, complement) = (
      try backend.makeBuffer(Float.self, count: bits), try backend.makeBuffer(Float.self, count: bits)
    )
    (logFrequency, logComplement) = (
      try backend.makeBuffer(Float.self, count: bits), try backend.makeBuffer(Float.self, count: bits)
    )
    ones = try backend.makeBuffer([Float](repeating: 1, count: bits))
  }

  /// The minimum-entropy term.
  public func minimumEntropy(
    logits z: DeviceBuffer<Float>, rows n: Int, weight: Float, slot: LossSlot, gradient: DeviceBuffer<Float>?,
    beta: Float = 0
  ) throws {
    let count = n * bits
    precondition(n <= capacity)
    try backend.map(.softplus, z, into: scratch, count: count)
    try slot.add(scratch, count: count, scale: weight)
    try backend.activate(.sigmoid, z, into: probabilities, count: count)
    try backend.multiply(z, probabilities, into: scratch, count: count)
    try slot.add(scratch, count: count, scale: -weight)
    guard let gradient else { return }
    try backend.activationBackward(.sigmoid, output: probabilities, outputGradient: z, into: scratch, count: count)
    try backend.addGradient(scratch, scale: -weight / Float(n), into: gradient, beta: beta, count: count)
  }

  /// The uniform-frequency term over the batch.
  public func uniformFrequency(
    logits z: DeviceBuffer<Float>, rows n: Int, weight: Float, slot: LossSlot, gradient: DeviceBuffer<Float>?,
    beta: Float = 0
  ) throws {
    let count = n * bits
    precondition(n <= capacity)
    try backend.activate(.sigmoid, z, into: probabilities, count: count)
    try backend.sumColumns(probabilities, rows: n, columns: bits, into: frequency)
    try totalOverBatch(frequency, count: bits, backend: backend)
    try backend.linearCombination(
      alpha: 1 / Float(batchRows(n)), frequency, beta: 0, frequency, into: frequency, count: bits)
    try backend.linearCombination(alpha: -1, frequency, beta: 1, ones, into: complement, count: bits)
    try backend.map(.log, frequency, into: logFrequency, count: bits)
    try backend.map(.log, complement, into: logComplement, count: bits)
    // The batch's value counts once per row, as the per-item terms do.
    try backend.multiply(frequency, logFrequency, into: scratch, count: bits)
    try slot.add(scratch, count: bits, scale: weight * Float(n))
    try backend.multiply(complement, logComplement, into: scratch, count: bits)
    try slot.add(scratch, count: bits, scale: weight * Float(n))
    guard let gradient else { return }
    try backend.linearCombination(
      alpha: weight / Float(n), logFrequency, beta: -weight / Float(n), logComplement, into: logFrequency, count: bits)
    try backend.fill(scratch, value: 0, count: count)
    try backend.addRowVector(logFrequency, to: scratch, rows: n, columns: bits)
    try backend.activationBackward(
      .sigmoid, output: probabilities, outputGradient: scratch, into: scratch, count: count)
    try backend.addGradient(scratch, scale: 1, into: gradient, beta: beta, count: count)
  }
}
