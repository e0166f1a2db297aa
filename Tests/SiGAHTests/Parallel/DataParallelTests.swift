// Data-parallel training (METHOD.md §12) inside one process: each share trains on its own
// thread and CPU backend, and a barrier stands in for MPI's all-reduce and all-gather, so
// the library's part is tested where MPI is not installed (CLITests run it under mpirun).

import Backend
import Foundation
import Testing

@testable import SiGAH

/// Threads that meet at every sum: the last to arrive combines, the others wait for it.
final class ThreadGroup: @unchecked Sendable {
  let size: Int
  private let condition = NSCondition()
  private var round = 0
  private var arrived = 0
  private var sums: [[Double]]
  private var parts: [[Float]]
  private var summed: [Double] = []
  private var gathered: [Float] = []
  private var offsets: [Int] = []

  init(size: Int) {
    self.size = size
    sums = Array(repeating: [], count: size)
    parts = Array(repeating: [], count: size)
  }

  /// Deposits a share's contribution, waits for every share's, and returns the round's result.
  private func meet<T>(_ deposit: () -> Void, combine: () -> Void, result: () -> T) -> T {
    condition.lock()
    defer { condition.unlock() }
    deposit()
    let mine = round
    arrived += 1
    if arrived == size {
      combine()
      (arrived, round) = (0, round + 1)
      condition.broadcast()
    } else {
      while round == mine { condition.wait() }
    }
    // The next round cannot end before this share joins it, so the result is still this
    // round's (the deposits may already be the next round's: results are made in `combine`).
    return result()
  }

  func reduction(for share: Int) -> ShardReduction {
    ShardReduction(
      sum: { [self] values in
        meet(
          { sums[share] = values },
          combine: {
            summed = sums.dropFirst().reduce(sums[0]) { zip($0, $1).map { $0 + $1 } }
          }
        ) { summed }
      },
      gather: { [self] values in
        meet(
          { parts[share] = values },
          combine: {
            gathered = parts.flatMap { $0 }
            offsets = parts.indices.map { parts[0..<$0].reduce(0) { $0 + $1.count } }
          }
        ) { (gathered, offsets[share]) }
      })
  }

  /// Runs `body(share)` on `size` threads at once and returns their results in share order.
  func run<T: Sendable>(_ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    let results = Results<T>(count: size)
    let done = DispatchSemaphore(value: 0)
    for share in 0..<size {
      Thread {
        results.set(share, Result { try body(share) })
        done.signal()
      }.start()
    }
    for _ in 0..<size { done.wait() }
    return try results.values.map { try $0!.get() }
  }

  private final class Results<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<T, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<T, Error>) { lock.withLock { values[index] = value } }
  }
}

@Suite struct DataParallelTests {
  /// The shares' parts of each global batch are the batch's rows, each exactly once, in
  /// the permutation's order, with their positions in the batch.
  @Test(arguments: [1, 2, 3, 5]) func sharesCutTheOneProcessBatches(shares: Int) {
    var generator = SeededGenerator(seed: 7)
    let (rows, capacity) = (103, 20)
    let permutation = generator.permutation(rows)
    let whole = EpochSchedule(permutation: permutation, share: nil, capacity: capacity)
    #expect(whole.counts == [20, 20, 20, 20, 20, 3])
    var seen: [[Int]] = Array(repeating: [], count: whole.counts.count)
    for share in 0..<shares {
      let range = (share * rows / shares)..<((share + 1) * rows / shares)
      let schedule = EpochSchedule(
        permutation: permutation, share: DataShare(rows: range, total: rows, reduction: .local), capacity: capacity)
      #expect(schedule.order.count == range.count)
      for (index, batch) in schedule.batches.enumerated() {
        #expect(batch.globalRows == whole.counts[index])
        for slot in batch.first..<(batch.first + batch.rows) {
          let row = Int(schedule.order[slot]) + range.lowerBound
          let position = Int(schedule.positions[slot])
          #expect(permutation[index * capacity + position] == row)
          seen[index].append(index * capacity + position)
        }
      }
    }
    for (index, positions) in seen.enumerated() {
      #expect(positions.sorted() == Array((index * capacity)..<(index * capacity + whole.counts[index])))
    }
  }

