// Option groups shared by several commands.

import ArgumentParser
import Foundation
import SiGAH

struct OutputOptions: ParsableArguments {
  @Flag(name: .shortAndLong, help: "Print nothing but errors and the requested output.")
  var quiet = false
}

/// The kind of data read from standard input when an input is `-`.
struct InputFormatOptions: ParsableArguments {
  @Option(help: "The kind of data on standard input when an input is -: fvecs, bvecs, ivecs, npy, csv, idx or idx.gz.")
  var format: String?
}

/// SiGAH's hyper-parameters and ablations (METHOD.md §1–3), every one with METHOD.md's default.
struct SiGAHOptions: ParsableArguments {
  @Option(help: "Samples per batch N_B.") var batchSize = 500
  @Option(help: "Adam learning rate.") var learningRate: Float = 1e-2
  @Option(help: "Learning-rate schedule: constant or cosine (default: constant; cosine for sigah-dm).") var schedule:
    String?
  @Option(help: "L2 weight decay on weights (not biases).") var weightDecay: Float = 5e-4
  @Option(help: "Quantisation weight α.") var alpha: Float = 1e-3
  @Option(help: "Sparsity weight λ.") var lambda: Float = 1e-4
  @Option(help: "Graph weight γ (default 1e-4; 1000 for sigah-dm's distance matching).") var gamma: Float?
  @Option(help: "Graph term: paper (Eq. 17) or distance-matching (METHOD.md §3b; default for sigah-dm).") var graphTerm:
    String?
  @Option(help: "Start the hash layer from ITQ: true or false (default false; true for sigah-dm).") var itqStart: Bool?
  @Option(help: "Distance matching: fraction of a batch that is each item's near set.") var nearFraction: Float = 0.15
  @Option(help: "Training vectors held out to select the best epoch by mAP (default 0; 500 for sigah-dm).") var valSize:
    Int?
  @Option(help: "Measure validation mAP every N epochs.") var valEvery = 1
  @Option(help: "Validation: true neighbours a pseudo-query has (the evaluation's K).") var valK = 1000
  @Option(help: "Ranking stage steps after the epochs (METHOD.md §3c; default 0; 2000 for sigah-dm; 0 skips it).")
  var rankingSteps: Int?
  @Option(help: "Ranking stage: positives come from each vector's K nearest (default: --val-k).")
  var rankingNeighbours: Int?
  @Option(help: "Ranking stage: anchors a step (at most the training vectors).") var rankingAnchors = 256
  @Option(help: "Ranking stage: positives and negatives an anchor (1–32).") var rankingPairs = 8
  @Option(help: "Ranking stage: Adam learning rate.") var rankingLearningRate: Float = 3e-3
  @Option(help: "Adversarial weight μ; 0 drops the discriminator (the 'w/o D' ablation).") var mu: Float = 1
  @Option(help: "Reconstruction weight ρ.") var reconstructionWeight: Float = 1
  @Option(help: "Discriminator margin β.") var margin: Float = 0.1
  @Option(help: "Graph σ; default 1 / mean in-batch distance.") var sigma: Float?
  @Option(help: "Generator width m as a multiple of d.") var widthMultiple = 2
  @Option(help: "Discriminator hidden width d_l.") var discriminatorWidth = 50
  @Option(help: "Generator activation: leaky-relu, relu, tanh or sigmoid.") var generatorActivation = "leaky-relu"
  @Option(help: "Discriminator activation: leaky-relu, relu, tanh or sigmoid.") var discriminatorActivation =
    "leaky-relu"
  @Option(help: "LeakyReLU slope.") var leakySlope: Float = 0.2
  @Option(help: "Energy of the discriminator: mse ((1/d)‖R(a) − a‖²) or l2.") var energy = "mse"
  @Option(help: "Sparsity penalty: l2 (mean square) or l1.") var sparsity = "l2"

  func validate() throws {
    guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
    if let schedule, !["constant", "cosine"].contains(schedule) {
      throw ValidationError("--schedule must be constant or cosine, got '\(schedule)'.")
    }
    if let graphTerm, GraphTermKind(rawValue: graphTerm) == nil {
      throw ValidationError("--graph-term must be paper or distance-matching, got '\(graphTerm)'.")
    }
    if let valSize, valSize < 0 { throw ValidationError("--val-size must not be negative.") }
    guard valEvery >= 1 else { throw ValidationError("--val-every must be at least 1.") }
    guard valK >= 1 else { throw ValidationError("--val-k must be at least 1, got \(valK).") }
    if let rankingSteps, rankingSteps < 0 { throw ValidationError("--ranking-steps must not be negative.") }
    if let rankingNeighbours, rankingNeighbours < 1 {
      throw ValidationError("--ranking-neighbours must be at least 1, got \(rankingNeighbours).")
    }
    guard rankingAnchors >= 1 else { throw ValidationError("--ranking-anchors must be at least 1.") }
    guard (1...32).contains(rankingPairs) else {
      throw ValidationError("--ranking-pairs must be between 1 and 32, got \(rankingPairs).")
    }
    for (flag, value) in [
      ("--generator-activation", generatorActivation), ("--discriminator-activation", discriminatorActivation),
    ]
    where ActivationName(rawValue: value) == nil {
      throw ValidationError(
        "\(flag) must be one of \(ActivationName.allCases.map(\.rawValue).joined(separator: ", ")), got '\(value)'.")
    }
    guard EnergyKind(rawValue: energy) != nil else {
      throw ValidationError("--energy must be mse or l2, got '\(energy)'.")
    }
    guard SparsityKind(rawValue: sparsity) != nil else {
      throw ValidationError("--sparsity must be l2 or l1, got '\(sparsity)'.")
    }
    guard widthMultiple >= 1, discriminatorWidth >= 1 else {
      throw ValidationError("--width-multiple and --discriminator-width must be at least 1.")
    }
  }

