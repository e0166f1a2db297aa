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
  private var centredResident: DeviceBuffer<Float>?
  private var streamedBlock: DeviceBuffer<Float>?

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

  /// The most rows of `(x − μ)/s` that `forEachBlock` hands over at once: every row of
  /// this share when the epoch loop keeps the data on the device, else a block that fits
  /// one buffer.
  var blockRows: Int {
    if epochs.isResident { return rows }
    let rowBytes = dimension * MemoryLayout<Float>.stride
    return max(1, min(rows, Self.streamedBlockRows, backend.largestBuffer / rowBytes))
  }

  /// Rows of one streamed block: large enough that a product over it runs at the GEMM's
  /// rate, small enough to leave the device's memory to the rest.
  static let streamedBlockRows = 8_192

  /// Calls `body` with consecutive blocks of `(x − μ)/s` of this share, in row order, for
  /// a method whose steps use every row (BA's decoder and code steps): the whole share at
  /// once, kept on the device, when the data are resident; else blocks of `blockRows`
  /// rows uploaded from host memory into one buffer.
  func forEachBlock(_ body: (_ block: DeviceBuffer<Float>, _ first: Int, _ rows: Int) throws -> Void) throws {
    if epochs.isResident {
      try body(try centredWhole(), 0, rows)
      return
    }
    let blockRows = self.blockRows
    let block = try streamedBlock ?? backend.makeBuffer(Float.self, count: blockRows * dimension)
    streamedBlock = block
    for first in stride(from: 0, to: rows, by: blockRows) {
      let count = min(blockRows, rows - first)
      try backend.upload(centred(first..<(first + count)), to: block)
      try body(block, first, count)
    }
  }

  /// Rows `range` of `(x − μ)/s`, on the host.
  private func centred(_ range: Range<Int>) -> [Float] {
    var values = Array(scaled.values[(range.lowerBound * dimension)..<(range.upperBound * dimension)])
    for i in 0..<range.count {
      for j in 0..<dimension { values[i * dimension + j] -= scaledMean[j] }
    }
    return values
  }

  /// The resident share centred once, kept for the next alternation.
  private func centredWhole() throws -> DeviceBuffer<Float> {
    if let resident = centredResident { return resident }
    let buffer = try backend.makeBuffer(centred(0..<rows))
    centredResident = buffer
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
          .epoch(
            EpochReport(
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
