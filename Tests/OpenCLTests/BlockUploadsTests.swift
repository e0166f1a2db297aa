// Rows streamed into an encoder through two buffers (Sources/SiGAH/Codes/BlockUploads.swift):
// with the side queue on, each next block is uploaded as side work while the block before
// it is encoded, and the codes are bit for bit those of the plain order, for Float and
// byte rows, through a linear hash and an MLP hash with its skip, still read once.

import Backend
import OpenCL
import Testing

@testable import SiGAH

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct BlockUploadsTests {
  static let (rows, dimension, bits, block) = (640, 24, 64, 64)

  static func rows(bytes: Bool) -> EncoderRows {
    var generator = SeededGenerator(seed: 31)
    let values = (0..<(rows * dimension)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    let matrix = ByteMatrix(rows: rows, columns: dimension, values: values)
    return bytes ? .bytes(matrix) : .floats(matrix.floats)
  }

  /// The codes of `encode` on PoCL with the side queue off and on: equal, the second with
  /// one side span for each block after the first and the one read of the codes.
  static func expectTheSameCodesBeside(_ encode: (any Backend) throws -> PackedCodes) throws {
    let inOrder = try SideQueueTests.backend(sideQueue: false)
    let beside = try SideQueueTests.backend(sideQueue: true)
    let expected = try encode(inOrder)
    let before = beside.counts
    let codes = try encode(beside)
    #expect(codes == expected)
    #expect(beside.sideSpans == rows / block - 1)
    #expect((beside.counts - before).blockingWaits == 1)
    #expect(inOrder.sideSpans == 0)
  }

  @Test(arguments: [false, true])
  func aLinearHashCodesAsInOrder(bytes: Bool) throws {
    var generator = SeededGenerator(seed: 32)
    let hash = LinearHash(
      mean: [Float](repeating: 100, count: Self.dimension),
      projection: generator.gaussians(count: Self.bits * Self.dimension),
      offset: [Float](repeating: 0, count: Self.bits), bits: Self.bits)
    try Self.expectTheSameCodesBeside { backend in
      let encoder = try LinearHashEncoder(
        bits: Self.bits, inputDimension: Self.dimension, blockRows: Self.block, backend: backend)
      try encoder.load(hash)
      return try encoder.encode(Self.rows(bytes: bytes)) { _ in }
    }
  }

  @Test(arguments: [false, true])
  func anMLPHashWithItsSkipCodesAsInOrder(bytes: Bool) throws {
    let hash = EncodingCountsTests.twoLayerHash(seed: 33, mean: 100, inputScale: 50, skip: true)
    try Self.expectTheSameCodesBeside { backend in
      try MLPHashEncoder(hash, blockRows: Self.block, backend: backend).encode(Self.rows(bytes: bytes)) { _ in }
    }
  }
}
