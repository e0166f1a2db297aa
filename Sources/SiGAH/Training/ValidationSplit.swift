// Model selection on a validation split carved from the training set (METHOD.md §3b.3):
// `size` training vectors are pseudo-queries against the rest, with their own exact top-K
// ground truth; the test queries are never seen. With several K the score is the mean of
// the mAP at each (a user who searches for 10 and one who searches for 1,000 both count). A measurement runs on the device from
// end to end: the vectors are uploaded once (when they fit), the codes and the per-query
// average precisions never leave it, and a call uploads the hash function and reads back
// one number a query.

import Backend

public final class ValidationSplit {
  /// Rows of the training set used as pseudo-queries.
  public let queryRows: [Int]
  let queries: Matrix
  let database: Matrix
  let truth: [Int32]
  /// The Ks whose mAPs are averaged, each at most the database's size, ascending.
  public let ks: [Int]
  let backend: any Backend
  private let residentQueries: DeviceBuffer<Float>?
  private let residentDatabase: DeviceBuffer<Float>?
  /// Per K, each pseudo-query's K true neighbours, sorted by id (what `averagePrecision` needs).
  private let relevantIds: [DeviceBuffer<Int32>]
  private let averagePrecisions: DeviceBuffer<Float>

  public convenience init(training: Matrix, size: Int, k: Int, seed: UInt64, backend: any Backend) throws {
    try self.init(training: training, size: size, ks: [k], seed: seed, backend: backend)
  }

  public init(training: Matrix, size: Int, ks: [Int], seed: UInt64, backend: any Backend, metric: Metric = .l2) throws {
    guard !ks.isEmpty, ks.allSatisfy({ $0 >= 1 }) else {
      throw TrainingError.invalidData("the validation needs one or more K of at least 1, got \(ks)")
    }
    guard size >= 1, size < training.rows else {
      throw TrainingError.invalidData("the validation size must be between 1 and \(training.rows - 1), got \(size)")
    }
    var generator = SeededGenerator(seed: seed ^ 0x76A1_1D47)
    queryRows = Array(generator.permutation(training.rows).prefix(size)).sorted()
    let chosen = Set(queryRows)
    queries = training.rows(queryRows)
    database = training.rows((0..<training.rows).filter { !chosen.contains($0) })
    let databaseRows = database.rows
    let ks = Set(ks.map { min($0, databaseRows) }).sorted()
    self.ks = ks
    self.backend = backend
    let deepest = ks.last!
    let truth = try GroundTruth.compute(
      queries: queries, database: database, k: deepest, backend: backend, metric: metric)
    self.truth = truth
    relevantIds = try ks.map { k in
      var sortedTruth: [Int32] = []
      sortedTruth.reserveCapacity(size * k)
      for q in 0..<size { sortedTruth += truth[(q * deepest)..<(q * deepest + k)].sorted() }
      return try backend.makeBuffer(sortedTruth)
    }
    averagePrecisions = try backend.makeBuffer(Float.self, count: size)
    let fits = { (matrix: Matrix) in matrix.values.count * MemoryLayout<Float>.stride <= backend.largestBuffer }
    residentQueries = fits(queries) ? try backend.makeBuffer(queries.values) : nil
    residentDatabase = fits(database) ? try backend.makeBuffer(database.values) : nil
  }

  /// The encoder and the codes of one code length.
  private struct Workspace {
    let encoder: LinearHashEncoder
    let queryCodes: DeviceBuffer<UInt64>
    let databaseCodes: DeviceBuffer<UInt64>
  }

  /// The workspace of the last code length measured, kept between calls.
  private var workspace: Workspace?

  private func workspace(bits: Int) throws -> Workspace {
    if let workspace, workspace.encoder.bits == bits { return workspace }
    let words = codeWords(bits: bits)
    let made = Workspace(
      encoder: try LinearHashEncoder(
        bits: bits, inputDimension: database.columns, blockRows: min(4096, database.rows), backend: backend),
      queryCodes: try backend.makeBuffer(UInt64.self, count: queries.rows * words),
      databaseCodes: try backend.makeBuffer(UInt64.self, count: database.rows * words))
    workspace = made
    return made
  }

  /// Euclidean mAP of a hash function on the validation split: the mean over the
  /// pseudo-queries of the AP of their whole Hamming ranking, ties by index; with several
  /// K, the mean of the mAP at each.
  public func meanAveragePrecision(_ hash: LinearHash) throws -> Double {
    try meanAveragePrecision(.linear(hash))
  }

  /// The same for either kind of SiGAH hash function; the residual's MLP encodes the
  /// resident rows on the device too.
  public func meanAveragePrecision(_ hash: SiGAHHash) throws -> Double {
    guard hash.inputDimension == database.columns else {
      throw TrainingError.invalidData(
        "the hash is for dimension \(hash.inputDimension), the validation data has \(database.columns)")
    }
    let workspace = try workspace(bits: hash.bits)
    switch hash {
    case .linear(let linear):
      try workspace.encoder.load(linear)
      try workspace.encoder.encode(queries, resident: residentQueries, into: workspace.queryCodes)
      try workspace.encoder.encode(database, resident: residentDatabase, into: workspace.databaseCodes)
    case .residual(let mlp):
      let encoder = try MLPHashEncoder(mlp, blockRows: min(2048, database.rows), backend: backend)
      try encoder.encode(queries, resident: residentQueries, into: workspace.queryCodes)
      try encoder.encode(database, resident: residentDatabase, into: workspace.databaseCodes)
    }
    var total = 0.0
    for (k, relevant) in zip(ks, relevantIds) {
      try backend.averagePrecision(
        queries: workspace.queryCodes, queryCount: queries.rows, database: workspace.databaseCodes,
        databaseCount: database.rows,
        bits: hash.bits, relevantIds: relevant, relevantPerQuery: k, into: averagePrecisions)
      let values = try backend.download(averagePrecisions, offset: 0, count: queries.rows)
      total += values.reduce(0.0) { $0 + Double($1) } / Double(queries.rows)
    }
    return total / Double(ks.count)
  }
}
