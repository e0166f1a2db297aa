// The hash function shared by SiGAH's hash layer and the linear baselines (LSH, PCAH,
// ITQ): `b = sign(W(x − μ) + c)`, packed as SPEC §4.

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
  /// `progress` is called with the rows done so far.
  public func encode(
    _ data: Matrix, backend: any Backend, batchSize: Int = 4096,
    progress: (Int) -> Void = { _ in }
  ) throws -> PackedCodes {
    guard data.columns == inputDimension else {
      throw BackendError.invalidArgument(
        operation: "encode",
        message: "the model expects vectors of dimension \(inputDimension), the data has \(data.columns)")
    }
    let batch = max(1, min(batchSize, data.rows))
    let words = codeWords(bits: bits)
    let input = try backend.makeBuffer(Float.self, count: batch * inputDimension)
    let preActivation = try backend.makeBuffer(Float.self, count: batch * bits)
    let codes = try backend.makeBuffer(UInt64.self, count: batch * words)
    let negatedMean = try backend.makeBuffer(mean.map { -$0 })
    let w = try backend.makeBuffer(projection)
    let c = try backend.makeBuffer(offset)
    var out: [UInt64] = []
    out.reserveCapacity(data.rows * words)
    for block in data.rowBlocks(batch) {
      let n = block.count
      try backend.upload(data.values(ofRows: block), to: input)
      try backend.addRowVector(negatedMean, to: input, rows: n, columns: inputDimension)
      try backend.gemm(
        input, transposeA: false, w, transposeB: true, into: preActivation, m: n, n: bits,
        k: inputDimension, alpha: 1, beta: 0)
      try backend.addRowVector(c, to: preActivation, rows: n, columns: bits)
      try backend.signPack(preActivation, rows: n, bits: bits, into: codes)
      out += try backend.download(codes, count: n * words)
      progress(block.upperBound)
    }
    return PackedCodes(count: data.rows, bits: bits, words: out)
  }
}
