// `sigah groundtruth`: exact Euclidean top-K of each query, as .ivecs.

import ArgumentParser
import CommandOptions
import Foundation
import SiGAH

struct GroundTruthCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "groundtruth",
    abstract: "Compute the exact Euclidean K nearest database vectors of each query (.ivecs).",
    discussion: "Ties are ordered by database index. This is the file `sigah eval --groundtruth` reads.")

  @Option(help: "Database vectors.") var database: String
  @Option(help: "Query vectors.") var queries: String
  @Option(help: "Neighbours per query.") var k = 100
  @Option(help: "Distance: l2, cosine (l2 between unit-length rows) or ip (largest inner product first).")
  var metric = Metric.l2
  @Option(name: .shortAndLong, help: "Ids: .ivecs, .npy, or - for text.") var out: String
  @OptionGroup var backendOptions: BackendOptions
  @OptionGroup var input: InputOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let console = Console(quiet: output.quiet)
    _ = try Tables.destination(out, texmex: ".ivecs")  // a wrong name fails before the work
    try DistinctFiles.check(inputs: [("--database", database), ("--queries", queries)], outputs: [("--out", out)])
    let base = try input.load(database).vectors
    let query = try input.load(queries).vectors
    guard base.columns == query.columns else {
      throw CLIError("\(queries) has dimension \(query.columns) but \(database) has \(base.columns)")
    }
    guard (1...base.rows).contains(k) else {
      throw CLIError("--k must be between 1 and the database size \(base.rows), got \(k)")
    }
    let selected = try backendOptions.open()
    let progress = Progress("ground truth", total: query.rows, unit: "queries", quiet: output.quiet)
    let started = Date()
    let ids = try GroundTruth.compute(
      queries: query, database: base, k: k, backend: selected.backend, metric: metric, progress: progress.update)
    progress.finish()
    try Tables.write(integers: ids, columns: k, to: out)
    let seconds = Date().timeIntervalSince(started)
    console.line(
      String(
        format: "top %d of %d queries × %d vectors in %.2f s (%.0f queries/s) written to %@", k, query.rows, base.rows,
        seconds, Double(query.rows) / max(seconds, 1e-9), out))
  }
}
