// `sigah ablation`: which parts of SiGAH-DM carry the result (issue 8's table).

import ArgumentParser
import CommandOptions
import Foundation
import SiGAH

struct AblationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ablation",
    abstract:
      "Which parts of a method carry its result: SiGAH-DM's changes, or the ablation of HashGAN, GMANs, SGH or BA.",
    discussion: """
      Evaluates every variant (and ITQ) at each code length over several seeds by the \
      protocol of `sigah eval`, and writes ablation.md and ablation.json to --out. \
      Example (SIFT10K, its queries and top-100 ground truth): sigah ablation \
      data/siftsmall/siftsmall_base.fvecs --query-file data/siftsmall/siftsmall_query.fvecs \
      --groundtruth data/siftsmall/siftsmall_groundtruth.ivecs --k 100
      """)

  @OptionGroup var splitOptions: DataSplitOptions
  @Option(help: "Comma-separated code lengths.") var bits = "32,64"
  @Option(help: "Comma-separated seeds.") var seeds = SeedList(argument: "0,1,2")!
  @Option(help: "Training epochs of every variant.") var epochs = 30
  @Option(help: "Whose ablation: sigah-dm (SiGAH's changes), hashgan, gmans, sgh or ba.") var method = HashMethod
    .sigahDM
  @OptionGroup(title: "HashGAN, GMANs, SGH and BA") var generative: GenerativeMethodOptions
  @Option(help: "Samples per batch of the learned methods.") var batchSize = 500
  @Option(name: .shortAndLong, help: "Folder for ablation.md and ablation.json.") var out = "sigah-ablation"
  @OptionGroup var backendOptions: BackendOptions
  @OptionGroup var output: OutputOptions

  func validate() throws {
    if out == "-" { throw ValidationError("--out names a folder of files; - (standard output) cannot hold it.") }
    guard method.isSiGAH || method.isGenerative else {
      throw ValidationError("--method must be sigah-dm, hashgan, gmans, sgh or ba, got '\(method.rawValue)'.")
    }
  }

  func run() throws {
    let console = Console(quiet: output.quiet)
    let seedList = seeds.values
    let split = try splitOptions.split(seed: 0)
    let selected = try backendOptions.open()
    console.line("backend: \(selected.backend.summary) (\(selected.reason))")
    let k = splitOptions.k
    let truth =
      try splitOptions.groundTruth(for: split)
      ?? {
        let kk = min(k, split.database.rows)
        return (
          try GroundTruth.compute(
            queries: split.queries, database: split.database, k: kk, backend: selected.backend,
            metric: splitOptions.metric),
          kk
        )
      }()
    let rows: [AblationRow]
    if method.isSiGAH {
      var options = TrainingOptions()
      options.epochs = epochs
      rows = try Ablation.run(
        split: split, truth: truth, relevantCount: min(k, truth.k),
        variants: Ablation.variants(validationKs: [min(k, truth.k)]),
        bits: try parseBits(bits),
        seeds: seedList, options: options, backend: selected.backend, log: { console.line($0) })
    } else {
      var options = GenerativeOptions()
      options.epochs = epochs
      options.batchSize = batchSize
      rows = try Ablation.run(
        split: split, truth: truth, relevantCount: min(k, truth.k),
        variants: Ablation.variants(
          method, configurations: generative.configurations, options: options,
          backend: selected.backend),
        bits: try parseBits(bits), seeds: seedList, backend: selected.backend, log: { console.line($0) })
    }
    let table = Ablation.markdown(rows)
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    try AtomicFile.write(Data(table.utf8), to: out + "/ablation.md")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(try encoder.encode(rows), to: out + "/ablation.json")
    console.line("")
    console.line(table)
  }
}
