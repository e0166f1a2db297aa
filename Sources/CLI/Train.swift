// `sigah train`: fit SiGAH or a baseline on a data file and write the model file.

import ArgumentParser
import Backend
import CommandOptions
import Foundation
import OpenCL
import SiGAH

struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train a hashing model on a file of vectors and write it as a model file.",
    discussion: """
      DATA is .fvecs, .bvecs, .npy (float32/float64/uint8, 2-D), .csv or an MNIST \
      idx3-ubyte file (plain or .gz; pixels are read as value/255). SiGAH trains with \
      Adam for --epochs (or until --time-budget runs out); the baselines (lsh, pcah, itq, \
      sph, isoh, sh, kmh) are fitted in one pass. Every hyper-parameter and ablation of METHOD.md §1–3 is an \
      option below, with the paper's default.

      Example: sigah train data/mnist/t10k-images-idx3-ubyte.gz --bits 64 --epochs 30 \
      --out mnist64.safetensors
      """)

  @Argument(help: "Training vectors (- for standard input with --format).") var data: String
  @OptionGroup var job: TrainingJobOptions
  @Option(help: "The learned methods: also write one JSON line per epoch (its terms by name) to this file.")
  var logJson: String?
  @OptionGroup var backendOptions: BackendOptions
  @OptionGroup var input: InputOptions
  @OptionGroup var output: OutputOptions

  func validate() throws {
    // The log is rewritten whole after every epoch: a stream would repeat it.
    if logJson == "-" { throw ValidationError("--log-json is rewritten every epoch: give it a file, not -.") }
    if job.out == "-" && job.checkpointPath == "-.checkpoint" {
      throw ValidationError("with --out - (standard output), --checkpoint-every needs --checkpoint PATH.")
    }
    if let method = job.method, !method.isSiGAH, !method.isGenerative, logJson != nil {
      throw ValidationError("--log-json logs epochs; \(method.rawValue) is fitted without them.")
    }
  }

  func run() throws {
    let console = Console(quiet: output.quiet)
    let out = job.out
    try DistinctFiles.check(
      inputs: [("the data", data)],
      outputs: [("--out", out), ("--checkpoint", job.checkpointPath), ("--log-json", logJson)])
    // Resuming from the checkpoint that the run goes on writing is the usual way.
    try DistinctFiles.check(inputs: [("--resume", job.resume)], outputs: [("--out", out), ("--log-json", logJson)])
    let job = try self.job.job()
    let dataset = try input.load(data)
    let selected = try backendOptions.open()
    console.line("backend: \(selected.backend.summary) (\(selected.reason))")
    console.line("data: \(dataset.vectors.rows) vectors of dimension \(dataset.vectors.columns) from \(data)")
    let printer = TrainingPrinter(quiet: output.quiet)
    var log: [String] = []
    // An unwritable log fails before the training, not silently after it.
    if let logJson { try AtomicFile.write(Data(), to: logJson) }
    var logFailure: Error?
    let started = Date()
    let model = try job.run(
      data: dataset.vectors, backend: selected.backend,
      onEvent: { event in
        printer.handle(event)
        guard let path = logJson, logFailure == nil, case .epoch(let report) = event else { return }
        do {
          log.append(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
          try AtomicFile.write(Data((log.joined(separator: "\n") + "\n").utf8), to: path)
        } catch {
          logFailure = error
        }
      }, status: console.line)
    printer.finish()
    let seconds = Date().timeIntervalSince(started)
    if case .sigah(let trained) = model {
      let ranking = trained.summary?.ranking.map { stage in
        String(
          format: "; ranking stage %d steps in %.1f s, kept step %d", stage.checkpoints.last?.step ?? 0,
          stage.seconds, stage.keptStep)
      }
      console.line(
        String(
          format: "trained %d epochs at %.0f samples/s%@ (%.1f s in all)", trained.summary?.epochs.count ?? 0,
          trained.summary?.samplesPerSecond ?? 0, ranking ?? "", seconds))
    } else {
      console.line(
        String(format: "%@ %@ in %.2f s", job.method.isGenerative ? "trained" : "fitted", job.method.rawValue, seconds))
    }
    try model.write(to: out)
    // The model is kept when only its log failed: the training itself succeeded.
    if let logFailure { throw logFailure }
    console.line("model: \(out) (\(model.method.rawValue), \(model.bits) bits, dimension \(model.inputDimension))")
  }
}
