// The epoch loop HashGAN, GMANs, SGH and BA share (METHOD.md §3's, without SiGAH's
// networks): the training set centred, scaled and uploaded once; per epoch a seeded
// shuffle gathered on the device into batches of N_B (the last short one kept); the
// method's step per batch; the loss terms read once an epoch; a stop on the first
// non-finite term. With a `DataShare` the data are one process's share of the rows and each
// step trains on that share's part of the global batch (METHOD.md §12).

import Backend
import Foundation

final class MinibatchLoop {
  let backend: any Backend
  /// `(x − μ)/s` of the training set (this process's share), on the device.
  let data: DeviceBuffer<Float>
  /// Rows this process holds.
  let rows: Int
  /// Rows of the whole training set, over every share.
  let totalRows: Int
  let dimension: Int
  let mean: [Float]
  let scale: Float
  /// The most rows of a global batch.
  let capacity: Int
  let options: GenerativeOptions
  /// This process's rows of the current batch, `capacity × dimension`.
  let batch: DeviceBuffer<Float>
  /// How a step's gradients are summed over the processes (nil with one process).
  let shareStep: ShareStep?
  private let share: DataShare?
  /// This share's rows in the epoch's order, and each one's position in its global batch.
  private let order: DeviceBuffer<Int32>
  private let positions: DeviceBuffer<Int32>
  private var wholeBatchDraws: DeviceBuffer<Float>?
  private let started = Date()
  /// Steps taken so far, over all epochs: the counter of each step's random draws.
  private(set) var steps = 0
  /// The current global batch and this share's part of it.
  private var part = EpochSchedule.Batch(globalRows: 0, first: 0, rows: 0, done: 0)

  init(data matrix: Matrix, options: GenerativeOptions, backend: any Backend, share: DataShare? = nil) throws {
    let totalRows = share?.total ?? matrix.rows
    guard matrix.rows >= 1, matrix.columns >= 1 else {
      throw TrainingError.invalidData(share == nil ? "the training set is empty" : "a process's share of rows is empty")
    }
    guard options.batchSize >= 1, options.epochs >= 0 else {
      throw TrainingError.invalidData("the batch size must be at least 1 and the epochs not negative")
    }
    if let budget = options.timeBudget, !(budget.isFinite && budget > 0) {
      throw TrainingError.invalidData("the time budget must be a finite number of seconds above 0, got \(budget)")
    }
    try share?.requireRows(of: matrix)
    self.backend = backend
    self.options = options
    self.share = share
    self.totalRows = totalRows
    (rows, dimension) = (matrix.rows, matrix.columns)
    let reduction = share?.reduction ?? .local
    let (scale, mean) = (InputScale.of(matrix, reduction: reduction), reduction.columnMeans(matrix).mean)
    (self.scale, self.mean) = (scale, mean)
    let scaledMean = mean.map { $0 / scale }
    var values = InputScale.apply(scale, to: matrix).values
    let (rows, dimension) = (matrix.rows, matrix.columns)
    for i in 0..<rows {
      for j in 0..<dimension { values[i * dimension + j] -= scaledMean[j] }
    }
    guard values.count * MemoryLayout<Float>.stride <= backend.largestBuffer else {
      throw TrainingError.invalidData(
        "the training set (\(rows) × \(dimension)) does not fit one buffer of \(backend.summary)")
    }
    data = try backend.makeBuffer(values)
    capacity = min(options.batchSize, totalRows)
    batch = try backend.makeBuffer(Float.self, count: capacity * dimension)
    order = try backend.makeBuffer(Int32.self, count: rows)
    positions = try backend.makeBuffer(Int32.self, count: rows)
    shareStep = share.map { ShareStep(reduction: $0.reduction) }
  }

  /// Makes the network's parameter blocks (their gradients) and batch-wide terms (their
  /// sums) take part in every data-parallel step of this loop.
  func share(_ parts: [any BatchWide]) {
    for part in parts { part.share = shareStep }
  }

  /// Runs `epochs` epochs (numbered from `firstEpoch`) of `step(rows)` over shuffled
  /// batches in `batch`, reporting `losses` under `phase`; false when the time budget ran out.
  @discardableResult
  func run(
    epochs: Int, firstEpoch: Int = 1, phase: String, losses: LossAccumulator,
    onEvent: (TrainingEvent) -> Void, step: (_ rows: Int, _ epoch: Int) throws -> Void
  ) throws -> Bool {
    for epoch in firstEpoch..<(firstEpoch + epochs) {
      let epochStart = Date()
      var generator = SeededGenerator(seed: options.seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15) ^ 0x5151)
      let schedule = EpochSchedule(
        permutation: generator.permutation(totalRows), share: share, capacity: capacity)
      try backend.upload(schedule.order, to: order)
      if share != nil { try backend.upload(schedule.positions, to: positions) }
      try losses.reset()
      for part in schedule.batches {
        self.part = part
        shareStep?.begin(part)
        try backend.gatherRows(
          data, sourceRows: rows, indices: order, first: part.stepFirst, rows: part.stepRows, columns: dimension,
          subtracting: nil, into: batch)
        let kept = part.isStandIn ? try losses.snapshot() : nil
        try step(part.stepRows, epoch)
        if let kept { try losses.restore(kept) }
        steps += 1
        onEvent(.batch(epoch: epoch, done: part.done, total: totalRows))
      }
      let terms = try losses.read(rows: totalRows, reduction: share?.reduction ?? .local)
      if let bad = terms.first(where: { !$0.1.isFinite }) {
        throw TrainingError.diverged(epoch: epoch, term: bad.0, lastCheckpoint: nil)
      }
      let seconds = Date().timeIntervalSince(epochStart)
      onEvent(
        .terms(
          EpochTerms(
            epoch: epoch, phase: phase, terms: terms, seconds: seconds,
            samplesPerSecond: Double(totalRows) / max(seconds, 1e-9))))
      // Every process stops at the same epoch: the first to run out of time decides.
      let outOfTime = options.timeBudget.map { Date().timeIntervalSince(started) >= $0 } ?? false
      if (share?.reduction ?? .local).any(outOfTime) { return false }
    }
    return true
  }

  /// Gathers the current batch's rows of another per-item table of this share (labels,
  /// codes) of `columns` values a row, in the batch's order.
  func gatherBatch(of table: DeviceBuffer<Float>, columns: Int, rows n: Int, into out: DeviceBuffer<Float>) throws {
    try backend.gatherRows(
      table, sourceRows: rows, indices: order, first: part.stepFirst, rows: n, columns: columns, subtracting: nil,
      into: out
    )
  }

  /// The current batch's random draws: the one process's draws for this share's rows.
  var draws: BatchDraws {
    guard share != nil, !part.isStandIn else { return .whole(backend) }
    return BatchDraws { [self] out, columns, n, distribution, seed, counter in
      let count = part.globalRows * columns
      if (wholeBatchDraws?.count ?? 0) < count { wholeBatchDraws = try backend.makeBuffer(Float.self, count: count) }
      let whole = wholeBatchDraws!
      try backend.fillRandom(whole, count: count, distribution, seed: seed, counter: counter)
      try backend.gatherRows(
        whole, sourceRows: part.globalRows, indices: positions, first: part.stepFirst, rows: n, columns: columns,
        subtracting: nil, into: out)
    }
  }

  /// The shifted, scaled linear hash `sign(W(x − μ)/s + c)` of a layer trained on this data.
  func linearHash(weight: [Float], bias: [Float], bits: Int) -> LinearHash {
    LinearHash(mean: mean, projection: weight.map { $0 / scale }, offset: bias, bits: bits)
  }
}
