// `sigah train`: fit SiGAH or a baseline on a data file and write the model file.

import ArgumentParser
import Backend
import CommandOptions
import Foundation
import Kernels
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
  @Option(help: "The method (METHOD.md; sigah-dm is the library's recommended one).") var method = HashMethod.sigah
  @Option(help: "Code length r (1–4096).") var bits = 64
  @Option(help: "Training epochs (SiGAH, HashGAN, GMANs and SGH; BA's alternations).") var epochs = 30
  @Option(help: "Stop at the first epoch boundary after this many seconds.") var timeBudget: Double?
  @Option(help: "Seed of every random draw (weights, Ψ, shuffles, projections).") var seed: UInt64 = 0
  @Option(help: "Write a checkpoint every N epochs (and at the end).") var checkpointEvery: Int?
  @Option(help: "Checkpoint path (default: OUT.checkpoint).") var checkpoint: String?
  @Option(help: "Continue the run saved in this checkpoint.") var resume: String?
  @Option(name: .shortAndLong, help: "The model file to write (safetensors).") var out: String
  @Option(help: "Also write one JSON line per epoch to this file.") var logJson: String?
  // Unconditional: `--label-column -1` is a value, not an option.
  @Option(parsing: .unconditional, help: "CSV only: the 0-based column holding integer labels (−1 = last).")
  var labelColumn: Int?
  @OptionGroup var sigah: SiGAHOptions
  @OptionGroup(title: "HashGAN, GMANs, SGH and BA") var generative: GenerativeMethodOptions
  @OptionGroup var backendOptions: BackendOptions
  @OptionGroup var input: InputFormatOptions
  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard (1...4096).contains(bits) else { throw ValidationError("--bits must be between 1 and 4096, got \(bits).") }
    guard epochs >= 0 else { throw ValidationError("--epochs must not be negative, got \(epochs).") }
    if let timeBudget, !(timeBudget.isFinite && timeBudget > 0) {
      throw ValidationError("--time-budget must be a finite number of seconds above 0, got \(timeBudget).")
    }
    if let checkpointEvery, checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1.") }
    if !method.isSiGAH, checkpointEvery != nil || checkpoint != nil || resume != nil || logJson != nil {
      throw ValidationError(
        "--checkpoint-every, --checkpoint, --resume and --log-json are SiGAH's; \(method.rawValue) does not take them.")
    }
  }

  func run() throws {
    let console = Console(quiet: output.quiet)
    let checkpointing = checkpointEvery != nil || checkpoint != nil
    try DistinctFiles.check(
      inputs: [("the data", data)],
      outputs: [
        ("--out", out), ("--checkpoint", checkpointing ? checkpoint ?? out + ".checkpoint" : nil),
        ("--log-json", logJson),
      ])
    // Resuming from the checkpoint that the run goes on writing is the usual way.
    try DistinctFiles.check(inputs: [("--resume", resume)], outputs: [("--out", out), ("--log-json", logJson)])
    let dataset = try Dataset.load(data, labelColumn: labelColumn, format: input.format)
    let selected = try backendOptions.open()
    console.line("backend: \(selected.backend.summary) (\(selected.reason))")
    console.line("data: \(dataset.vectors.rows) vectors of dimension \(dataset.vectors.columns) from \(data)")
    let model: HashModel
    if method.isSiGAH {
      var options = TrainingOptions()
      options.epochs = epochs
      options.timeBudget = timeBudget
      options.schedule = sigah.learningRateSchedule(for: method)
      options.validateEvery = sigah.valEvery
      let validationSize = sigah.validationSize(for: method)
      if validationSize > 0 {
        let validation = try ValidationSplit(
          training: dataset.vectors, size: validationSize, k: sigah.valK, seed: seed, backend: selected.backend)
        options.validate = { hash in try validation.meanAveragePrecision(hash) }
        console.line(
          "validation: \(validationSize) training vectors as pseudo-queries; the best epoch (0 = the start) is kept")
      }
      if checkpointEvery != nil || checkpoint != nil {
        options.checkpointEvery = checkpointEvery ?? epochs
        options.checkpointPath = checkpoint ?? out + ".checkpoint"
      }
      let resumed = try resume.map { try Checkpoint.read(from: $0) }
      let configuration = resumed?.model.configuration ?? sigah.configuration(method: method, bits: bits, seed: seed)
      if let resumed { console.line("resuming from \(resume!) after epoch \(resumed.epoch)") }
      let printer = TrainingPrinter(quiet: output.quiet)
      var log: [String] = []
      // An unwritable log fails before the training, not silently after it.
      if let logJson { try AtomicFile.write(Data(), to: logJson) }
      var logFailure: Error?
      let trainer = try SiGAHTrainer(
        configuration: configuration, data: dataset.vectors, backend: selected.backend, options: options)
      let trained = try trainer.train(resume: resumed) { event in
        printer.handle(event)
        guard let path = logJson, logFailure == nil, case .epoch(let report) = event else { return }
        do {
          log.append(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
          try AtomicFile.write(Data((log.joined(separator: "\n") + "\n").utf8), to: path)
        } catch {
          logFailure = error
        }
      }
      if let logFailure {
        // The model is kept: the training succeeded, only its log did not.
        try HashModel.sigah(trained).write(to: out)
        throw logFailure
      }
      console.line(
        String(
          format: "trained %d epochs at %.0f samples/s", trained.summary?.epochs.count ?? 0,
          trained.summary?.samplesPerSecond ?? 0))
      model = .sigah(trained)
    } else if method.isGenerative {
      var options = GenerativeOptions()
      options.epochs = epochs
      options.batchSize = sigah.batchSize
      options.seed = seed
      options.timeBudget = timeBudget
      let printer = TrainingPrinter(quiet: output.quiet)
      let started = Date()
      model = try GenerativeTraining.train(
        method, data: dataset.vectors, bits: bits, configurations: generative.configurations, options: options,
        backend: selected.backend, onEvent: printer.handle)
      console.line(String(format: "trained %@ in %.1f s", method.rawValue, Date().timeIntervalSince(started)))
    } else {
      let started = Date()
      model = try HashModel.fitBaseline(
        method, data: dataset.vectors, bits: bits, seed: seed, backend: selected.backend)
      console.line(String(format: "fitted %@ in %.2f s", method.rawValue, Date().timeIntervalSince(started)))
    }
    try model.write(to: out)
    console.line("model: \(out) (\(model.method.rawValue), \(model.bits) bits, dimension \(model.inputDimension))")
  }
}
