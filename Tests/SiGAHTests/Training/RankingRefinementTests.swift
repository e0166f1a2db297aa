// The ranking stage (METHOD.md §3c): on real descriptors it raises the validation mAP of
// its ITQ start, with and without the residual, it keeps the start when no step validates
// better, and its result does not depend on the units of the data.

import Backend
import Foundation
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

  @Test(arguments: [0, 64])
  func raisesTheValidationMAPOfITQOnSIFT(residualWidth: Int) throws {
    let data = try Self.sift.get()
    let backend = try CPUBackend()
    let validation = try ValidationSplit(training: data, size: 200, k: 50, seed: 1, backend: backend)
    let itq = try LinearBaselines.itq(data, bits: 16, seed: 1, backend: backend)
    let start = try validation.meanAveragePrecision(itq)
    var options = options(steps: 300)
    options.residualWidth = residualWidth
    let refined = try RankingRefinement.refine(
      itq, data: data, options: options, neighbourhoods: [50], seed: 1, backend: backend,
      validate: { try validation.meanAveragePrecision($0) }, startValidationMAP: start)
    let map = try validation.meanAveragePrecision(SiGAHHash(refined.hash, residual: refined.residual))
    #expect(refined.summary.keptStep == 300)
    #expect(refined.residual?.width == (residualWidth == 0 ? nil : residualWidth))
    #expect(map > start * 1.03, "ITQ \(start), after the ranking stage \(map)")
  }

  @Test func keepsTheStartWhenNoStepValidatesBetter() throws {
    let data = try Self.sift.get().rows(0..<500)
    let backend = try CPUBackend()
    let itq = try LinearBaselines.itq(data, bits: 8, seed: 2, backend: backend)
    let refined = try RankingRefinement.refine(
      itq, data: data, options: options(steps: 20), neighbourhoods: [10], seed: 2, backend: backend,
      validate: { _ in 0.25 }, startValidationMAP: 0.5)
    #expect(refined.hash == itq && refined.residual == nil)
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
      let refined = try RankingRefinement.refine(
        itq, data: data, options: options, neighbourhoods: [10], seed: 2, backend: backend, validate: nil)
      return [refined.hash.projection, refined.residual?.outputWeight ?? []]
    }
    #expect(try run(huge) == run(exact))
  }

  /// SIFT in its own units, times 2⁻⁷ and times 2⁷: the same codes, bit for bit, with and
  /// without the residual.
  @Test(arguments: [0, 32])
  func codesDoNotDependOnTheUnits(residualWidth: Int) throws {
    let data = try Self.sift.get().rows(0..<600)
    let backend = try CPUBackend()
    var codes: [[UInt64]] = []
    var itqCodes: [[UInt64]] = []
    for factor: Float in [1, 1.0 / 128, 128] {
      let scaled = Matrix(rows: data.rows, columns: data.columns, values: data.values.map { $0 * factor })
      let itq = try LinearBaselines.itq(scaled, bits: 16, seed: 3, backend: backend)
      itqCodes.append(try itq.encode(scaled, backend: backend).words)
      var options = options(steps: 40)
      options.residualWidth = residualWidth
      let refined = try RankingRefinement.refine(
        itq, data: scaled, options: options, neighbourhoods: [20], seed: 3, backend: backend, validate: nil)
      #expect((refined.residual == nil) == (residualWidth == 0))
      codes.append(try SiGAHHash(refined.hash, residual: refined.residual).encode(scaled, backend: backend).words)
    }
    for i in 1...2 {
      let differ = zip(codes[i], codes[0]).filter { $0 != $1 }.count
      let itqDiffer = zip(itqCodes[i], itqCodes[0]).filter { $0 != $1 }.count
      #expect(itqDiffer == 0, "factor \(i): ITQ")
      #expect(differ == 0, "factor \(i)")
    }
  }

  /// --time-budget covers the stage: a stage of a million steps stops at the budget with
  /// one more validation, and reports its neighbour lists, its steps and each validation.
  @Test func theStageKeepsTheBudgetAndReportsItsProgress() throws {
    let data = try Self.sift.get()
    var configuration = SiGAHConfiguration.distanceMatchingPreset
    (configuration.bits, configuration.batchSize) = (16, 250)
    configuration.ranking?.steps = 1_000_000
    configuration.ranking?.validateEvery = 100
    let backend = try CPUBackend()
    let validation = try ValidationSplit(training: data, size: 100, ks: [10, 100], seed: 1, backend: backend)
    var options = TrainingOptions()
    options.epochs = 1
    options.timeBudget = 3
    options.validate = { try validation.meanAveragePrecision($0) }
    var (neighbours, steps, checkpoints) = ([(Int, Int)](), [Int](), [Int]())
    let started = Date()
    let model = try SiGAHTrainer(configuration: configuration, data: data, backend: backend, options: options).train {
      switch $0 {
      case .rankingNeighbours(let done, let total): neighbours.append((done, total))
      case .rankingStep(let step, _): steps.append(step)
      case .rankingCheckpoint(let checkpoint): checkpoints.append(checkpoint.step)
      default: break
      }
    }
    let elapsed = Date().timeIntervalSince(started)
    // Three seconds plus a step and a validation; the whole stage would take hours.
    #expect(elapsed < 3 + 10, "\(elapsed) s")
    #expect(neighbours.last.map { $0.0 == $0.1 && $0.1 == data.rows } == true, "\(neighbours)")
    #expect(!steps.isEmpty && steps == Array(1...steps.count))
    #expect(steps.count < 1_000_000)
    #expect(checkpoints.last == steps.last, "the stop validates once more")
    #expect(model.summary?.ranking?.checkpoints.last?.step == steps.last)
  }

  /// With neighbourhoods of 2 and 8 a positive is one of the 2 nearest with probability
  /// ½ + ½·2/8 = 0.625, and always one of the 8.
  @Test func positivesComeFromEveryNeighbourhood() {
    let (n, k, anchors, pairs, steps) = (50, 8, 20, 4, 200)
    // Row a's neighbours: rank r is the id 1000·r + a, so a positive's rank is id / 1000.
    let nearest = (0..<n).flatMap { a in (0..<k).map { Int32(1000 * $0 + a) } }
    var generator = SeededGenerator(seed: 4)
    let plan = RankingRefinement.samplePlan(
      steps: steps, anchors: anchors, pairs: pairs, nearest: nearest, k: k, scales: [2, 8],
      anchorRows: Array(0..<n), count: n,
      generator: &generator)
    let stepRows = anchors * (1 + 2 * pairs)
    var ranks: [Int] = []
    for step in 0..<steps {
      let positives = (step * stepRows + anchors)..<(step * stepRows + anchors * (1 + pairs))
      ranks += plan[positives].map { Int($0) / 1000 }
    }
    #expect(ranks.allSatisfy { (0..<k).contains($0) })
    let nearTwo = Double(ranks.filter { $0 < 2 }.count) / Double(ranks.count)
    #expect(abs(nearTwo - 0.625) < 0.03, "\(nearTwo)")
  }

  /// With hard negatives an anchor's positives share one neighbourhood s, and half its
  /// negatives are ranked s ..< 10·s (within the lists): every such pair orders a nearer
  /// neighbour above a farther one; at the widest neighbourhood all are uniform.
  @Test func hardNegativesLieJustPastTheirAnchorsPositives() {
    let (n, k, anchors, pairs, steps) = (400, 100, 20, 8, 100)
    let nearest = (0..<n).flatMap { a in (0..<k).map { Int32(1000 * $0 + a) } }
    var generator = SeededGenerator(seed: 9)
    let plan = RankingRefinement.samplePlan(
      steps: steps, anchors: anchors, pairs: pairs, nearest: nearest, k: k, scales: [10, 100],
      anchorRows: Array(0..<n), count: n, hardNegatives: pairs / 2, generator: &generator)
    let stepRows = anchors * (1 + 2 * pairs)
    var (hard, nearScale) = (0, 0)
    for step in 0..<steps {
      for anchor in 0..<anchors {
        let positives = plan[
          (step * stepRows + anchors + anchor * pairs)..<(step * stepRows + anchors + (anchor + 1) * pairs)]
        let first = step * stepRows + anchors * (1 + pairs) + anchor * pairs
        let negatives = plan[first..<(first + pairs)]
        let deepest = positives.map { Int($0) / 1000 }.max()!
        // Positives of scale 10 all rank below 10; the first half of the negatives then
        // come from ranks 10 ..< 100 of the same anchor's list.
        if deepest < 10 {
          nearScale += 1
          for negative in negatives.prefix(pairs / 2) {
            #expect(
              (10..<100).contains(Int(negative) / 1000) && Int(negative) % 1000 == Int(plan[step * stepRows + anchor]))
            hard += 1
          }
        }
        // Uniform negatives are row ids below n.
        #expect(negatives.suffix(pairs / 2).allSatisfy { (0..<n).contains(Int($0)) })
      }
    }
    #expect(nearScale > steps * anchors / 3 && hard == nearScale * pairs / 2)
  }

  /// With a widest share of ¾ three anchors in four take their positives from the widest
  /// neighbourhood; without one every neighbourhood is drawn alike, from the same single
  /// draw as before the option (so older files train as they did).
  @Test func theWidestNeighbourhoodServesItsShareOfAnchors() {
    let (n, k, anchors, pairs, steps) = (400, 100, 20, 8, 150)
    let nearest = (0..<n).flatMap { a in (0..<k).map { Int32(1000 * $0 + a) } }
    for (share, expected) in [(0.75, 0.25), (nil, 0.5)] as [(Double?, Double)] {
      var generator = SeededGenerator(seed: 12)
      let plan = RankingRefinement.samplePlan(
        steps: steps, anchors: anchors, pairs: pairs, nearest: nearest, k: k, scales: [10, 100],
        anchorRows: Array(0..<n), count: n, hardNegatives: 1, widestShare: share, generator: &generator)
      let stepRows = anchors * (1 + 2 * pairs)
      var near = 0
      for step in 0..<steps {
        for anchor in 0..<anchors {
          let first = step * stepRows + anchors + anchor * pairs
          // A widest-neighbourhood anchor has all 8 positives among the 10 nearest with
          // probability 10⁻⁸.
          if plan[first..<(first + pairs)].allSatisfy({ Int($0) / 1000 < 10 }) { near += 1 }
        }
      }
      let fraction = Double(near) / Double(steps * anchors)
      #expect(abs(fraction - expected) < 0.04, "share \(String(describing: share)): \(fraction)")
    }
    for count in [1, 2, 3, 5] {
      var (a, b) = (SeededGenerator(seed: 3), SeededGenerator(seed: 3))
      for _ in 0..<100 {
        let old = min(Int(a.uniform() * Double(count)), count - 1)
        #expect(RankingRefinement.neighbourhood(widestShare: nil, of: count, generator: &b) == old)
      }
    }
    // The default: ½ for short codes, every neighbourhood alike from 64 bits.
    #expect([16, 32, 63, 64, 128].map { RankingOptions.defaultWidestShare(bits: $0) } == [0.5, 0.5, 0.5, nil, nil])
    var generator = SeededGenerator(seed: 5)
    let drawn = (0..<4000).map { _ in RankingRefinement.neighbourhood(widestShare: 0.5, of: 3, generator: &generator) }
    for (index, share) in [(0, 0.25), (1, 0.25), (2, 0.5)] {
      let fraction = Double(drawn.filter { $0 == index }.count) / 4000
      #expect(abs(fraction - share) < 0.03, "neighbourhood \(index): \(fraction)")
    }
  }

  /// On a set larger than `anchorRows` only a sample of rows gets neighbour lists, and every
  /// anchor is one of them; the stage still raises the validation mAP of its ITQ start.
  @Test func aLargeSetDrawsAnchorsFromASample() throws {
    let rows = [3, 8, 20]
    var generator = SeededGenerator(seed: 6)
    let plan = RankingRefinement.samplePlan(
      steps: 50, anchors: 4, pairs: 2, nearest: Array(repeating: 0, count: 3 * 5), k: 5, scales: [5],
      anchorRows: rows, count: 30, generator: &generator)
    let stepRows = 4 * (1 + 2 * 2)
    for step in 0..<50 {
      #expect(plan[(step * stepRows)..<(step * stepRows + 4)].allSatisfy { rows.contains(Int($0)) })
    }

    let data = try Self.sift.get()
    let backend = try CPUBackend()
    let validation = try ValidationSplit(training: data, size: 200, k: 50, seed: 1, backend: backend)
    let itq = try LinearBaselines.itq(data, bits: 16, seed: 1, backend: backend)
    var options = options(steps: 300)
    options.anchorRows = 400
    var neighbours: [(Int, Int)] = []
    let refined = try RankingRefinement.refine(
      itq, data: data, options: options, neighbourhoods: [50], seed: 1, backend: backend, validate: nil
    ) { if case .rankingNeighbours(let done, let total) = $0 { neighbours.append((done, total)) } }
    #expect(neighbours.last.map { $0 == (400, 400) } == true, "\(neighbours)")
    #expect(
      try validation.meanAveragePrecision(SiGAHHash(refined.hash, residual: refined.residual))
        > validation.meanAveragePrecision(itq))
  }
}
