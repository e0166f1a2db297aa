// HashGAN, GMANs, SGH and BA on real data and through their model files: each beats LSH
// on MNIST t10k at 32 bits after a short training (METHOD.md §5 protocol, the split of
// MNISTAccuracyTests); deep models survive a write and read bit for bit.

import Backend
import Foundation
import Testing

@testable import SiGAH

@Suite(.serialized) struct GenerativeMethodsTests {
  @Test(arguments: [(HashMethod.sgh, 5), (.ba, 10), (.hashgan, 3), (.gmans, 2)])
  func beatsLSHOnMNISTAt32Bits(method: HashMethod, epochs: Int) throws {
    let (split, truth) = try MNISTAccuracyTests.setup.get()
    var settings = ExperimentSettings()
    settings.methods = [.lsh, method]
    settings.bits = [32]
    settings.training.epochs = epochs
    settings.generative.gmans.pretrainEpochs = 2
    settings.evaluation.recallTargets = []
    let rows = try Experiment.run(
      split: split, groundTruth: (truth, 1000), settings: settings, backend: try CPUBackend())
    let lsh = rows.first { $0.method == "lsh" }!.euclidean.mAP
    let learned = rows.first { $0.method == method.rawValue }!.euclidean.mAP
    #expect(learned > lsh, "\(method.rawValue) \(learned) vs LSH \(lsh)")
  }

  static func data(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
    var generator = SeededGenerator(seed: seed)
    return Matrix(rows: rows, columns: columns, values: generator.gaussians(count: rows * columns))
  }

