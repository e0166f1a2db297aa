// SiGAH's options (METHOD.md §1–3), in the target `sigah` and `sigah-mpi` share.

import ArgumentParser
import SiGAH

/// SiGAH's hyper-parameters and ablations (METHOD.md §1–3), every one with METHOD.md's default.
public struct SiGAHOptions: ParsableArguments {
  public init() {}

  @Option(help: "Samples per batch N_B (default 500; under sigah-mpi the global batch, over all ranks).")
  public var batchSize: Int?
  /// The batch size given, else 500.
  public var resolvedBatchSize: Int { batchSize ?? 500 }
  @Option(help: "Adam learning rate.") public var learningRate: Float = 1e-2
  @Option(help: "Learning-rate schedule (default: constant; cosine for sigah-dm).") public
    var schedule: LearningRateSchedule?
  @Option(help: "L2 weight decay on weights (not biases).") public var weightDecay: Float = 5e-4
  @Option(help: "Quantisation weight α.") public var alpha: Float = 1e-3
  @Option(help: "Sparsity weight λ.") public var lambda: Float = 1e-4
  @Option(help: "Graph weight γ (default 1e-4; 1000 for sigah-dm's distance matching).") public var gamma: Float?
  @Option(help: "Graph term: paper (Eq. 17) or distance-matching (METHOD.md §3b; default for sigah-dm).") public
    var graphTerm: GraphTermKind?
  @Option(help: "Start the hash layer from ITQ: true or false (default false; true for sigah-dm).") public var itqStart:
    Bool?
  @Option(help: "Distance matching: fraction of a batch that is each item's near set.") public var nearFraction: Float =
    0.15
  @Option(help: "Training vectors held out to select the best epoch by mAP (default 0; 500 for sigah-dm).") public
    var valSize: Int?
  @Option(help: "Measure validation mAP every N epochs.") public var valEvery = 1
  @Option(
    help:
      "Validation: the Ks (comma-separated) whose top-K mAPs are averaged (default 10,100,1000; under eval, its --k).")
  public var valK: KList?
  @Option(help: "Ranking stage steps after the epochs (METHOD.md §3c; default 0; 4000 for sigah-dm; 0 skips it).")
  public var rankingSteps: Int?
  @Option(help: "Ranking stage: positives come from each vector's K nearest, each K of the list (default: --val-k).")
  public var rankingNeighbours: KList?
  @Option(help: "Ranking stage: anchors a step (at most the training vectors).") public var rankingAnchors = 256
  @Option(help: "Ranking stage: positives and negatives an anchor (1–32).") public var rankingPairs = 8
  @Option(help: "Ranking stage: Adam learning rate.") public var rankingLearningRate: Float = 3e-3
  @Option(
    help: """
      Ranking stage: of each anchor's negatives, this many from the ranks just past its positives' neighbourhood \
      (0 to --ranking-pairs; default \(RankingOptions.defaultHardNegatives)).
      """)
  public var rankingHardNegatives = RankingOptions.defaultHardNegatives
  @Option(
    help: """
      Ranking stage: with hard negatives, the share of anchors whose positives come from the widest \
      neighbourhood (0 to 1; the others share the rest; default 0.5 below 64 bits, every neighbourhood alike \
      from 64).
      """)
  public var rankingWidestShare: Double?
  @Option(
    help: """
      Ranking stage: units of the ReLU residual trained beside the hash layer (0 trains the hash layer alone, a \
      linear hash; default \(RankingOptions.defaultResidualWidth)).
      """)
  public var rankingResidual = RankingOptions.defaultResidualWidth
  @Option(help: "Adversarial weight μ; 0 drops the discriminator (the 'w/o D' ablation).") public var mu: Float = 1
  @Option(help: "Reconstruction weight ρ.") public var reconstructionWeight: Float = 1
  @Option(help: "Discriminator margin β.") public var margin: Float = 0.1
  @Option(help: "Graph σ; default 1 / mean in-batch distance.") public var sigma: Float?
  @Option(help: "Generator width m as a multiple of d.") public var widthMultiple = 2
  @Option(help: "Discriminator hidden width d_l.") public var discriminatorWidth = 50
  @Option(help: "Generator activation.") public var generatorActivation = ActivationName.leakyReLU
  @Option(help: "Discriminator activation.") public var discriminatorActivation = ActivationName.leakyReLU
  @Option(help: "LeakyReLU slope.") public var leakySlope: Float = 0.2
  @Option(help: "Energy of the discriminator: mse ((1/d)‖R(a) − a‖²) or l2.") public var energy = EnergyKind.mse
  @Option(help: "Sparsity penalty: l2 (mean square) or l1.") public var sparsity = SparsityKind.l2

