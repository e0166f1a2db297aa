// Data-parallel training (METHOD.md §12): each process holds a share of the rows and trains
// the same model. A global batch is the one process's batch (the same seeded permutation of
// all rows); each process takes the rows of it that lie in its share, n_p of the batch's n.
// Per-row losses are normalised by n_p on each process, so the sum Σ_p (n_p/n)·g_p of the
// processes' gradients is the whole batch's gradient, and every process applies the same
// Adam step to the same weights. Random draws are made for the whole batch on every process
// and each keeps its rows', so every draw is the one process's.

import Backend

/// The rows of a data set one process holds, and how its sums reach the others.
public struct DataShare: Sendable {
  /// Which of the `total` rows the process's matrix holds, in order.
  public let rows: Range<Int>
  public let total: Int
  public let reduction: ShardReduction
  /// Whether this process writes the run's files (checkpoints) and measures its
  /// validation mAP, on its own share, for every process (`sigah-mpi`: rank 0).
  public let writer: Bool

  public init(rows: Range<Int>, total: Int, reduction: ShardReduction, writer: Bool = true) {
    precondition(rows.lowerBound >= 0 && rows.upperBound <= total)
    self.rows = rows
    self.total = total
    self.reduction = reduction
    self.writer = writer
  }

  /// Throws unless `data` holds the rows this share names.
  func requireRows(of data: Matrix) throws {
    guard rows.count == data.rows else {
      throw TrainingError.invalidData("the share holds \(data.rows) rows, not the \(rows.count) it names")
    }
  }

  /// `measure()` taken by the writer alone and given to every process (so that all keep
  /// the same epoch or step); the others' closures are not called.
  func measuredByWriter(_ measure: () throws -> Double) rethrows -> Double {
    reduction.sum([writer ? try measure() : 0])[0]
  }

  /// Every process's rows of `data` (this process's share), in order, on every process.
  func wholeData(_ share: Matrix) throws -> Matrix {
    let values = reduction.gather(share.values).values
    guard values.count == total * share.columns else {
      throw TrainingError.invalidData("the shares hold \(values.count / max(share.columns, 1)) rows, not \(total)")
    }
    return Matrix(rows: total, columns: share.columns, values: values)
  }

  /// Every process's `ids` (row ids, below 2³²), in process order, on every process: each
  /// id travels as two Floats of 16 bits, which hold it exactly.
  func gatherIDs(_ ids: [Int32]) -> [Int32] {
    let halves = ids.flatMap { [Float(UInt32(bitPattern: $0) >> 16), Float(UInt32(bitPattern: $0) & 0xFFFF)] }
    let all = reduction.gather(halves).values
    return (0..<(all.count / 2)).map { Int32(bitPattern: UInt32(all[2 * $0]) << 16 | UInt32(all[2 * $0 + 1])) }
  }

  /// This process's anchor slots of a step of `anchors` (in proportion to its rows), and its
  /// weight in the step; a process whose part is empty steps on one stand-in slot at weight 0.
  func part(ofSlots anchors: Int) -> (slots: Range<Int>, weight: Double) {
    let (low, high) = (anchors * rows.lowerBound / max(total, 1), anchors * rows.upperBound / max(total, 1))
    guard high > low else { return (min(low, anchors - 1)..<(min(low, anchors - 1) + 1), 0) }
    return (low..<high, Double(high - low) / Double(anchors))
  }
}

/// What a data-parallel step shares with the other processes: the sums of the gradients,
/// each process's weighted by its part of the batch, and the sums over the whole batch that
/// batch-wide terms (bit frequencies, feature means, variances) take instead of their part's.
final class ShareStep {
  let reduction: ShardReduction
  /// `n_p / n` of the current batch; 0 on a process that holds none of its rows and steps
  /// on a stand-in row only to take part in the sums.
  var weight: Double = 1
  /// The rows of the current global batch, n.
  var batchRows = 1

  init(reduction: ShardReduction) { self.reduction = reduction }

  /// Whether this process's rows count in the current batch (false for a stand-in).
  var counts: Bool { weight > 0 }

  /// `gradients ← Σ_p weight_p · gradients_p`, the same on every process.
  func combine(_ gradients: DeviceBuffer<Float>, count: Int, backend: any Backend) throws {
    let local = try backend.download(gradients, count: count)
    let total = reduction.sum(local.map { Double($0) * weight })
    try backend.upload(total.map { Float($0) }, to: gradients)
  }

  /// `sums ← Σ_p sums_p`: a part's sums over its rows made the whole batch's.
  func total(_ sums: DeviceBuffer<Float>, count: Int, backend: any Backend) throws {
    try backend.upload(total(try backend.download(sums, count: count)), to: sums)
  }

  func total(_ sums: [Float]) -> [Float] {
    reduction.sum(sums.map { counts ? Double($0) : 0 }).map { Float($0) }
  }
}