  @Test(arguments: [HashMethod.hashgan, .gmans, .sgh, .ba])
  func modelFileRoundTrips(method: HashMethod) throws {
    let data = Self.data(120, 16, seed: 4)
    var options = GenerativeOptions()
    options.epochs = 1
    options.batchSize = 50
    var configurations = GenerativeConfigurations()
    configurations.gmans.pretrainEpochs = 1
    configurations.hashgan.trunkWidths = [12, 8]
    configurations.hashgan.generatorWidths = [8]
    let backend = try CPUBackend()
    let model = try GenerativeTraining.train(
      method, data: data, bits: 10, configurations: configurations, options: options, backend: backend)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "generative-\(method.rawValue).safetensors"
    ).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.write(to: path)
    let read = try HashModel.read(from: path)
    #expect(read.method == method)
    #expect(read.bits == 10 && read.inputDimension == 16)
    #expect(try read.encode(data, backend: backend).words == model.encode(data, backend: backend).words)
  }

  @Test func deepModelFileWithAnUnknownActivationIsRefused() throws {
    let hash = MLPHash(
      mean: [0, 0], inputScale: 1,
      layers: [.init(weight: [1, 0, 0, 1], bias: [0, 0], inputs: 2, outputs: 2, activation: .relu)])
    var file = hash.file(method: .gmans)
    file.metadata["activations"] = "swish"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-activation.safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try file.write(to: path)
    #expect(throws: DataError.self) { try HashModel.read(from: path) }
    file.metadata["activations"] = "relu,identity"  // two layers named, one stored
    try file.write(to: path)
    #expect(throws: DataError.self) { try HashModel.read(from: path) }
  }

  /// `sign(XWᵀ + c)` of every row as ±1, through the backend's product as the Z step sees it.
  static func hashed(_ data: Matrix, weight: [Float], bias: [Float], bits k: Int, backend: any Backend) throws
    -> [Float]
  {
    let scores = try backend.makeBuffer(Float.self, count: data.rows * k)
    try backend.gemm(
      try backend.makeBuffer(data.values), transposeA: false, try backend.makeBuffer(weight), transposeB: true,
      into: scores, m: data.rows, n: k, k: data.columns, alpha: 1, beta: 0)
    try backend.addRowVector(try backend.makeBuffer(bias), to: scores, rows: data.rows, columns: k)
    return try backend.download(scores).map { $0 < 0 ? -1 : 1 }
  }

  /// With a penalty far above every bit's weight in the reconstruction, BA's Z step puts
  /// every code where the hash puts it; with none, it only lowers the reconstruction error.
  @Test func baCodeStepFollowsItsPenalty() throws {
    let (n, d, k) = (60, 8, 5)
    let backend = try CPUBackend()
    let data = Self.data(n, d, seed: 6)
    let buffer = try RowBlocksOfOneBuffer(data: data, blockRows: n, backend: backend)
    var generator = SeededGenerator(seed: 7)
    let start = generator.gaussians(count: n * k).map { $0 < 0 ? Float(-1) : 1 }
    let (weight, bias) = (generator.gaussians(count: k * d), generator.gaussians(count: k))
    let hashed = try Self.hashed(data, weight: weight, bias: bias, bits: k, backend: backend)
    let decoder = try LeastSquaresDecoder(rows: n, dimension: d, bits: k, blockRows: n, backend: backend)
    try decoder.fit(codes: try backend.makeBuffer(start), data: buffer)
    let (basis, offset) = try decoder.readDecoder()
    func error(_ z: [Float]) -> Double {
      var total = 0.0
      for i in 0..<n {
        for j in 0..<d {
          var value = offset[j]
          for b in 0..<k { value += basis[b * d + j] * z[i * k + b] }
          total += Double((data.values[i * d + j] - value) * (data.values[i * d + j] - value))
        }
      }
      return total
    }
    func step(penalty: Float) throws -> (codes: [Float], flips: Int, mismatches: Int) {
      let codes = try backend.makeBuffer(start)
      let (flips, mismatches) = try decoder.codeStep(
        codes, weight: try backend.makeBuffer(weight), bias: try backend.makeBuffer(bias), penalty: penalty,
        passes: 10, data: buffer)
      return (try backend.download(codes), flips, mismatches)
    }
    let free = try step(penalty: 0)
    #expect(error(free.codes) < error(start))
    // A bit may flip back in a later pass: at least the bits that differ, and some.
    #expect(free.flips >= zip(free.codes, start).filter { $0 != $1 }.count && free.flips > 0)
    let bound = try step(penalty: 1e4)
    #expect(bound.codes == hashed && bound.mismatches == 0)
    #expect(free.mismatches == zip(free.codes, hashed).filter { $0 != $1 }.count)
  }

  /// The f and Z steps over blocks of rows (a set that does not fit one device buffer)
  /// give the decoder and codes of the whole set at once, up to the order of the sums.
  @Test func baStepsOverBlocksAreTheWholeSetsSteps() throws {
    let (n, d, k) = (61, 8, 5)
    let backend = try CPUBackend()
    let data = Self.data(n, d, seed: 8)
    var generator = SeededGenerator(seed: 9)
    let start = generator.gaussians(count: n * k).map { $0 < 0 ? Float(-1) : 1 }
    let weight = try backend.makeBuffer(generator.gaussians(count: k * d))
    let bias = try backend.makeBuffer(generator.gaussians(count: k))
    func steps(blockRows: Int) throws -> (basis: [Float], offset: [Float], codes: [Float], counts: [Int]) {
      let blocks = try RowBlocksOfOneBuffer(data: data, blockRows: blockRows, backend: backend)
      let decoder = try LeastSquaresDecoder(rows: n, dimension: d, bits: k, blockRows: blockRows, backend: backend)
      let codes = try backend.makeBuffer(start)
      try decoder.fit(codes: codes, data: blocks)
      let (flips, mismatches) = try decoder.codeStep(
        codes, weight: weight, bias: bias, penalty: 0.5, passes: 4, data: blocks)
      let (basis, offset) = try decoder.readDecoder()
      return (basis, offset, try backend.download(codes), [flips, mismatches])
    }
    let whole = try steps(blockRows: n)
    let blocked = try steps(blockRows: 7)
    for (a, b) in zip(blocked.basis + blocked.offset, whole.basis + whole.offset) {
      #expect(abs(a - b) <= 1e-4 * max(1, abs(b)))
    }
    #expect(blocked.codes == whole.codes && blocked.counts == whole.counts)
    #expect(whole.counts[0] > 0, "the step flipped nothing: the test shows nothing")
  }
}

/// A matrix on the device handed over in blocks of `blockRows` rows, each copied into a
/// buffer of its own, as a streamed training set would be.
struct RowBlocksOfOneBuffer: RowBlocks {
  let data: Matrix
  let blockRows: Int
  let backend: any Backend

  init(data: Matrix, blockRows: Int, backend: any Backend) throws {
    (self.data, self.blockRows, self.backend) = (data, blockRows, backend)
  }

  func forEachBlock(_ body: (DeviceBuffer<Float>, Int, Int) throws -> Void) throws {
    for first in stride(from: 0, to: data.rows, by: blockRows) {
      let rows = min(blockRows, data.rows - first)
      let values = Array(data.values[(first * data.columns)..<((first + rows) * data.columns)])
      try body(try backend.makeBuffer(values), first, rows)
    }
  }
}
