// A linear hash `b = sign(W(x − μ) + c)` (METHOD.md §4) held on a backend with the
// workspace of one block of rows: it encodes rows that are resident on the device, or
// streamed from the host a block at a time, into codes that stay on the device.

import Backend

final class LinearHashEncoder {
  let backend: any Backend
  let bits: Int
  let inputDimension: Int
  let blockRows: Int
  private let projection: DeviceBuffer<Float>
  private let mean: DeviceBuffer<Float>
  private let offset: DeviceBuffer<Float>
  private let staging: DeviceBuffer<Float>
  private let input: DeviceBuffer<Float>
  private let preActivation: DeviceBuffer<Float>
  private let blockCodes: DeviceBuffer<UInt64>
  /// `0, 1, 2, …`: gathering rows by it copies (and centres) them in order.
  private var identity: DeviceBuffer<Int32>

  init(bits: Int, inputDimension: Int, blockRows: Int, backend: any Backend) throws {
    (self.backend, self.bits, self.inputDimension, self.blockRows) = (backend, bits, inputDimension, blockRows)
    projection = try backend.makeBuffer(Float.self, count: bits * inputDimension)
    mean = try backend.makeBuffer(Float.self, count: inputDimension)
    offset = try backend.makeBuffer(Float.self, count: bits)
    staging = try backend.makeBuffer(Float.self, count: blockRows * inputDimension)
    input = try backend.makeBuffer(Float.self, count: blockRows * inputDimension)
    preActivation = try backend.makeBuffer(Float.self, count: blockRows * bits)
    blockCodes = try backend.makeBuffer(UInt64.self, count: blockRows * codeWords(bits: bits))
    identity = try backend.makeBuffer((0..<Int32(blockRows)).map { $0 })
  }

  /// Uploads the hash function, without waiting.
  func load(_ hash: LinearHash) throws {
    precondition(hash.bits == bits && hash.inputDimension == inputDimension)
    try backend.upload(hash.projection, to: projection)
    try backend.upload(hash.mean, to: mean)
    try backend.upload(hash.offset, to: offset)
  }

  /// Encodes every row of `rows` into `codes` from code `first` on. `resident` holds the
  /// same rows on the device when they were uploaded; otherwise each block is uploaded.
  /// `afterBlock` is called with each block's rows once its codes are queued.
  func encode(
    _ rows: Matrix, resident: DeviceBuffer<Float>?, into codes: DeviceBuffer<UInt64>, first: Int = 0,
    afterBlock: (Range<Int>) throws -> Void = { _ in }
  ) throws {
    precondition(rows.columns == inputDimension)
    let words = codeWords(bits: bits)
    if resident != nil && identity.count < rows.rows {
      identity = try backend.makeBuffer((0..<Int32(rows.rows)).map { $0 })
    }
    for block in rows.rowBlocks(blockRows) {
      let n = block.count
      if let resident {
        try backend.gatherRows(
          resident, sourceRows: rows.rows, indices: identity, first: block.lowerBound, rows: n, columns: inputDimension,
          subtracting: mean, into: input)
      } else {
        try backend.upload(rows.slice(ofRows: block), to: staging)
        try backend.gatherRows(
          staging, sourceRows: n, indices: identity, first: 0, rows: n, columns: inputDimension, subtracting: mean,
          into: input)
      }
      // The offset in the product's epilogue: the same sum, acc + c, in one launch.
      try backend.gemm(
        input, transposeA: false, projection, transposeB: true, into: preActivation, m: n, n: bits,
        k: inputDimension, alpha: 1, beta: 0, epilogue: .biasActivation(bias: offset, .identity))
      try backend.signPack(preActivation, rows: n, bits: bits, into: blockCodes)
      try backend.copy(
        blockCodes, sourceOffset: 0, to: codes, destinationOffset: (first + block.lowerBound) * words, count: n * words)
      try afterBlock(block)
    }
  }
}
