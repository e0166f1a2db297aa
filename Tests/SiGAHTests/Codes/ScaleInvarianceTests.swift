// No method depends on the units of the data: SIFT descriptors multiplied by 2⁻⁷ and by 2⁷
// (components from ~1 to ~20,000) give the same codes, bit for bit, as the originals, for
// every method. The SiGAH trainers and the other papers' learned methods reach this by
// training on x/s with s a power of two chosen from the data's spread (InputScale), stored
// in the model file.

import Backend
import Foundation
import Testing

@testable import SiGAH

struct ScaleInvarianceTests {
  static let sift: Result<Matrix, Error> = Result {
    try Dataset.load(TestData.siftBase).vectors.rows(0..<1000)
  }

  static func scaled(_ data: Matrix, by factor: Float) -> Matrix {
    Matrix(rows: data.rows, columns: data.columns, values: data.values.map { $0 * factor })
  }

  /// The codes of `data` under `method` trained on `data` itself (short trainings).
  func codes(_ method: HashMethod, _ data: Matrix) throws -> PackedCodes {
    let backend = try CPUBackend()
    if method.isGenerative {
      var options = GenerativeOptions()
      (options.epochs, options.batchSize, options.seed) = (2, 250, 4)
      var configurations = GenerativeConfigurations()
      configurations.gmans.pretrainEpochs = 1
      return try GenerativeTraining.train(
        method, data: data, bits: 32, configurations: configurations, options: options, backend: backend
      ).encode(data, backend: backend)
    }
    guard method.isSiGAH else {
      return try HashModel.fitBaseline(method, data: data, bits: 32, seed: 4, backend: backend)
        .encode(data, backend: backend)
    }
    var configuration = method == .sigahDM ? SiGAHConfiguration.distanceMatchingPreset : SiGAHConfiguration()
    (configuration.bits, configuration.batchSize, configuration.seed) = (32, 250, 4)
    configuration.ranking?.steps = 40
    configuration.ranking?.anchors = 64
    var options = TrainingOptions()
    options.epochs = 2
    let model = try SiGAHTrainer(configuration: configuration, data: data, backend: backend, options: options).train()
    return try model.hash.encode(data, backend: backend)
  }

  @Test(arguments: HashMethod.allCases)
  func codesDoNotDependOnTheUnitsOfTheData(_ method: HashMethod) throws {
    let data = try Self.sift.get()
    let original = try codes(method, data)
    #expect(Set(original.words).count > data.rows / 2, "\(method): the codes hardly vary")
    for factor: Float in [0x1p-7, 0x1p7] {
      let changed = try codes(method, Self.scaled(data, by: factor))
      let differing = zip(original.words, changed.words).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
      #expect(differing == 0, "\(method) ×\(factor): \(differing) bits differ")
    }
  }

  /// √(Σ var)/8 rounded to a power of two (√2 is the boundary): MNIST-like spreads keep
  /// s = 1, SIFT's 387 gives 64, and constant data 1.
  @Test func theScaleIsThePowerOfTwoNearestAnEighthOfTheSpread() throws {
    func matrix(_ rows: [[Float]]) -> Matrix {
      Matrix(rows: rows.count, columns: rows[0].count, values: rows.flatMap { $0 })
    }
    // Two rows ±a in one column: variance a², spread a.
    #expect(InputScale.of(matrix([[8], [-8]])) == 1)
    #expect(InputScale.of(matrix([[11], [-11]])) == 1)  // 11/8 < √2
    #expect(InputScale.of(matrix([[12], [-12]])) == 2)  // 12/8 > √2
    #expect(InputScale.of(matrix([[3, 3], [3, 3]])) == 1)
    #expect(InputScale.of(try Dataset.load(TestData.siftBase).vectors) == 64)
    #expect(InputScale.of(try Dataset.load(TestData.mnistImages).vectors) == 1)
  }

  @Test func aModelFileKeepsItsScale() throws {
    let data = Self.scaled(try Self.sift.get().rows(0..<500), by: 0x1p3)
    var configuration = SiGAHConfiguration()
    (configuration.bits, configuration.batchSize) = (16, 250)
    var options = TrainingOptions()
    options.epochs = 1
    let model = try SiGAHTrainer(configuration: configuration, data: data, backend: try CPUBackend(), options: options)
      .train()
    #expect(model.weights.inputScale == InputScale.of(data))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("scale-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.write(to: path)
    let read = try SiGAHModel.read(from: path)
    #expect(read.weights.inputScale == model.weights.inputScale)
    #expect(read.hash == model.hash)
  }
}