/// What a batch-wide term needs in a data-parallel run: `share` (nil with one process)
/// totals its part's sums over the whole batch of `batchRows(n)` rows.
protocol BatchWide: AnyObject {
  var share: ShareStep? { get set }
}

extension BatchWide {
  /// The rows of the whole batch of which this process holds `n`.
  func batchRows(_ n: Int) -> Int { share?.batchRows ?? n }

  /// Totals `sums` over every process's part of the batch (nothing with one process).
  func totalOverBatch(_ sums: DeviceBuffer<Float>, count: Int, backend: any Backend) throws {
    try share?.total(sums, count: count, backend: backend)
  }
}

/// Fills the rows of this process's part of the batch with the draws the one process
/// makes for those rows: directly when the process holds every row, else by drawing for the
/// whole batch and keeping its rows.
struct BatchDraws {
  let draw:
    (
      _ out: DeviceBuffer<Float>, _ columns: Int, _ rows: Int, _ distribution: RandomDistribution, _ seed: UInt64,
      _ counter: UInt64
    ) throws -> Void

  /// Draws for `rows` rows of `columns` values, as rows of the batch.
  func fill(
    _ out: DeviceBuffer<Float>, columns: Int, rows: Int, _ distribution: RandomDistribution, seed: UInt64,
    counter: UInt64
  ) throws {
    try draw(out, columns, rows, distribution, seed, counter)
  }

  /// Draws of a process that holds every row of every batch.
  static func whole(_ backend: any Backend) -> BatchDraws {
    BatchDraws { out, columns, rows, distribution, seed, counter in
      try backend.fillRandom(out, count: rows * columns, distribution, seed: seed, counter: counter)
    }
  }
}

extension ShareStep {
  /// Every process's `rows` rows of `buffer` (`columns` values each), in process order, on
  /// every process, and the row where this process's begin. A stand-in step sends none.
  func gather(_ buffer: DeviceBuffer<Float>, rows: Int, columns: Int, backend: any Backend) throws -> (
    values: [Float], firstRow: Int
  ) {
    let local = counts ? try backend.download(buffer, count: rows * columns) : []
    let (values, offset) = reduction.gather(local)
    return (values, offset / max(columns, 1))
  }
}

/// One epoch's batches as a process sees them: the global batches of `capacity` rows cut
/// from the seeded permutation of every row, and the rows of each that the process holds.
struct EpochSchedule {
  /// The process's rows (indices into its share) in the permutation's order.
  let order: [Int32]
  /// Each one's position in its global batch.
  let positions: [Int32]
  /// How many rows of each global batch the process holds.
  let counts: [Int]
  let capacity: Int
  let totalRows: Int

  init(permutation: [Int], share: DataShare?, capacity: Int) {
    self.capacity = capacity
    totalRows = permutation.count
    let batches = (permutation.count + capacity - 1) / capacity
    guard let share else {
      order = permutation.map { Int32($0) }
      positions = []
      counts = (0..<batches).map { min(capacity, permutation.count - $0 * capacity) }
      return
    }
    var (order, positions) = ([Int32](), [Int32]())
    var counts = [Int](repeating: 0, count: batches)
    for (position, row) in permutation.enumerated() where share.rows.contains(row) {
      order.append(Int32(row - share.rows.lowerBound))
      positions.append(Int32(position % capacity))
      counts[position / capacity] += 1
    }
    (self.order, self.positions, self.counts) = (order, positions, counts)
  }

  /// One global batch: its rows, and the process's part of it, `order[first..<first + rows]`.
  struct Batch {
    let globalRows: Int
    let first: Int
    let rows: Int
    /// Rows trained on all processes so far, this batch's included.
    let done: Int

    /// A process without rows in this batch steps on a stand-in row (its first) with
    /// weight 0 and its losses undone: the sums of every step need every process.
    var isStandIn: Bool { rows == 0 }
    /// The rows the step runs on, `order[stepFirst..<stepFirst + stepRows]`.
    var stepFirst: Int { isStandIn ? 0 : first }
    var stepRows: Int { isStandIn ? 1 : rows }
  }

  var batches: [Batch] {
    var (done, first) = (0, 0)
    return counts.map { rows in
      let globalRows = min(capacity, totalRows - done)
      defer { (done, first) = (done + globalRows, first + rows) }
      return Batch(globalRows: globalRows, first: first, rows: rows, done: done + globalRows)
    }
  }
}

extension ShareStep {
  /// Sets the weights of `batch`'s step: the process's part of it, or 0 for a stand-in.
  func begin(_ batch: EpochSchedule.Batch) {
    weight = batch.isStandIn ? 0 : Double(batch.rows) / Double(batch.globalRows)
    batchRows = batch.globalRows
  }
}
