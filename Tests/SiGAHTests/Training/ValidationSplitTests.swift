// Validation measured on the device equals the evaluation protocol's mAP computed on the
// host from downloaded codes, ties included.

import Backend
import Testing

@testable import SiGAH

struct ValidationSplitTests {
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
    var options = EvaluationOptions()
    options.recallTargets = []
    let onHost = try Evaluator.evaluate(
      queryCodes: try itq.encode(validation.queries, backend: backend),
      databaseCodes: try itq.encode(validation.database, backend: backend),
      relevance: .neighbours(ids: validation.truth, k: validation.k, relevantCount: validation.k), backend: backend,
      options: options
    ).mAP
    #expect(onHost > 0.01)
    #expect(abs(onDevice - onHost) < 1e-6, "device \(onDevice), host \(onHost)")
    // Measuring twice, and another hash in between, changes nothing.
    _ = try validation.meanAveragePrecision(LinearBaselines.lsh(data, bits: bits, seed: 9))
    #expect(try validation.meanAveragePrecision(itq) == onDevice)
  }
}
