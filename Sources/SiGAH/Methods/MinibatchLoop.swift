// The epoch loop HashGAN, GMANs, SGH and BA share (METHOD.md §3's, without SiGAH's
// networks): the training set centred, scaled and uploaded once; per epoch a seeded
// shuffle gathered on the device into batches of N_B (the last short one kept); the
// method's step per batch; the loss terms read once an epoch; a stop on the first
// non-finite term.

import Backend
import Foundation

final class MinibatchLoop {
  let backend: any Backend
  /// `(x − μ)/s` of the training set, on the device.
  let data: DeviceBuffer<Float>
  let rows: Int
  let dimension: Int
  let mean: [Float]
  let scale: Float
  let capacity: Int
  let options: GenerativeOptions
  /// The current batch, `capacity × dimension`.
  let batch: DeviceBuffer<Float>
  private let order: DeviceBuffer<Int32>
  private let started = Date()
  /// Steps taken so far, over all epochs: the counter of each step's random draws.
  private(set) var steps = 0
  /// The first position of the current batch in the epoch's order.
  private(set) var batchStart = 0

  init(data matrix: Matrix, options: GenerativeOptions, backend: any Backend) throws {
    guard matrix.rows >= 1, matrix.columns >= 1 else { throw TrainingError.invalidData("the training set is empty") }
    guard options.batchSize >= 1, options.epochs >= 0 else {
      throw TrainingError.invalidData("the batch size must be at least 1 and the epochs not negative")
    }
    self.backend = backend
    self.options = options
    (rows, dimension) = (matrix.rows, matrix.columns)
    let (scale, mean) = (InputScale.of(matrix), matrix.columnMeans())
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
    capacity = min(options.batchSize, rows)
    batch = try backend.makeBuffer(Float.self, count: capacity * dimension)
    order = try backend.makeBuffer(Int32.self, count: rows)
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
      try backend.upload(generator.permutation(rows).map { Int32($0) }, to: order)
      try losses.reset()
      var start = 0
      while start < rows {
        let n = min(capacity, rows - start)
        batchStart = start
        try backend.gatherRows(
          data, sourceRows: rows, indices: order, first: start, rows: n, columns: dimension, subtracting: nil,
          into: batch)
        try step(n, epoch)
        steps += 1
        start += n
        onEvent(.batch(epoch: epoch, done: start, total: rows))
      }
      let terms = try losses.read(rows: rows)
      if let bad = terms.first(where: { !$0.1.isFinite }) {
        throw TrainingError.diverged(epoch: epoch, term: bad.0, lastCheckpoint: nil)
      }
      let seconds = Date().timeIntervalSince(epochStart)
      onEvent(
        .terms(
          EpochTerms(
            epoch: epoch, phase: phase, terms: terms, seconds: seconds,
            samplesPerSecond: Double(rows) / max(seconds, 1e-9))))
      if let budget = options.timeBudget, Date().timeIntervalSince(started) >= budget { return false }
    }
    return true
  }

  /// Gathers the current batch's rows of another per-item table (labels, codes) of
  /// `columns` values a row, in the batch's order.
  func gatherBatch(of table: DeviceBuffer<Float>, columns: Int, rows n: Int, into out: DeviceBuffer<Float>) throws {
    try backend.gatherRows(
      table, sourceRows: rows, indices: order, first: batchStart, rows: n, columns: columns, subtracting: nil, into: out
    )
  }

  /// The shifted, scaled linear hash `sign(W(x − μ)/s + c)` of a layer trained on this data.
  func linearHash(weight: [Float], bias: [Float], bits: Int) -> LinearHash {
    LinearHash(mean: mean, projection: weight.map { $0 / scale }, offset: bias, bits: bits)
  }
}
