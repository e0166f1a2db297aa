// `sigah eval`: the evaluation report of METHOD.md §5 for chosen methods and code lengths.

import ArgumentParser
import CommandOptions
import Foundation
import OpenCL
import SiGAH

struct Eval: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Evaluate methods at several code lengths by the field's protocol and write a report.",
    discussion: """
      Without --query-file, a seeded choice of --queries vectors of DATA are the queries and \
      the rest is the database, which is also the training set unless --train-file is \
      given. Relevant items are each query's --k exact neighbours by --metric (computed, or \
      read from --groundtruth), and for labelled data (MNIST) the items of the same label. \
      The report (report.md, report.json, recall.csv, and per code length recall-, \
      precision- and precision-recall-*.svg) goes to --out; --json \
      also prints the figures to standard output.
      """)

  @OptionGroup var split: DataSplitOptions
  @Option(help: "Training vectors; default: the database.") var trainFile: String?
  @Option(help: "Comma-separated methods.") var methods = MethodList([.lsh, .pcah, .itq, .sph, .sigah])
  @Option(help: "Comma-separated code lengths.") var bits = "32,64"
  @Option(help: "Training epochs of the learned methods (BA: alternations).") var epochs = 30
  @Option(help: "Seed of the split and of every method.") var seed: UInt64 = 0
  @Option(help: "Run once a seed (comma-separated; in place of --seed): the table gives mean ± std.")
  var seeds: SeedList?
  @Option(name: .shortAndLong, help: "Folder for the report.") var out = "sigah-report"
  @Flag(help: "Print the figures as JSON on standard output.") var json = false
  @OptionGroup var sigah: SiGAHOptions
  @OptionGroup(title: "HashGAN, GMANs, SGH and BA") var generative: GenerativeMethodOptions
  @OptionGroup var backendOptions: BackendOptions
  @OptionGroup var output: OutputOptions

  func validate() throws {
    if out == "-" { throw ValidationError("--out names a folder of files; - (standard output) cannot hold it.") }
    _ = try parseBits(bits)
    guard epochs >= 0 else { throw ValidationError("--epochs must not be negative.") }
  }

  func run() throws {
    // Status lines go to standard error: --json keeps standard output for the JSON alone.
    let quiet = output.quiet
    var settings = ExperimentSettings()
    settings.methods = methods.values
    settings.bits = try parseBits(bits)
    settings.groundTruthK = split.k
    settings.metric = split.metric
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
    let record = try runExperiment(
      split: split, trainFile: trainFile, settings: settings, seeds: seeds?.values, backendOptions: backendOptions,
      quiet: quiet, json: json, reportFolder: out)
    if json { print(String(decoding: try Report.json(record), as: UTF8.self)) }
  }
}

/// Loads the data, splits it, runs the experiment once a seed, prints the table and
/// writes the report; returns its record.
func runExperiment(
  split options: DataSplitOptions, trainFile: String?, settings: ExperimentSettings, seeds: [UInt64]? = nil,
  backendOptions: BackendOptions, quiet: Bool, json: Bool = false, reportFolder: String
) throws -> EvaluationRecord {
  let console = Console(quiet: quiet)
  let seeds = seeds ?? [settings.seed]
  let training = try trainFile.map { try options.input.load($0).vectors }
  let selected = try backendOptions.open()
  console.line("backend: \(selected.backend.summary) (\(selected.reason))")
  let printer = TrainingPrinter(quiet: quiet)
  var rows: [ExperimentRow] = []
  var shape = (queries: 0, database: 0, dimension: 0, labelled: false, relevantK: settings.groundTruthK)
  for seed in seeds {
    let split = try options.split(seed: seed)
    if let training, training.columns != split.database.columns {
      throw CLIError(
        "\(trainFile!) has dimension \(training.columns) but \(options.data) has \(split.database.columns)")
    }
    let truth = try options.groundTruth(for: split)
    shape = (
      split.queries.rows, split.database.rows, split.database.columns, split.queryLabels != nil,
      min(settings.groundTruthK, truth?.k ?? settings.groundTruthK)
    )
    console.line(
      "data: \(split.queries.rows) queries, \(split.database.rows) database vectors of dimension "
        + "\(split.database.columns)\(split.queryLabels != nil ? ", labelled" : "")\(seeds.count > 1 ? "; seed \(seed)" : "")"
    )
    var run = settings
    run.seed = seed
    rows += try Experiment.run(
      split: split, training: training, groundTruth: truth, settings: run, backend: selected.backend,
      log: { console.line($0) },
      onTrainingEvent: { event in
        if case .epoch = event { return }  // one line per method, not per epoch
        printer.handle(event)
      })
  }
  let learned = settings.methods.filter { $0.isSiGAH || $0.isGenerative }
  let record = EvaluationRecord(
    metadata: .init(
      tool: "sigah \(ModelFile.toolVersion)", arguments: CommandLine.arguments, data: options.data,
      queryFile: options.queryFile, queries: shape.queries, databaseVectors: shape.database, dimension: shape.dimension,
      relevantK: shape.relevantK, metric: settings.metric.rawValue, labelled: shape.labelled, seeds: seeds,
      methods: settings.methods.map(\.rawValue),
      bits: settings.bits, epochs: settings.training.epochs, backend: selected.backend.summary),
    rows: rows)
  let title = "sigah evaluation: \(URL(fileURLWithPath: options.data).lastPathComponent)"
  let preamble = """
    \(shape.queries) queries, \(shape.database) database vectors (dimension \(shape.dimension)); \
    relevant = the \(shape.relevantK) exact \(settings.metric.title) neighbours\
    \(shape.labelled ? " (semantic: same label)" : ""). Backend: \(selected.backend.summary). \
    \(learned.isEmpty ? "" : "\(learned.map(\.rawValue).joined(separator: ", ")): \(settings.training.epochs) epochs. ")\
    Seed\(seeds.count > 1 ? "s" : "") \(seeds.map(String.init).joined(separator: ",")). sigah \(ModelFile.toolVersion); \
    report.json records every option.
    """
  let written = try Report.write(
    record, title: title, preamble: preamble, relevantK: shape.relevantK, to: reportFolder)
  // The table is what was asked for: on standard output (`sigah eval … > table.md`),
  // unless --json asks for the record instead.
  if !json { print(Report.markdownTable(rows)) }
  console.line("report: \(written.joined(separator: ", "))")
  return record
}
