// `sigah eval`: the evaluation report of METHOD.md §5 for chosen methods and code lengths.

import ArgumentParser
import CommandOptions
import Foundation
import Kernels
import SiGAH

struct Eval: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Evaluate methods at several code lengths by the field's protocol and write a report.",
    discussion: """
      Without --query-file, a seeded choice of --queries vectors of DATA are the queries and \
      the rest is the database, which is also the training set unless --train-file is \
      given. Relevant items are each query's --k exact Euclidean neighbours (computed, or \
      read from --groundtruth), and for labelled data (MNIST) the items of the same label. \
      The report (report.md, report.json, recall.csv, and per code length recall-, \
      precision- and precision-recall-*.svg) goes to --out; --json \
      also prints the figures to standard output.
      """)

  @OptionGroup var split: DataSplitOptions
  @Option(help: "Training vectors; default: the database.") var trainFile: String?
  @Option(
    help: "Comma-separated methods: \(HashMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
  var methods =
    "lsh,pcah,itq,sph,sigah"
  @Option(help: "Comma-separated code lengths.") var bits = "32,64"
  @Option(help: "Training epochs of the learned methods (BA: alternations).") var epochs = 30
  @Option(help: "Seed of the split and of every method.") var seed: UInt64 = 0
  @Option(name: .shortAndLong, help: "Folder for the report.") var out = "sigah-report"
  @Flag(help: "Print the figures as JSON on standard output.") var json = false
  @OptionGroup var sigah: SiGAHOptions
  @OptionGroup(title: "HashGAN, GMANs, SGH and BA") var generative: GenerativeMethodOptions
  @OptionGroup var backendOptions: BackendOptions
  @OptionGroup var output: OutputOptions

  func validate() throws {
    _ = try parseBits(bits)
    _ = try parseMethods(methods)
    guard epochs >= 0 else { throw ValidationError("--epochs must not be negative.") }
  }

  func run() throws {
    // Status lines go to standard error: --json keeps standard output for the JSON alone.
    let quiet = output.quiet
    var settings = ExperimentSettings()
    settings.methods = try parseMethods(methods)
    settings.bits = try parseBits(bits)
    settings.groundTruthK = split.k
    settings.seed = seed
    settings.sigah = sigah.configuration(method: .sigah, bits: 0, seed: seed)
    settings.sigahDM = sigah.configuration(method: .sigahDM, bits: 0, seed: seed)
    settings.validationSize = sigah.valSize ?? 500
    // The evaluation's K, unless --val-k says which Ks the training serves.
    settings.validationKs = sigah.valK?.values
    settings.training.epochs = epochs
    settings.generative = generative.configurations
    settings.generativeBatchSize = sigah.resolvedBatchSize
    settings.training.schedule = sigah.learningRateSchedule(for: .sigah)
    let rows = try runExperiment(
      split: split, trainFile: trainFile, settings: settings, backendOptions: backendOptions, quiet: quiet,
      json: json, reportFolder: out)
    if json { print(String(decoding: try Report.json(rows), as: UTF8.self)) }
  }
}

/// Loads the data, splits it, runs the experiment, prints the table and writes the report.
func runExperiment(
  split options: DataSplitOptions, trainFile: String?, settings: ExperimentSettings, backendOptions: BackendOptions,
  quiet: Bool, json: Bool = false, reportFolder: String
) throws -> [ExperimentRow] {
  let console = Console(quiet: quiet)
  let split = try options.split(seed: settings.seed)
  let training = try trainFile.map { try Dataset.load($0).vectors }
  if let training, training.columns != split.database.columns {
    throw CLIError("\(trainFile!) has dimension \(training.columns) but \(options.data) has \(split.database.columns)")
  }
  let truth = try options.groundTruth(for: split)
  let selected = try backendOptions.open()
  console.line("backend: \(selected.backend.summary) (\(selected.reason))")
  console.line(
    "data: \(split.queries.rows) queries, \(split.database.rows) database vectors of dimension \(split.database.columns)\(split.queryLabels != nil ? ", labelled" : "")"
  )
  let printer = TrainingPrinter(quiet: quiet)
  let rows = try Experiment.run(
    split: split, training: training, groundTruth: truth, settings: settings, backend: selected.backend,
    log: { console.line($0) },
    onTrainingEvent: { event in
      if case .epoch = event { return }  // one line per method, not per epoch
      printer.handle(event)
    })
  let title = "sigah evaluation: \(URL(fileURLWithPath: options.data).lastPathComponent)"
  let preamble = """
    \(split.queries.rows) queries, \(split.database.rows) database vectors (dimension \(split.database.columns)); \
    relevant = the \(min(settings.groundTruthK, truth?.k ?? settings.groundTruthK)) exact Euclidean neighbours\
    \(split.queryLabels != nil ? " (semantic: same label)" : ""). Backend: \(selected.backend.summary). \
    SiGAH: \(settings.training.epochs) epochs. Seed \(settings.seed).
    """
  let written = try Report.write(
    rows, title: title, preamble: preamble, relevantK: min(settings.groundTruthK, truth?.k ?? settings.groundTruthK),
    to: reportFolder)
  // The table is what was asked for: on standard output (`sigah eval … > table.md`),
  // unless --json asks for the rows instead.
  if !json { print(Report.markdownTable(rows, title: "Euclidean top-K mAP, Precision@100, semantic mAP")) }
  console.line("report: \(written.joined(separator: ", "))")
  return rows
}
