// The field's split (METHOD.md §5): a seeded choice of Q queries; the rest is the database,
// which is also the training set unless a separate training set is given.

import Backend

public struct EvaluationSplit: Sendable {
  public var queries: Matrix
  public var database: Matrix
  public var queryLabels: [Int32]?
  public var databaseLabels: [Int32]?
  /// Row numbers of the queries in the original data set.
  public var queryRows: [Int]

  public init(queries: Matrix, database: Matrix, queryLabels: [Int32]?, databaseLabels: [Int32]?, queryRows: [Int]) {
    self.queries = queries
    self.database = database
    self.queryLabels = queryLabels
    self.databaseLabels = databaseLabels
    self.queryRows = queryRows
  }

  /// Splits `dataset` into `queryCount` seeded queries and the rest.
  public static func random(_ dataset: Dataset, queryCount: Int, seed: UInt64) throws -> EvaluationSplit {
    let n = dataset.vectors.rows
    guard queryCount >= 1, queryCount < n else {
      throw TrainingError.invalidData(
        "the number of queries must be between 1 and \(n - 1) for \(n) vectors, got \(queryCount)")
    }
    var generator = SeededGenerator(seed: seed)
    let order = generator.permutation(n)
    let queryRows = Array(order.prefix(queryCount)).sorted()
    let chosen = Set(queryRows)
    let databaseRows = (0..<n).filter { !chosen.contains($0) }
    return EvaluationSplit(
      queries: dataset.vectors.rows(queryRows), database: dataset.vectors.rows(databaseRows),
      queryLabels: dataset.labels.map { labels in queryRows.map { labels[$0] } },
      databaseLabels: dataset.labels.map { labels in databaseRows.map { labels[$0] } }, queryRows: queryRows)
  }
}
