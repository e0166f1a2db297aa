// Option groups shared by several commands.

import ArgumentParser
import Foundation
import SiGAH

struct OutputOptions: ParsableArguments {
  @Flag(name: .shortAndLong, help: "Print nothing but errors and the requested output.")
  var quiet = false
}

/// How the command's data files are read: the kind of data on standard input, and the
/// label column of CSV files (dropped from the vectors, so that a labelled CSV that trains
/// also encodes, searches and evaluates).
struct InputOptions: ParsableArguments {
  @Option(help: "The kind of data on standard input when an input is -: fvecs, bvecs, ivecs, npy, csv, idx or idx.gz.")
  var format: String?
  // Unconditional: `--label-column -1` is a value, not an option.
  @Option(parsing: .unconditional, help: "CSV only: the 0-based column holding integer labels (−1 = last).")
  var labelColumn: Int?

  /// The data set at `path` as these options read it.
  func load(_ path: String) throws -> Dataset {
    try Dataset.load(path, labelColumn: labelColumn, format: format)
  }
}

/// Parses "32,64" into bit lengths within 1…4096.
func parseBits(_ text: String) throws -> [Int] {
  let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
  guard !values.isEmpty, values.allSatisfy({ $0 != nil && (1...4096).contains($0!) }) else {
    throw ValidationError("--bits must be a comma-separated list of lengths from 1 to 4096, got '\(text)'.")
  }
  return values.map { $0! }
}

/// A training event printer: per-epoch lines (always, unless quiet) and a bar on a terminal.
final class TrainingPrinter {
  let console: Console
  let quiet: Bool
  var bar: Progress?
  var barEpoch = 0

  init(quiet: Bool) {
    self.quiet = quiet
    console = Console(quiet: quiet)
  }

  /// Ends a bar left open (a fit that converged before its last iteration).
  func finish() {
    bar?.finish()
    bar = nil
  }

  func handle(_ event: TrainingEvent) {
    switch event {
    case .batch(let epoch, let done, let total):
      if bar == nil || barEpoch != epoch {
        bar = Progress("epoch \(epoch)", total: total, unit: "samples", quiet: quiet)
        barEpoch = epoch
      }
      bar?.update(done)
    case .epoch(let report):
      bar?.finish()
      bar = nil
      let terms = report.terms.map { String(format: "%@ %.5g", $0.name, $0.value) }.joined(separator: "  ")
      let validation = report.validationMAP.map { String(format: "  val mAP %.4f", $0) } ?? ""
      console.line(
        String(
          format: "epoch %3d  %@%@  %.0f samples/s%@", report.epoch, report.phase.isEmpty ? "" : report.phase + "  ",
          terms, report.samplesPerSecond, validation))
    case .checkpoint(let path, let epoch):
      console.line("checkpoint: epoch \(epoch) written to \(path)")
    case .rankingNeighbours(let done, let total):
      if barEpoch != -1 {
        bar = Progress("ranking stage: neighbour lists", total: total, unit: "vectors", quiet: quiet)
        barEpoch = -1
      }
      bar?.update(done)
    case .fitting(let method, let done, let total):
      if barEpoch != -3 {
        bar = Progress("fitting \(method.rawValue)", total: total, unit: "iterations", quiet: quiet)
        barEpoch = -3
      }
      bar?.update(done)
    case .rankingStep(let step, let total):
      if barEpoch != -2 {
        bar?.finish()
        bar = Progress("ranking stage", total: total, unit: "steps", quiet: quiet)
        barEpoch = -2
      }
      bar?.update(step)
    case .rankingCheckpoint(let checkpoint):
      bar?.finish()
      let validation = checkpoint.validationMAP.map { String(format: "  val mAP %.4f", $0) } ?? ""
      console.line(String(format: "ranking step %5d  loss %.5g%@", checkpoint.step, checkpoint.loss, validation))
    }
  }
}