  /// The configuration of `method` (sigah or sigah-dm) with every option given applied.
  func configuration(method: HashMethod = .sigah, bits: Int, seed: UInt64) -> SiGAHConfiguration {
    var c = method == .sigahDM ? SiGAHConfiguration.distanceMatchingPreset : SiGAHConfiguration()
    c.bits = bits
    c.seed = seed
    c.batchSize = batchSize
    c.learningRate = learningRate
    c.weightDecay = weightDecay
    c.alpha = alpha
    c.lambda = lambda
    if let gamma { c.gamma = gamma }
    if let graphTerm { c.graphTerm = GraphTermKind(rawValue: graphTerm)! }
    if let itqStart { c.itqStart = itqStart }
    c.nearFraction = nearFraction
    c.adversarialWeight = mu
    c.reconstructionWeight = reconstructionWeight
    c.margin = margin
    c.sigma = sigma
    c.generatorWidthMultiple = widthMultiple
    c.discriminatorWidth = discriminatorWidth
    c.generatorActivation = ActivationName(rawValue: generatorActivation)!
    c.discriminatorActivation = ActivationName(rawValue: discriminatorActivation)!
    c.leakySlope = leakySlope
    c.energy = EnergyKind(rawValue: energy)!
    c.sparsity = SparsityKind(rawValue: sparsity)!
    let steps = rankingSteps ?? (c.ranking == nil ? 0 : RankingOptions().steps)
    if steps > 0 {
      var ranking = RankingOptions()
      ranking.steps = steps
      ranking.neighbours = rankingNeighbours ?? valK
      ranking.anchors = rankingAnchors
      ranking.pairsPerAnchor = rankingPairs
      ranking.learningRate = rankingLearningRate
      c.ranking = ranking
    } else {
      c.ranking = nil
    }
    return c
  }

  func learningRateSchedule(for method: HashMethod) -> LearningRateSchedule {
    (schedule ?? (method == .sigahDM ? "cosine" : "constant")) == "cosine" ? .cosine : .constant
  }

  func validationSize(for method: HashMethod) -> Int { valSize ?? (method == .sigahDM ? 500 : 0) }

  /// The variant these options describe.
  func variant(_ method: HashMethod) -> SiGAHVariant {
    SiGAHVariant(
      name: method.rawValue, configuration: configuration(method: method, bits: 0, seed: 0),
      schedule: learningRateSchedule(for: method), validationSize: validationSize(for: method))
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

/// Parses "lsh,itq,sigah" into methods.
func parseMethods(_ text: String) throws -> [HashMethod] {
  try text.split(separator: ",").map { name in
    guard let method = HashMethod(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
      throw ValidationError(
        "unknown method '\(name)'; expected one of \(HashMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    }
    return method
  }
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
      let terms = report.losses.named.map { String(format: "%@ %.5g", $0.0, $0.1) }.joined(separator: "  ")
      let validation = report.validationMAP.map { String(format: "  val mAP %.4f", $0) } ?? ""
      console.line(
        String(format: "epoch %3d  %@  %.0f samples/s%@", report.epoch, terms, report.samplesPerSecond, validation))
    case .terms(let report):
      bar?.finish()
      bar = nil
      let terms = report.terms.map { String(format: "%@ %.5g", $0.0, $0.1) }.joined(separator: "  ")
      console.line(
        String(
          format: "epoch %3d  %@%@  %.0f samples/s", report.epoch, report.phase.isEmpty ? "" : report.phase + "  ",
          terms, report.samplesPerSecond))
    case .checkpoint(let path, let epoch):
      console.line("checkpoint: epoch \(epoch) written to \(path)")
    case .rankingCheckpoint(let checkpoint):
      let validation = checkpoint.validationMAP.map { String(format: "  val mAP %.4f", $0) } ?? ""
      console.line(String(format: "ranking step %5d  loss %.5g%@", checkpoint.step, checkpoint.loss, validation))
    }
  }
}
