// Validation measured on the device equals the evaluation protocol's mAP computed on the
// host from downloaded codes, ties included.

import Backend
import Testing

@testable import SiGAH

struct ValidationSplitTests {
  /// The evaluation protocol's mAP, on the host, of the codes `encode` gives the split's
  /// queries against its database, at the split's first K.
  static func evaluatorMAP(
    _ validation: ValidationSplit, backend: any Backend, encode: (Matrix) throws -> PackedCodes
  ) throws -> Double {
    var options = EvaluationOptions()
    options.recallTargets = []
    return try Evaluator.evaluate(
      queryCodes: try encode(validation.queries), databaseCodes: try encode(validation.database),
      relevance: .neighbours(ids: validation.truth, k: validation.ks[0], relevantCount: validation.ks[0]),
      backend: backend, options: options
    ).mAP
  }

  /// 8-bit ITQ codes of 1,200 vectors: many ties at every distance, so tie order counts.
  @Test(arguments: [8, 70])
  func deviceMAPEqualsTheEvaluator(bits: Int) throws {
    let backend = try CPUBackend()
    var generator = SeededGenerator(seed: 31)
    let (rows, dimension) = (1200, 80)
    let data = Matrix(rows: rows, columns: dimension, values: generator.gaussians(count: rows * dimension))
    let validation = try ValidationSplit(training: data, size: 100, k: 50, seed: 3, backend: backend)
    let itq = try LinearBaselines.itq(data, bits: bits, seed: 5, backend: backend)
    let onDevice = try validation.meanAveragePrecision(itq)
    let onHost = try Self.evaluatorMAP(validation, backend: backend) { try itq.encode($0, backend: backend) }
    #expect(onHost > 0.01)
    #expect(abs(onDevice - onHost) < 1e-6, "device \(onDevice), host \(onHost)")
    // Measuring twice, and another hash in between, changes nothing.
    _ = try validation.meanAveragePrecision(LinearBaselines.lsh(data, bits: bits, seed: 9))
    #expect(try validation.meanAveragePrecision(itq) == onDevice)
  }

  /// A hash with the ranking residual, encoded from the rows resident on the device: the
  /// evaluator's mAP of its one-shot codes.
  @Test func aResidualHashGivesTheEvaluatorsMAP() throws {
    let backend = try CPUBackend()
    var generator = SeededGenerator(seed: 32)
    let (rows, dimension, bits, units) = (1200, 80, 16, 12)
    let data = Matrix(rows: rows, columns: dimension, values: generator.gaussians(count: rows * dimension))
    let validation = try ValidationSplit(training: data, size: 100, k: 50, seed: 3, backend: backend)
    let itq = try LinearBaselines.itq(data, bits: bits, seed: 5, backend: backend)
    let residual = RankingResidual(
      hiddenWeight: generator.gaussians(count: units * dimension), hiddenBias: generator.gaussians(count: units),
      outputWeight: generator.gaussians(count: bits * units), width: units)
    let hash = SiGAHHash(itq, residual: residual)
    let onHost = try Self.evaluatorMAP(validation, backend: backend) { try hash.encode($0, backend: backend) }
    #expect(onHost > 0.01)
    #expect(abs(try validation.meanAveragePrecision(hash) - onHost) < 1e-6)
    #expect(abs(try validation.meanAveragePrecision(itq) - onHost) > 1e-3, "the residual changes the codes")
  }

  /// Several Ks: the mean of each K's mAP, each K at most the split's database (the one
  /// past it counts once, as the whole database).
  @Test func severalKsAverageTheirMAPs() throws {
    let backend = try CPUBackend()
    var generator = SeededGenerator(seed: 32)
    let data = Matrix(rows: 400, columns: 24, values: generator.gaussians(count: 400 * 24))
    let itq = try LinearBaselines.itq(data, bits: 16, seed: 5, backend: backend)
    let map = { (k: Int) in
      try ValidationSplit(training: data, size: 50, k: k, seed: 3, backend: backend).meanAveragePrecision(itq)
    }
    let several = try ValidationSplit(training: data, size: 50, ks: [10, 100, 1000, 5000], seed: 3, backend: backend)
    #expect(several.ks == [10, 100, 350])
    let expected = (try map(10) + map(100) + map(350)) / 3
    #expect(abs(try several.meanAveragePrecision(itq) - expected) < 1e-9)
    #expect(try map(10) != map(100))
  }
}
