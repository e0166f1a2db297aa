// How HashGAN, GMANs, SGH and BA train: the one epoch loop (Training/EpochLoop) over the
// training set scaled by its input scale and centred as each batch is gathered, with the
// terms of a LossAccumulator reported under the method's phase. With a `DataShare` the
// data are one process's share of the rows and each step trains on that share's part of
// the global batch (METHOD.md §12).

import Backend
import Foundation

final class MinibatchLoop {
  let backend: any Backend
  /// Rows this process holds.
  var rows: Int { epochs.rows }
  /// Rows of the whole training set, over every share.
  var totalRows: Int { epochs.totalRows }
  var dimension: Int { epochs.dimension }
  let mean: [Float]
  let scale: Float
  /// The most rows of a global batch.
  var capacity: Int { epochs.capacity }
  let options: GenerativeOptions
  /// This process's rows of the current batch, `capacity × dimension`, centred.
  var batch: DeviceBuffer<Float> { epochs.batch }
  /// How a step's gradients are summed over the processes (nil with one process).
  let shareStep: ShareStep?
  /// Steps taken so far, over all epochs: the counter of each step's random draws.
  var steps: Int { epochs.steps }
  private let epochs: EpochLoop
  private let scaled: Matrix
  private let scaledMean: [Float]
  private var wholeBatchDraws: DeviceBuffer<Float>?
  private var centred: DeviceBuffer<Float>?

  init(data matrix: Matrix, options: GenerativeOptions, backend: any Backend, share: DataShare? = nil) throws {
    guard matrix.rows >= 1, matrix.columns >= 1 else {
      throw TrainingError.invalidData(share == nil ? "the training set is empty" : "a process's share of rows is empty")
    }
    guard options.batchSize >= 1, options.epochs >= 0 else {
      throw TrainingError.invalidData("the batch size must be at least 1 and the epochs not negative")
    }
    try share?.requireRows(of: matrix)
    self.backend = backend
    self.options = options
    let reduction = share?.reduction ?? .local
    let (scale, mean) = (InputScale.of(matrix, reduction: reduction), reduction.columnMeans(matrix).mean)
    (self.scale, self.mean) = (scale, mean)
    scaledMean = mean.map { $0 / scale }
    scaled = InputScale.apply(scale, to: matrix)
    epochs = try EpochLoop(
      data: scaled,
      mean: (try backend.makeBuffer(scaledMean), negated: try backend.makeBuffer(scaledMean.map { -$0 })),
      batchSize: options.batchSize, seed: options.seed, salt: 0x5151, share: share, resident: options.residentData,
      timeBudget: options.timeBudget, backend: backend)
    shareStep = share.map { ShareStep(reduction: $0.reduction) }
  }

  /// `(x − μ)/s` of the whole training set (this process's share) on the device, for a
  /// method whose steps use every row at once (BA's decoder and code steps).
  func wholeData() throws -> DeviceBuffer<Float> {
    if let centred { return centred }
    guard scaled.values.count * MemoryLayout<Float>.stride <= backend.largestBuffer else {
      throw TrainingError.invalidData(
        "the training set (\(rows) × \(dimension)) does not fit one buffer of \(backend.summary)")
    }
    var values = scaled.values
    for i in 0..<rows {
      for j in 0..<dimension { values[i * dimension + j] -= scaledMean[j] }
    }
    let buffer = try backend.makeBuffer(values)
    centred = buffer
    return buffer
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
    epochs count: Int, firstEpoch: Int = 1, phase: String, losses: LossAccumulator,
    onEvent: (TrainingEvent) -> Void, step: (_ rows: Int, _ epoch: Int) throws -> Void
  ) throws -> Bool {
    guard count >= 1 else { return true }
    return try epochs.run(
      epochs: firstEpoch...(firstEpoch + count - 1), losses: losses,
      onEvent: onEvent,
      step: { rows, epoch in
        shareStep?.begin(epochs.part)
        try step(rows, epoch)
      },
      ended: { epoch, terms, started, _ in
        let seconds = Date().timeIntervalSince(started)
        onEvent(
          .terms(
            EpochTerms(
              epoch: epoch, phase: phase, terms: terms, seconds: seconds,
              samplesPerSecond: Double(totalRows) / max(seconds, 1e-9))))
      })
  }

  /// Gathers the current batch's rows of another per-item table of this share (labels,
  /// codes) of `columns` values a row, in the batch's order.
  func gatherBatch(of table: DeviceBuffer<Float>, columns: Int, rows n: Int, into out: DeviceBuffer<Float>) throws {
    try epochs.gatherBatch(of: table, columns: columns, rows: n, into: out)
  }

  /// The current batch's random draws: the one process's draws for this share's rows.
  var draws: BatchDraws {
    let part = epochs.part
    guard epochs.share != nil, !part.isStandIn else { return .whole(backend) }
    return BatchDraws { [self] out, columns, n, distribution, seed, counter in
      let count = part.globalRows * columns
      if (wholeBatchDraws?.count ?? 0) < count { wholeBatchDraws = try backend.makeBuffer(Float.self, count: count) }
      let whole = wholeBatchDraws!
      try backend.fillRandom(whole, count: count, distribution, seed: seed, counter: counter)
      try backend.gatherRows(
        whole, sourceRows: part.globalRows, indices: epochs.positions, first: part.stepFirst, rows: n,
        columns: columns, subtracting: nil, into: out)
    }
  }

  /// The shifted, scaled linear hash `sign(W(x − μ)/s + c)` of a layer trained on this data.
  func linearHash(weight: [Float], bias: [Float], bits: Int) -> LinearHash {
    LinearHash(mean: mean, projection: weight.map { $0 / scale }, offset: bias, bits: bits)
  }
}
