// The epoch loop every learned method trains in (METHOD.md §3, §12): per epoch a seeded
// shuffle of the whole training set cut into global batches of N_B (the last short one
// kept), this process's rows of each batch centred into one device buffer, the method's
// step, the loss sums read once an epoch, a stop on the first non-finite term, and a stop
// at the first epoch boundary past the time budget, on which every process agrees.
//
// The training set stays on the device when it fits one buffer (each epoch then uploads
// only its order, and batches are gathered and centred there); otherwise each batch is
// gathered on the host and streamed. Both paths give the same bits: the device subtracts
// the same mean from the same values, in one rounding either way.

import Backend
import Foundation

/// Where a method's losses accumulate on the device over an epoch.
protocol EpochLosses: AnyObject {
  associatedtype Terms
  func reset() throws
  /// The sums so far, to undo a stand-in step's additions with `restore`.
  func snapshot() throws -> [Float]
  func restore(_ sums: [Float]) throws
  /// The epoch's mean terms over `rows` rows, summed over the processes by `reduction`.
  func read(rows: Int, reduction: ShardReduction) throws -> Terms
  /// The name of the first term that is not finite, if any.
  static func firstNonFinite(in terms: Terms) -> String?
}

final class EpochLoop {
  let backend: any Backend
  /// Rows this process holds, and of the whole training set over every share.
  let rows: Int
  let totalRows: Int
  let dimension: Int
  /// The most rows of a global batch.
  let capacity: Int
  let share: DataShare?
  /// This process's rows of the current batch, centred: `capacity × dimension`.
  let batch: DeviceBuffer<Float>
  /// The last checkpoint written, for the message of a diverged training.
  var lastCheckpoint: String?
  /// Steps taken so far, over all epochs: the counter of each step's random draws.
  private(set) var steps = 0
  /// The current global batch and this share's part of it.
  private(set) var part = EpochSchedule.Batch(globalRows: 0, first: 0, rows: 0, done: 0)
  /// This share's rows in the current epoch's order, and each one's place in its batch.
  let order: DeviceBuffer<Int32>
  let positions: DeviceBuffer<Int32>
  /// Seconds from `started` after which the loop stops at the next epoch boundary.
  let timeBudget: Double?
  let started: Date

  private let host: Matrix
  private let resident: DeviceBuffer<Float>?
  /// Whether the training set is kept on the device (else each batch is uploaded).
  var isResident: Bool { resident != nil }
  private let mean: DeviceBuffer<Float>
  private let negatedMean: DeviceBuffer<Float>
  private var hostOrder: [Int32] = []
  private var staging: [Float]
  private let seed: UInt64
  private let salt: UInt64

  /// - Parameters:
  ///   - data: this process's rows, in the units the networks see.
  ///   - mean: what every row has subtracted as it enters `batch` (`mean` and its negation
  ///     on the device, which a network may already hold).
  ///   - batch: the buffer the rows enter (a network's input), else one of the loop's own.
  ///   - seed, salt: the shuffle of epoch `e` is `SeededGenerator(seed ^ e·φ ^ salt)`'s.
  ///   - resident: keep the training set on the device; nil decides by its largest buffer.
  ///   - timeBudget, started: the training's budget and when it began (its set-up counts).
  init(
    data: Matrix, mean: (DeviceBuffer<Float>, negated: DeviceBuffer<Float>), batch: DeviceBuffer<Float>? = nil,
    batchSize: Int, seed: UInt64, salt: UInt64, share: DataShare?, resident: Bool?, timeBudget: Double?,
    started: Date = Date(), backend: any Backend
  ) throws {
    guard data.rows >= 1, data.columns >= 1 else {
      throw TrainingError.invalidData(share == nil ? "the training set is empty" : "a process's share of rows is empty")
    }
    guard batchSize >= 1 else { throw TrainingError.invalidData("the batch size must be at least 1") }
    try Self.check(timeBudget: timeBudget)
    try share?.requireRows(of: data)
    (self.timeBudget, self.started) = (timeBudget, started)
    self.backend = backend
    self.share = share
    (self.seed, self.salt) = (seed, salt)
    (rows, dimension) = (data.rows, data.columns)
    totalRows = share?.total ?? data.rows
    capacity = min(batchSize, totalRows)
    host = data
    (self.mean, negatedMean) = (mean.0, mean.negated)
    let fits = data.values.count * MemoryLayout<Float>.stride <= backend.largestBuffer
    self.resident = (resident ?? fits) ? try backend.makeBuffer(data.values) : nil
    self.batch = try batch ?? backend.makeBuffer(Float.self, count: capacity * data.columns)
    order = try backend.makeBuffer(Int32.self, count: data.rows)
    positions = try backend.makeBuffer(Int32.self, count: data.rows)
    staging = self.resident == nil ? [Float](repeating: 0, count: capacity * data.columns) : []
  }

