// The ranking stage (METHOD.md §3c): on real descriptors it raises the validation mAP of
// its ITQ start, it keeps the start when no step validates better, and its result does not
// depend on the units of the data.

import Backend
import Testing

@testable import SiGAH

struct RankingRefinementTests {
  static let sift: Result<Matrix, Error> = Result {
    let base = try Dataset.load(TestData.siftBase).vectors
    return base.rows(0..<2000)
  }

  func options(steps: Int) -> RankingOptions {
    var options = RankingOptions()
    options.steps = steps
    options.anchors = 64
    options.validateEvery = steps
    return options
  }

  @Test func raisesTheValidationMAPOfITQOnSIFT() throws {
    let data = try Self.sift.get()
    let backend = try CPUBackend()
    let validation = try ValidationSplit(training: data, size: 200, k: 50, seed: 1, backend: backend)
    let itq = try LinearBaselines.itq(data, bits: 16, seed: 1, backend: backend)
    let start = try validation.meanAveragePrecision(itq)
    let refined = try RankingRefinement.refine(
      itq, data: data, options: options(steps: 300), neighbours: 50, seed: 1, backend: backend,
      validate: validation.meanAveragePrecision, startValidationMAP: start)
    let map = try validation.meanAveragePrecision(refined.hash)
    #expect(refined.summary.keptStep == 300)
    #expect(map > start * 1.03, "ITQ \(start), after the ranking stage \(map)")
  }

  @Test func keepsTheStartWhenNoStepValidatesBetter() throws {
    let data = try Self.sift.get().rows(0..<500)
    let backend = try CPUBackend()
    let itq = try LinearBaselines.itq(data, bits: 8, seed: 2, backend: backend)
    let refined = try RankingRefinement.refine(
      itq, data: data, options: options(steps: 20), neighbours: 10, seed: 2, backend: backend,
      validate: { _ in 0.25 }, startValidationMAP: 0.5)
    #expect(refined.hash == itq)
    #expect(refined.summary.keptStep == 0 && refined.summary.checkpoints.count == 1)
  }

  /// An anchor count far past the training set takes every vector once a step instead of
  /// sizing buffers by the option (it once asked for 68 GB).
  @Test func moreAnchorsThanVectorsTakeEachVectorOnce() throws {
    let data = try Self.sift.get().rows(0..<300)
    let backend = try CPUBackend()
    let itq = try LinearBaselines.itq(data, bits: 8, seed: 2, backend: backend)
    var huge = options(steps: 5)
    huge.anchors = 1_000_000_000
    var exact = options(steps: 5)
    exact.anchors = 300
    let run = { (options: RankingOptions) in
      try RankingRefinement.refine(
        itq, data: data, options: options, neighbours: 10, seed: 2, backend: backend, validate: nil
      ).hash
    }
    #expect(try run(huge) == run(exact))
  }

  /// SIFT in its own units, times 2⁻⁷ and times 2⁷: the same codes, bit for bit.
  @Test func codesDoNotDependOnTheUnits() throws {
    let data = try Self.sift.get().rows(0..<600)
    let backend = try CPUBackend()
    var codes: [[UInt64]] = []
    var itqCodes: [[UInt64]] = []
    for factor: Float in [1, 1.0 / 128, 128] {
      let scaled = Matrix(rows: data.rows, columns: data.columns, values: data.values.map { $0 * factor })
      let itq = try LinearBaselines.itq(scaled, bits: 16, seed: 3, backend: backend)
      itqCodes.append(try itq.encode(scaled, backend: backend).words)
      let refined = try RankingRefinement.refine(
        itq, data: scaled, options: options(steps: 40), neighbours: 20, seed: 3, backend: backend, validate: nil)
      codes.append(try refined.hash.encode(scaled, backend: backend).words)
    }
    for i in 1...2 {
      let differ = zip(codes[i], codes[0]).filter { $0 != $1 }.count
      let itqDiffer = zip(itqCodes[i], itqCodes[0]).filter { $0 != $1 }.count
      #expect(itqDiffer == 0, "factor \(i): ITQ")
      #expect(differ == 0, "factor \(i)")
    }
  }
}
