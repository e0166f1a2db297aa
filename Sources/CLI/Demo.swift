// `sigah demo`: the main job on the bundled data (MNIST t10k).

import ArgumentParser
import CommandOptions
import Foundation
import SiGAH

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train SiGAH and the baselines on the bundled MNIST test set and write the report.",
    discussion: """
      The METHOD.md §5 protocol on data/mnist/t10k-images-idx3-ubyte.gz: 1,000 seeded queries, \
      9,000 database and training images; LSH, PCAH, ITQ, Spherical Hashing, SiGAH as \
      printed and SiGAH-DM (METHOD.md §3b) at 32 and 64 bits; Euclidean top-1000 mAP, Precision@100 and semantic (same-digit) mAP; \
      a Markdown report with SVG recall curves in --out. A few minutes on 2 CPU cores.
      """)

  @Option(help: "The MNIST images (labels are read beside them); default: the bundled ones.")
  var data: String?
  @Option(help: "SiGAH training epochs.") var epochs = 10
  @Option(help: "Comma-separated code lengths.") var bits = "32,64"
  @Option(help: "Seed of the split and of every method.") var seed: UInt64 = 0
  @Option(name: .shortAndLong, help: "Folder for the report.") var out = "sigah-demo-report"
  @OptionGroup var backendOptions: BackendOptions
  @OptionGroup var output: OutputOptions

  func validate() throws {
    if out == "-" { throw ValidationError("--out names a folder of files; - (standard output) cannot hold it.") }
  }

  /// Where the bundled images are: under the current folder (a checkout), or beside the
  /// executable (the release bundle's `data/`, one level above `bin/`).
  static func bundledData() -> [String] {
    let relative = "data/mnist/t10k-images-idx3-ubyte.gz"
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    let bundle = executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(relative)
    return [relative, bundle.path]
  }

  func run() throws {
    let candidates = data.map { [$0] } ?? Self.bundledData()
    guard let data = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      throw CLIError(
        "the MNIST images are not at \(candidates.joined(separator: " or ")); pass --data with their path")
    }
    var settings = ExperimentSettings()
    settings.methods = [.lsh, .pcah, .itq, .sph, .sigah, .sigahDM]
    settings.bits = try parseBits(bits)
    settings.seed = seed
    settings.training.epochs = epochs
    let split = try DataSplitOptions.parse([data, "--queries", "1000", "--k", "1000"])
    _ = try runExperiment(
      split: split, trainFile: nil, settings: settings, backendOptions: backendOptions, quiet: output.quiet,
      reportFolder: out)
  }
}
