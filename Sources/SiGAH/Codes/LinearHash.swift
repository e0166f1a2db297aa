// The hash function shared by SiGAH's hash layer and the linear baselines (LSH, PCAH,
// ITQ): `b = sign(W(x − μ) + c)`, packed as METHOD.md §4.

import Backend

public struct LinearHash: Sendable, Equatable {
  /// Training mean `μ`, `d` values.
  public var mean: [Float]
  /// Projection `W`, `r × d` row-major.
  public var projection: [Float]
  /// Offset `c`, `r` values.
  public var offset: [Float]
  public let bits: Int
  public let inputDimension: Int

  public init(mean: [Float], projection: [Float], offset: [Float], bits: Int) {
    precondition(projection.count == bits * mean.count && offset.count == bits)
    self.mean = mean
    self.projection = projection
    self.offset = offset
    self.bits = bits
    self.inputDimension = mean.count
  }

  /// Codes of every row of `data`, computed `batchSize` rows at a time on `backend`.
  /// `progress` is called with the rows queued so far (on a device, at most the staging
  /// area's 32 MB of uploads ahead of the rows done). The codes come back in one read at
  /// the end, so no block waits for the one before it.
  public func encode(
    _ data: Matrix, backend: any Backend, batchSize: Int = 4096,
    progress: (Int) -> Void = { _ in }
  ) throws -> PackedCodes {
    try data.requireDimension(inputDimension)
    let encoder = try LinearHashEncoder(
      bits: bits, inputDimension: inputDimension, blockRows: min(batchSize, data.rows), backend: backend)
    try encoder.load(self)
    return try encoder.encode(.floats(data), progress: progress)
  }
}
