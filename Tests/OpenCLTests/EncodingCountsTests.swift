// Encoding from host memory on OpenCL: however many blocks, the codes come back in one
// read at the end, so no block waits for the one before it; a linear hash codes a block in
// one launch; the same codes as the CPU's.

import Backend
import OpenCL
import Testing

@testable import SiGAH

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct EncodingCountsTests {
  static let (rows, dimension, bits, block) = (640, 24, 64, 64)

  static func data() -> Matrix {
    var generator = SeededGenerator(seed: 17)
    return Matrix(rows: rows, columns: dimension, values: generator.gaussians(count: rows * dimension))
  }

  static func expectOneRead(launchesPerBlock: Int? = nil, _ encode: (any Backend) throws -> PackedCodes) throws {
    let backend = try OpenCLUnderTest.backend()
    let before = backend.counts
    let codes = try encode(backend)
    let spent = backend.counts - before
    #expect(spent.blockingWaits == 1, "\(spent)")
    if let launchesPerBlock { #expect(spent.launches == launchesPerBlock * rows / block, "\(spent)") }
    #expect(spent.deviceToHostBytes == rows * 8, "\(spent)")
    let cpu = try encode(try CPUBackend())
    let differing = zip(codes.words, cpu.words).map { ($0 ^ $1).nonzeroBitCount }.reduce(0, +)
    // A bit whose projection rounds to the other side of 0 may differ: at most a few.
    #expect(differing <= rows * bits / 1000, "\(differing) bits differ from the CPU's")
  }

  @Test func aLinearHashReadsItsCodesOnce() throws {
    var generator = SeededGenerator(seed: 18)
    let hash = LinearHash(
      mean: [Float](repeating: 0.1, count: Self.dimension),
      projection: generator.gaussians(count: Self.bits * Self.dimension),
      offset: [Float](repeating: 0, count: Self.bits), bits: Self.bits)
    // Centring, product, signs and packing in one kernel a block.
    try Self.expectOneRead(launchesPerBlock: 1) { try hash.encode(Self.data(), backend: $0, batchSize: Self.block) }
  }

  /// A `dimension → 32 (ReLU) → bits` hash of seeded weights, every input centred by
  /// `mean` and divided by `inputScale`; with `skip`, SiGAH-DM's hash layer beside its
  /// ranking residual.
  static func twoLayerHash(seed: UInt64, mean: Float, inputScale: Float, skip: Bool) -> MLPHash {
    var generator = SeededGenerator(seed: seed)
    let layers = [
      MLPHash.Layer(
        weight: generator.gaussians(count: 32 * dimension), bias: [Float](repeating: 0, count: 32),
        inputs: dimension, outputs: 32, activation: .relu),
      MLPHash.Layer(
        weight: generator.gaussians(count: bits * 32), bias: [Float](repeating: 0, count: bits), inputs: 32,
        outputs: bits, activation: .identity),
    ]
    var hash = MLPHash(mean: [Float](repeating: mean, count: dimension), inputScale: inputScale, layers: layers)
    if skip { hash.skip = generator.gaussians(count: bits * dimension) }
    return hash
  }

  /// With a skip too: SiGAH-DM's hash layer beside its ranking residual.
  @Test(arguments: [false, true])
  func anMLPHashReadsItsCodesOnce(withSkip: Bool) throws {
    let hash = Self.twoLayerHash(seed: 19, mean: 0, inputScale: 1, skip: withSkip)
    // Centring, the hidden layer, the skip's product, then the last layer, the signs and
    // the packing in one kernel that writes the block's codes in place.
    try Self.expectOneRead(launchesPerBlock: withSkip ? 4 : 3) {
      try hash.encode(Self.data(), backend: $0, batchSize: Self.block)
    }
  }

  /// One layer, whose input is the centred rows; a last layer with an activation, which
  /// takes the general path (forward, skip, signs, a copy into place).
  @Test(arguments: [(1, Activation.identity), (2, .tanh)])
  func anMLPHashOfAnyLastLayerCodesAsTheCPU(layerCount: Int, last: Activation) throws {
    var generator = SeededGenerator(seed: 20)
    var layers: [MLPHash.Layer] = []
    var inputs = Self.dimension
    for index in 0..<layerCount {
      let outputs = index == layerCount - 1 ? Self.bits : 32
      layers.append(
        MLPHash.Layer(
          weight: generator.gaussians(count: outputs * inputs), bias: generator.gaussians(count: outputs),
          inputs: inputs, outputs: outputs, activation: index == layerCount - 1 ? last : .relu))
      inputs = outputs
    }
    var hash = MLPHash(mean: [Float](repeating: 0.2, count: Self.dimension), inputScale: 2, layers: layers)
    hash.skip = generator.gaussians(count: Self.bits * Self.dimension)
    try Self.expectOneRead { try hash.encode(Self.data(), backend: $0, batchSize: Self.block) }
  }
}

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct KeptEncoderCountsTests {
  /// A query at a time through a kept encoder: each call uploads its row and reads its
  /// code, once, and nothing of the model; the codes are the one-shot encoding's.
  @Test func aQueryAtATimeMovesOnlyItsRowAndCode() throws {
    var generator = SeededGenerator(seed: 21)
    let (dimension, bits) = (EncodingCountsTests.dimension, EncodingCountsTests.bits)
    let model = HashModel.linear(
      LinearHash(
        mean: generator.gaussians(count: dimension), projection: generator.gaussians(count: bits * dimension),
        offset: [Float](repeating: 0, count: bits), bits: bits), method: .itq)
    let backend = try OpenCLUnderTest.backend()
    let encoder = try ModelEncoder(model, backend: backend)
    let data = EncodingCountsTests.data()
    let oneShot = try model.encode(data, backend: backend)
    for row in 0..<8 {
      let before = backend.counts
      let codes = try encoder.encode(data.rows([row]))
      let spent = backend.counts - before
      #expect(row == 0 || spent.hostToDeviceBytes == dimension * 4, "\(spent)")
      #expect(spent.blockingWaits == 1 && spent.deviceToHostBytes == 8, "\(spent)")
      #expect(codes.words == [oneShot.words[row]])
    }
  }

  /// Byte rows on the device: a quarter of the upload, the codes of their Float values.
  @Test func byteRowsUploadAsBytes() throws {
    var generator = SeededGenerator(seed: 22)
    let (rows, dimension, bits) = (EncodingCountsTests.rows, EncodingCountsTests.dimension, EncodingCountsTests.bits)
    let model = HashModel.linear(
      LinearHash(
        mean: [Float](repeating: 127.5, count: dimension),
        projection: generator.gaussians(count: bits * dimension), offset: [Float](repeating: 0, count: bits),
        bits: bits), method: .itq)
    let bytes = ByteMatrix(
      rows: rows, columns: dimension,
      values: (0..<(rows * dimension)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
    let backend = try OpenCLUnderTest.backend()
    let encoder = try ModelEncoder(model, backend: backend)
    let fromFloats = try encoder.encode(bytes.floats)
    // The first byte rows upload the table of the values they stand for, once.
    _ = try encoder.encode(
      bytes: ByteMatrix(rows: 1, columns: dimension, values: .init(repeating: 0, count: dimension)))
    let before = backend.counts
    let fromBytes = try encoder.encode(bytes: bytes)
    #expect((backend.counts - before).hostToDeviceBytes == rows * dimension)
    #expect(fromBytes.words == fromFloats.words)
  }
}
