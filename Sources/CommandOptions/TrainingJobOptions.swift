// The options of one training, which `sigah train` and `sigah-mpi train` both declare
// through this group and turn into a `TrainingJob` the same way, `--resume` included.

import ArgumentParser
import SiGAH

/// What every training is asked: method, length, epochs, seed, and where the model goes.
public struct TrainingBasics: ParsableArguments {
  public init() {}

  @Option(
    name: .shortAndLong,
    help: "The model file to write (safetensors; - for standard output; under sigah-mpi, by rank 0).")
  public var out: String
  @Option(help: "The method (default: sigah; with --resume the checkpoint's). sigah-dm is the recommended one.")
  public var method: HashMethod?
  @Option(help: "Code length r (1–4096; default 64).") public var bits: Int?
  @Option(help: "Training epochs (SiGAH, HashGAN, GMANs and SGH; BA's alternations).") public var epochs = 30
  @Option(help: "Stop at the first epoch boundary after this many seconds.") public var timeBudget: Double?
  @Option(help: "Seed of every random draw: weights, Ψ, shuffles, projections (default 0).") public var seed: UInt64?
  @Option(
    help:
      "Distance of the neighbours sigah-dm's ranking stage and validation use: l2, cosine or ip (default l2).")
  public var metric: Metric?
}

/// SiGAH's checkpoints.
public struct CheckpointOptions: ParsableArguments {
  public init() {}

  @Option(help: "Write a checkpoint every N epochs (and at the end).") public var checkpointEvery: Int?
  @Option(help: "Checkpoint path (default: OUT.checkpoint).") public var checkpoint: String?
  @Option(help: "Continue the run saved in this checkpoint, with its configuration.") public var resume: String?
}

public struct TrainingJobOptions: ParsableArguments {
  public init() {}

  // Titled in the order a person reads them: the common options first, then each method's.
  @OptionGroup(title: "Training") public var basics: TrainingBasics
  @OptionGroup(title: "Checkpoints (sigah, sigah-dm)") public var checkpoints: CheckpointOptions
  @OptionGroup(title: "SiGAH and SiGAH-DM") public var sigah: SiGAHOptions
  @OptionGroup(title: "HashGAN, GMANs, SGH and BA") public var generative: GenerativeMethodOptions

  public var out: String { basics.out }
  public var method: HashMethod? { basics.method }
  public var bits: Int? { basics.bits }
  var epochs: Int { basics.epochs }
  var timeBudget: Double? { basics.timeBudget }
  var seed: UInt64? { basics.seed }
  var checkpointEvery: Int? { checkpoints.checkpointEvery }
  var checkpoint: String? { checkpoints.checkpoint }
  public var resume: String? { checkpoints.resume }

  /// The method trained: the option, else the checkpoint's when resuming, else sigah.
  var chosenMethod: HashMethod { method ?? .sigah }

  public func validate() throws {
    if let bits, !(1...4096).contains(bits) {
      throw ValidationError("--bits must be between 1 and 4096, got \(bits).")
    }
    guard epochs >= 0 else { throw ValidationError("--epochs must not be negative, got \(epochs).") }
    if let timeBudget, !(timeBudget.isFinite && timeBudget > 0) {
      throw ValidationError("--time-budget must be a finite number of seconds above 0, got \(timeBudget).")
    }
    if let checkpointEvery, checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1.") }
    if let method, !method.isSiGAH, checkpointEvery != nil || checkpoint != nil || resume != nil {
      throw ValidationError(
        "--checkpoint-every, --checkpoint and --resume are SiGAH's; \(method.rawValue) does not take them.")
    }
  }

  /// Whether a checkpoint is written, and where.
  public var checkpointPath: String? {
    checkpointEvery != nil || checkpoint != nil ? checkpoint ?? out + ".checkpoint" : nil
  }

  /// The job these options describe. With `--resume` the
  /// checkpoint's configuration is the training's: an option that says otherwise (method,
  /// bits, seed, batch size) is an error naming both values, and a checkpoint that keeps a
  /// validated epoch goes on validating, so that its kept epoch stays the best one.
  public func job() throws -> TrainingJob {
    let resumed = try resume.map { try Checkpoint.read(from: $0) }
    let method = resumed?.model.configuration.method ?? chosenMethod
    if let resumed, let resume {
      let saved = resumed.model.configuration
      let conflicts: [(String, String?, String)] = [
        ("--method", self.method.map(\.rawValue), saved.method.rawValue),
        ("--bits", bits.map { "\($0)" }, "\(saved.bits)"),
        ("--seed", seed.map { "\($0)" }, "\(saved.seed)"),
        ("--batch-size", sigah.batchSize.map { "\($0)" }, "\(saved.batchSize)"),
      ]
      for (option, given, kept) in conflicts where given != nil && given != kept {
        throw ValidationError(
          "\(option) \(given!) conflicts with the checkpoint \(resume), which was trained with \(kept): "
            + "leave \(option) out to go on with the checkpoint's, or start a new training.")
      }
      if let best = resumed.best, sigah.validationSize(for: method) == 0 {
        throw ValidationError(
          "the checkpoint \(resume) keeps validated epoch \(best.epoch); resume with validation (--val-size above 0), "
            + "or its kept epoch would not be compared with the epochs trained now.")
      }
    }
    let bits = resumed?.model.configuration.bits ?? self.bits ?? 64
    let seed = resumed?.model.configuration.seed ?? self.seed ?? 0
    var job = TrainingJob(method: method, bits: bits, seed: seed, epochs: epochs)
    job.timeBudget = timeBudget
    job.sigah = sigah.configuration(method: method, bits: bits, seed: seed)
    job.schedule = sigah.learningRateSchedule(for: method)
    job.validationSize = method.isSiGAH ? sigah.validationSize(for: method) : 0
    job.validationKs = sigah.valK?.values ?? RankingOptions.defaultNeighbourhoods
    job.validateEvery = sigah.valEvery
    job.metric = resumed?.model.configuration.ranking?.metric ?? basics.metric ?? .l2
    job.checkpointPath = checkpointPath
    job.checkpointEvery = job.checkpointPath == nil ? nil : checkpointEvery ?? epochs
    job.resume = resumed
    job.generative = generative.configurations
    job.batchSize = sigah.resolvedBatchSize
    return job
  }
}