  /// Data whose last batch of 100 has one row: every share but one steps on a stand-in.
  static let data: Matrix = {
    var generator = SeededGenerator(seed: 11)
    let values = generator.gaussians(count: 301 * 12).enumerated().map { $1 * Float(1 + $0 % 12) }
    return Matrix(rows: 301, columns: 12, values: values)
  }()

  static func shareOf(_ share: Int, of shares: Int, group: ThreadGroup) -> (Matrix, DataShare) {
    let rows = data.rows
    let range = (share * rows / shares)..<((share + 1) * rows / shares)
    return (data.rows(range), DataShare(rows: range, total: rows, reduction: group.reduction(for: share)))
  }

  /// `max |a − b| / max |a|`.
  static func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    let largest = a.map { abs($0) }.max() ?? 0
    return (zip(a, b).map { abs($0 - $1) }.max() ?? 0) / max(largest, .leastNormalMagnitude)
  }

  @Test(arguments: [2, 3, 4]) func sghSharesTrainTheOneProcessWeights(shares: Int) throws {
    var settings = GenerativeOptions()
    (settings.epochs, settings.batchSize) = (3, 100)
    let options = settings
    let one = try StochasticGenerativeHashing.train(Self.data, bits: 10, options: options, backend: CPUBackend())
    let group = ThreadGroup(size: shares)
    let hashes = try group.run { share in
      let (part, rows) = Self.shareOf(share, of: shares, group: group)
      return try StochasticGenerativeHashing.train(
        part, bits: 10, options: options, backend: CPUBackend(threads: 1), share: rows)
    }
    for hash in hashes {
      #expect(Self.relativeDifference(one.projection, hash.projection) <= 1e-5)
      #expect(Self.relativeDifference(one.offset, hash.offset) <= 1e-5)
      #expect(hash.mean == one.mean)
    }
  }

  /// Both graph terms at weights that make them count (measured within 1e-6 of the one
  /// process over 3 epochs, 12 steps).
  @Test(arguments: [(GraphTermKind.paper, 2), (.paper, 3), (.distanceMatching, 2), (.distanceMatching, 4)])
  func sigahSharesTrainTheOneProcessWeights(graph: GraphTermKind, shares: Int) throws {
    var settings = SiGAHConfiguration()
    (settings.bits, settings.batchSize, settings.graphTerm) = (8, 100, graph)
    settings.gamma = graph == .paper ? 1 : 1000
    let configuration = settings
    let one = try SiGAHTrainer(
      configuration: configuration, data: Self.data, backend: CPUBackend(), options: Self.threeEpochs
    )
    .train()
    let group = ThreadGroup(size: shares)
    let models = try group.run { share in
      let (part, rows) = Self.shareOf(share, of: shares, group: group)
      return try SiGAHTrainer(
        configuration: configuration, data: part, backend: CPUBackend(threads: 1), options: Self.threeEpochs,
        share: rows
      ).train()
    }
    for model in models {
      for (name, values) in one.weights.tensors {
        #expect(Self.relativeDifference(values, model.weights.tensors[name] ?? []) <= 1e-5, "\(name)")
      }
      #expect(model.summary?.samples == Self.data.rows)
    }
  }

  static var threeEpochs: TrainingOptions {
    var options = TrainingOptions()
    options.epochs = 3
    return options
  }

  /// The ranking stage across shares: every share gathers the rows and its neighbours'
  /// lists, trains on its slots of each step's anchors (3 shares of 7 anchors: 2, 2 and 3;
  /// 9 shares: two with none, which step on a stand-in at weight 0), and ends with the one
  /// process's projection and residual.
  /// With a sample of anchor rows (fewer than the set) too: each share finds its sampled rows' lists.
  @Test(arguments: [(2, nil), (3, nil), (9, nil), (3, 17)])
  func rankingStageSharesTrainTheOneProcessWeights(shares: Int, anchorRows: Int?) throws {
    var options = RankingOptions()
    (options.steps, options.anchors, options.pairsPerAnchor, options.validateEvery) = (40, 7, 3, 20)
    (options.anchorRows, options.residualWidth) = (anchorRows, 5)
    let ranking = options
    var generator = SeededGenerator(seed: 12)
    let start = LinearHash(
      mean: [Float](repeating: 0, count: 12), projection: generator.gaussians(count: 6 * 12),
      offset: [Float](repeating: 0, count: 6), bits: 6)
    let one = try RankingRefinement.refine(
      start, data: Self.data, options: ranking, neighbourhoods: [5], seed: 3, backend: CPUBackend(), validate: nil)
    let group = ThreadGroup(size: shares)
    let refined = try group.run { share in
      let (part, rows) = Self.shareOf(share, of: shares, group: group)
      return try RankingRefinement.refine(
        start, data: part, options: ranking, neighbourhoods: [5], seed: 3, backend: CPUBackend(threads: 1),
        validate: nil,
        share: rows)
    }
    for (hash, residual, summary) in refined {
      #expect(Self.relativeDifference(one.hash.projection, hash.projection) <= 1e-5)
      #expect(Self.relativeDifference(one.hash.offset, hash.offset) <= 1e-5)
      let (expected, got) = (try #require(one.residual), try #require(residual))
      #expect(Self.relativeDifference(expected.hiddenWeight, got.hiddenWeight) <= 1e-5)
      #expect(Self.relativeDifference(expected.outputWeight, got.outputWeight) <= 1e-5)
      #expect(zip(one.summary.checkpoints, summary.checkpoints).allSatisfy { abs($0.loss - $1.loss) <= 1e-5 * $0.loss })
    }
  }

  @Test func anchorSlotsTileTheStepAndThePlanKeepsItsLayout() {
    for shares in [1, 2, 3, 7, 300] {
      let parts = (0..<shares).map { share in
        DataShare(
          rows: (share * 301 / shares)..<((share + 1) * 301 / shares), total: 301, reduction: .local
        ).part(ofSlots: 7)
      }
      #expect(parts.filter { $0.weight > 0 }.map(\.slots).flatMap { $0 } == Array(0..<7), "\(shares) shares")
      #expect(abs(parts.map(\.weight).reduce(0, +) - 1) < 1e-12)
    }
    // Two steps of 3 anchors, 2 pairs: anchors, positives, negatives.
    let step: [Int32] = [0, 1, 2, 10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 60, 61]
    let plan = step + step.map { $0 + 100 }
    #expect(
      RankingRefinement.part(of: plan, anchors: 3, pairs: 2, slots: 1..<3)
        == [1, 2, 20, 21, 30, 31, 50, 51, 60, 61, 101, 102, 120, 121, 130, 131, 150, 151, 160, 161])
  }

  /// Only the writer validates, and every share keeps the epoch its mAP chose.
  @Test func theWriterValidatesForEveryShare() throws {
    var settings = SiGAHConfiguration()
    (settings.bits, settings.batchSize) = (8, 100)
    let configuration = settings
    let group = ThreadGroup(size: 2)
    let models = try group.run { share in
      let (part, rows) = Self.shareOf(share, of: 2, group: group)
      let writer = DataShare(rows: rows.rows, total: rows.total, reduction: rows.reduction, writer: share == 0)
      var options = Self.threeEpochs
      // Epoch 2 validates best; a share that is not the writer is never asked.
      options.validate = { _ in
        share == 0 ? [0.1, 0.3, 0.9, 0.2][Self.validations.next()] : Double(Self.othersAsked.next() + 100)
      }
      return try SiGAHTrainer(
        configuration: configuration, data: part, backend: CPUBackend(threads: 1), options: options, share: writer
      ).train()
    }
    #expect(models.map { $0.summary?.keptEpoch } == [2, 2])
    #expect(Self.othersAsked.next() == 0)
    #expect(models[0].weights.tensors == models[1].weights.tensors)
  }

  /// The writer's validations in order: epoch 0 (the start), 1, 2, 3.
  static let validations = Counter()
  static let othersAsked = Counter()

  final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int {
      lock.withLock {
        defer { count += 1 }
        return count
      }
    }
  }
}