  /// Throws unless `timeBudget` is nil or a finite number of seconds above 0.
  static func check(timeBudget: Double?) throws {
    if let timeBudget, !(timeBudget.isFinite && timeBudget > 0) {
      throw TrainingError.invalidData("the time budget must be a finite number of seconds above 0, got \(timeBudget)")
    }
  }

  /// The seeded order of epoch `epoch` (1-based) over `count` rows: independent of every
  /// other epoch, so that a resumed run shuffles exactly as an uninterrupted one.
  static func permutation(seed: UInt64, salt: UInt64, epoch: Int, count: Int) -> [Int] {
    var generator = SeededGenerator(seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15) ^ salt)
    return generator.permutation(count)
  }

  /// Runs epochs `epochs` of `step(rows, epoch)` over the shuffled batches in `batch`, the
  /// terms of `losses` read once an epoch and handed to `ended(epoch, terms, started,
  /// last)` (`last`: the final epoch, or the time budget ran out); false when it ran out.
  @discardableResult
  func run<Losses: EpochLosses>(
    epochs: ClosedRange<Int>, losses: Losses, onEvent: (TrainingEvent) -> Void,
    step: (_ rows: Int, _ epoch: Int) throws -> Void,
    ended: (_ epoch: Int, _ terms: Losses.Terms, _ started: Date, _ last: Bool) throws -> Void
  ) throws -> Bool {
    let reduction = share?.reduction ?? .local
    for epoch in epochs {
      let epochStart = Date()
      let schedule = EpochSchedule(
        permutation: Self.permutation(seed: seed, salt: salt, epoch: epoch, count: totalRows), share: share,
        capacity: capacity)
      hostOrder = schedule.order
      if resident != nil { try backend.upload(schedule.order, to: order) }
      if share != nil { try backend.upload(schedule.positions, to: positions) }
      try losses.reset()
      for part in schedule.batches {
        self.part = part
        try gather(first: part.stepFirst, rows: part.stepRows)
        let kept = part.isStandIn ? try losses.snapshot() : nil
        try step(part.stepRows, epoch)
        if let kept { try losses.restore(kept) }
        steps += 1
        onEvent(.batch(epoch: epoch, done: part.done, total: totalRows))
      }
      let terms = try losses.read(rows: totalRows, reduction: reduction)
      if let bad = Losses.firstNonFinite(in: terms) {
        throw TrainingError.diverged(epoch: epoch, term: bad, lastCheckpoint: lastCheckpoint)
      }
      // Every process stops at the same epoch: the first to run out of time decides.
      let outOfTime = reduction.any(timeBudget.map { Date().timeIntervalSince(started) >= $0 } ?? false)
      try ended(epoch, terms, epochStart, epoch == epochs.upperBound || outOfTime)
      if outOfTime { return false }
    }
    return true
  }

  /// This share's rows `order[first..<first + n]` of the epoch into `batch`, centred.
  private func gather(first: Int, rows n: Int) throws {
    if let resident {
      try backend.gatherRows(
        resident, sourceRows: rows, indices: order, first: first, rows: n, columns: dimension, subtracting: mean,
        into: batch)
      return
    }
    let d = dimension
    host.values.withUnsafeBufferPointer { source in
      staging.withUnsafeMutableBufferPointer { target in
        for (row, index) in hostOrder[first..<(first + n)].enumerated() {
          (target.baseAddress! + row * d).update(from: source.baseAddress! + Int(index) * d, count: d)
        }
      }
    }
    try backend.upload(n == capacity ? staging : Array(staging.prefix(n * d)), to: batch)
    try backend.addRowVector(negatedMean, to: batch, rows: n, columns: d)
  }

  /// Gathers the current batch's rows of another per-row table of this share (labels,
  /// codes) of `columns` values a row, in the batch's order. The table must be on the
  /// device, which only a resident training set guarantees room for.
  func gatherBatch(of table: DeviceBuffer<Float>, columns: Int, rows n: Int, into out: DeviceBuffer<Float>) throws {
    if resident == nil { try backend.upload(hostOrder, to: order) }
    try backend.gatherRows(
      table, sourceRows: rows, indices: order, first: part.stepFirst, rows: n, columns: columns, subtracting: nil,
      into: out)
  }
}

extension LossAccumulator: EpochLosses {
  static func firstNonFinite(in terms: [LossTerm]) -> String? {
    terms.first { !$0.value.isFinite }?.name
  }
}
