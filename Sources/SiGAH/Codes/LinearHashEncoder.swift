// A linear hash `b = sign(W(x − μ) + c)` (METHOD.md §4) held on a backend with the
// workspace of one block of rows: it encodes rows that are resident on the device, or
// streamed from the host a block at a time, into codes that stay on the device. The
// workspace grows with the calls, up to `largestBlock` rows, so that one encoder serves a
// query at a time and a whole database alike.

import Backend

final class LinearHashEncoder {
  let backend: any Backend
  let bits: Int
  let inputDimension: Int
  /// Rows of the block workspace now; it grows up to `largestBlock`.
  private(set) var blockRows: Int
  let largestBlock: Int
  private let projection: DeviceBuffer<Float>
  private let mean: DeviceBuffer<Float>
  private let offset: DeviceBuffer<Float>
  private var staging: DeviceBuffer<Float>
  private var input: DeviceBuffer<Float>
  private var preActivation: DeviceBuffer<Float>
  private var blockCodes: DeviceBuffer<UInt64>
  /// `0, 1, 2, …`: gathering rows by it copies (and centres) them in order.
  private var identity: DeviceBuffer<Int32>
  /// The codes `encode(_:progress:)` reads back, kept for the next call.
  private var hostCodes: DeviceBuffer<UInt64>?
  /// Byte rows on their way into `staging`.
  private let byteStaging = ByteStaging()

  init(bits: Int, inputDimension: Int, blockRows: Int, largestBlock: Int? = nil, backend: any Backend) throws {
    (self.backend, self.bits, self.inputDimension) = (backend, bits, inputDimension)
    self.blockRows = max(blockRows, 1)
    self.largestBlock = max(largestBlock ?? blockRows, self.blockRows)
    projection = try backend.makeBuffer(Float.self, count: bits * inputDimension)
    mean = try backend.makeBuffer(Float.self, count: inputDimension)
    offset = try backend.makeBuffer(Float.self, count: bits)
    (staging, input, preActivation, blockCodes, identity) = try Self.workspace(
      rows: self.blockRows, bits: bits, inputDimension: inputDimension, backend: backend)
  }

  private static func workspace(rows: Int, bits: Int, inputDimension: Int, backend: any Backend) throws -> (
    DeviceBuffer<Float>, DeviceBuffer<Float>, DeviceBuffer<Float>, DeviceBuffer<UInt64>, DeviceBuffer<Int32>
  ) {
    (
      try backend.makeBuffer(Float.self, count: rows * inputDimension),
      try backend.makeBuffer(Float.self, count: rows * inputDimension),
      try backend.makeBuffer(Float.self, count: rows * bits),
      try backend.makeBuffer(UInt64.self, count: rows * codeWords(bits: bits)),
      try backend.makeBuffer((0..<Int32(rows)).map { $0 })
    )
  }

  /// Blocks of up to `rows` rows (at most `largestBlock`) from now on.
  private func growBlock(to rows: Int) throws {
    let wanted = min(rows, largestBlock)
    guard wanted > blockRows else { return }
    (staging, input, preActivation, blockCodes, identity) = try Self.workspace(
      rows: wanted, bits: bits, inputDimension: inputDimension, backend: backend)
    blockRows = wanted
  }

  /// Uploads the hash function, without waiting.
  func load(_ hash: LinearHash) throws {
    precondition(hash.bits == bits && hash.inputDimension == inputDimension)
    try backend.upload(hash.projection, to: projection)
    try backend.upload(hash.mean, to: mean)
    try backend.upload(hash.offset, to: offset)
  }

  /// Codes of every row of `rows` on the host. The codes come back in one read at the
  /// end, so no block waits for the one before it; `progress` is called with the rows
  /// queued so far.
  func encode(_ rows: EncoderRows, progress: (Int) -> Void) throws -> PackedCodes {
    let words = codeWords(bits: bits)
    let count = max(rows.rows, 1) * words
    if (hostCodes?.count ?? 0) < count { hostCodes = try backend.makeBuffer(UInt64.self, count: count) }
    try encode(rows, resident: nil, into: hostCodes!) { block in progress(block.upperBound) }
    return PackedCodes(count: rows.rows, bits: bits, words: try backend.download(hostCodes!, count: rows.rows * words))
  }

  /// Encodes every row of `rows` into `codes` from code `first` on. `resident` holds the
  /// same rows on the device when they were uploaded; otherwise each block is uploaded.
  /// `afterBlock` is called with each block's rows once its codes are queued.
  func encode(
    _ rows: Matrix, resident: DeviceBuffer<Float>?, into codes: DeviceBuffer<UInt64>, first: Int = 0,
    afterBlock: (Range<Int>) throws -> Void = { _ in }
  ) throws {
    try encode(.floats(rows), resident: resident, into: codes, first: first, afterBlock: afterBlock)
  }

  private func encode(
    _ rows: EncoderRows, resident: DeviceBuffer<Float>?, into codes: DeviceBuffer<UInt64>, first: Int = 0,
    afterBlock: (Range<Int>) throws -> Void = { _ in }
  ) throws {
    precondition(rows.columns == inputDimension)
    try growBlock(to: rows.rows)
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
        try rows.upload(
          block, into: staging, staging: byteStaging, capacity: blockRows * inputDimension, backend: backend)
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
