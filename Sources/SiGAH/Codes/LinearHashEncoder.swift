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
  /// Wᵀ, `inputDimension × bits`: the layout the encoding kernel reads.
  private let transposedProjection: DeviceBuffer<Float>
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
  /// Rows streamed from the host: into `staging` and a spare in turn.
  private let uploads: BlockUploads

  init(bits: Int, inputDimension: Int, blockRows: Int, largestBlock: Int? = nil, backend: any Backend) throws {
    (self.backend, self.bits, self.inputDimension) = (backend, bits, inputDimension)
    self.blockRows = max(blockRows, 1)
    self.largestBlock = max(largestBlock ?? blockRows, self.blockRows)
    transposedProjection = try backend.makeBuffer(Float.self, count: inputDimension * bits)
    mean = try backend.makeBuffer(Float.self, count: inputDimension)
    offset = try backend.makeBuffer(Float.self, count: bits)
    uploads = BlockUploads(backend: backend)
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
    try backend.upload(
      LinearAlgebra.transpose(hash.projection, rows: bits, columns: inputDimension), to: transposedProjection)
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
    if resident != nil && identity.count < rows.rows {
      identity = try backend.makeBuffer((0..<Int32(rows.rows)).map { $0 })
    }
    let workspace = SignProjectionWorkspace(
      rows: blockRows, centred: input, projections: preActivation, codes: blockCodes, identity: identity)
    // Centring, product, offset, signs and packing: one kernel on OpenCL.
    func encodeBlock(_ block: Range<Int>, from source: DeviceBuffer<Float>, firstRow: Int) throws {
      try backend.projectSignPack(
        source, firstRow: firstRow, rows: block.count, columns: inputDimension, subtracting: mean,
        transposedProjection: transposedProjection, offset: offset, bits: bits, into: codes,
        firstCode: first + block.lowerBound, workspace: workspace)
      try afterBlock(block)
    }
    if let resident {
      for block in rows.rowBlocks(blockRows) { try encodeBlock(block, from: resident, firstRow: block.lowerBound) }
    } else {
      try uploads.stream(rows, blockRows: blockRows, first: staging) { try encodeBlock($0, from: $1, firstRow: 0) }
    }
  }
}
