// `sigah demo`: the main job on the bundled data (MNIST t10k).

import ArgumentParser
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

  @Option(help: "The bundled MNIST images (labels are read beside them).")
  var data = "data/mnist/t10k-images-idx3-ubyte.gz"
  @Option(help: "SiGAH training epochs.") var epochs = 10
  @Option(help: "Comma-separated code lengths.") var bits = "32,64"
  @Option(help: "Seed of the split and of every method.") var seed: UInt64 = 0
  @Option(name: .shortAndLong, help: "Folder for the report.") var out = "sigah-demo-report"
  @OptionGroup var backendOptions: BackendOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    guard FileManager.default.fileExists(atPath: data) else {
      throw CLIError("the bundled data \(data) is not here; run from the repository root or pass --data")
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
