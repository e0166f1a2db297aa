// The data, queries and ground truth of an evaluation, shared by `eval` and `ablation`.

import ArgumentParser
import Backend
import Foundation
import SiGAH

struct DataSplitOptions: ParsableArguments {
  @Argument(help: "Data set (the database and training set, or everything when queries are drawn from it).")
  var data: String
  @Option(help: "Query vectors; default: --queries drawn from DATA.") var queryFile: String?
  @Option(help: "Number of queries drawn from DATA (seeded by --seed).") var queries = 1000
  @Option(help: "Ground-truth .ivecs or integer .npy (queries × K ids); default: computed.") var groundtruth: String?
  @Option(help: "Relevant neighbours per query (K).") var k = 1000
  @Option(
    help:
      "Distance of the ground truth and of the neighbours sigah-dm trains for: l2, cosine (l2 between unit-length rows) or ip (largest inner product first)."
  )
  var metric = Metric.l2
  @Option(help: "Class labels of DATA's vectors for semantic mAP (.npy, .ivecs, or text with one integer a line).")
  var labels: String?
  @Option(help: "Class labels of --query-file's vectors (as --labels).") var queryLabels: String?
  @OptionGroup var input: InputOptions

  func validate() throws {
    guard k >= 1, queries >= 1 else { throw ValidationError("--k and --queries must be at least 1.") }
    // The file's rows are the neighbours of given queries; against queries drawn from
    // DATA they would score the wrong ones with exit 0.
    if groundtruth != nil && queryFile == nil {
      throw ValidationError("--groundtruth needs the --query-file its rows were computed for.")
    }
    if queryLabels != nil && queryFile == nil {
      throw ValidationError("--query-labels labels a --query-file; queries drawn from DATA take their --labels.")
    }
    if queryFile != nil && (labels == nil) != (queryLabels == nil) {
      throw ValidationError(
        "give both --labels and --query-labels (or neither): semantic mAP needs both sides labelled.")
    }
  }

  /// The split: given queries against all of DATA, or `queries` drawn from DATA with `seed`.
  func split(seed: UInt64) throws -> EvaluationSplit {
    var dataset = try input.load(data)
    if let labels { dataset.labels = try LabelsFile.read(labels, count: dataset.vectors.rows) }
    guard let queryFile else { return try EvaluationSplit.random(dataset, queryCount: queries, seed: seed) }
    var query = try input.load(queryFile)
    if let queryLabels { query.labels = try LabelsFile.read(queryLabels, count: query.vectors.rows) }
    guard query.vectors.columns == dataset.vectors.columns else {
      throw CLIError("\(queryFile) has dimension \(query.vectors.columns) but \(data) has \(dataset.vectors.columns)")
    }
    // Semantic mAP needs both sides labelled.
    let labelled = query.labels != nil && dataset.labels != nil
    return EvaluationSplit(
      queries: query.vectors, database: dataset.vectors, queryLabels: labelled ? query.labels : nil,
      databaseLabels: labelled ? dataset.labels : nil, queryRows: [])
  }

  /// The ground truth from --groundtruth, checked against the split; nil when not given.
  func groundTruth(for split: EvaluationSplit) throws -> (ids: [Int32], k: Int)? {
    guard let groundtruth else { return nil }
    let file = try Tables.readIntegers(groundtruth)
    guard file.rows == split.queries.rows else {
      throw CLIError("\(groundtruth) has \(file.rows) rows for \(split.queries.rows) queries")
    }
    guard file.values.allSatisfy({ $0 >= 0 && Int($0) < split.database.rows }) else {
      throw CLIError("\(groundtruth) holds ids outside the \(split.database.rows)-item database")
    }
    return (file.values, file.columns)
  }
}