  public func validate() throws {
    if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
    if let valSize, valSize < 0 { throw ValidationError("--val-size must not be negative.") }
    guard valEvery >= 1 else { throw ValidationError("--val-every must be at least 1.") }

    if let rankingSteps, rankingSteps < 0 { throw ValidationError("--ranking-steps must not be negative.") }

    guard rankingAnchors >= 1 else { throw ValidationError("--ranking-anchors must be at least 1.") }
    guard (0...rankingPairs).contains(rankingHardNegatives) else {
      throw ValidationError("--ranking-hard-negatives must be between 0 and --ranking-pairs (\(rankingPairs)).")
    }
    guard (1...32).contains(rankingPairs) else {
      throw ValidationError("--ranking-pairs must be between 1 and 32, got \(rankingPairs).")
    }
    guard widthMultiple >= 1, discriminatorWidth >= 1 else {
      throw ValidationError("--width-multiple and --discriminator-width must be at least 1.")
    }
    // The configuration's own rule, which checkpoints and library callers meet too.
    for method in [HashMethod.sigah, .sigahDM] {
      do {
        try configuration(method: method, bits: 64, seed: 0).check()
      } catch let error as ConfigurationError {
        throw ValidationError("--\(error.field) \(error.message).")
      }
    }
  }

  /// The configuration of `method` (sigah or sigah-dm) with every option given applied.
  public func configuration(method: HashMethod = .sigah, bits: Int, seed: UInt64) -> SiGAHConfiguration {
    var c = method == .sigahDM ? SiGAHConfiguration.distanceMatchingPreset : SiGAHConfiguration()
    c.bits = bits
    c.seed = seed
    c.batchSize = resolvedBatchSize
    c.learningRate = learningRate
    c.weightDecay = weightDecay
    c.alpha = alpha
    c.lambda = lambda
    if let gamma { c.gamma = gamma }
    if let graphTerm { c.graphTerm = graphTerm }
    if let itqStart { c.itqStart = itqStart }
    c.nearFraction = nearFraction
    c.adversarialWeight = mu
    c.reconstructionWeight = reconstructionWeight
    c.margin = margin
    c.sigma = sigma
    c.generatorWidthMultiple = widthMultiple
    c.discriminatorWidth = discriminatorWidth
    c.generatorActivation = generatorActivation
    c.discriminatorActivation = discriminatorActivation
    c.leakySlope = leakySlope
    c.energy = energy
    c.sparsity = sparsity
    let steps = rankingSteps ?? (c.ranking == nil ? 0 : RankingOptions().steps)
    if steps > 0 {
      var ranking = RankingOptions()
      ranking.steps = steps
      ranking.neighbourhoods = (rankingNeighbours ?? valK)?.values
      ranking.anchors = rankingAnchors
      ranking.pairsPerAnchor = rankingPairs
      ranking.learningRate = rankingLearningRate
      ranking.hardNegatives = rankingHardNegatives
      ranking.widestShare = rankingWidestShare
      ranking.residualWidth = rankingResidual
      c.ranking = ranking
    } else {
      c.ranking = nil
    }
    return c
  }

  public func learningRateSchedule(for method: HashMethod) -> LearningRateSchedule {
    schedule ?? (method == .sigahDM ? .cosine : .constant)
  }

  public func validationSize(for method: HashMethod) -> Int { valSize ?? (method == .sigahDM ? 500 : 0) }

  /// The variant these options describe.
  public func variant(_ method: HashMethod) -> SiGAHVariant {
    SiGAHVariant(
      name: method.rawValue, configuration: configuration(method: method, bits: 0, seed: 0),
      schedule: learningRateSchedule(for: method), validationSize: validationSize(for: method))
  }
}
