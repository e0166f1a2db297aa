// The options of HashGAN, GMANs, SGH and BA (METHOD.md §8–11), each with its paper's
// default; a weight of 0 switches its term off (the papers' ablations). Its own target, so
// that `sigah` and `sigah-mpi` take the same options.

import ArgumentParser
import SiGAH

public struct GenerativeMethodOptions: ParsableArguments {
  public init() {}

  // HashGAN
  @Option(help: "HashGAN: adversarial weight (0 also drops feature matching and the ℓ2 term).")
  public var hashganAdversarial: Float = 1
  @Option(help: "HashGAN: feature-matching weight.") public var hashganFeature: Float = 1
  @Option(help: "HashGAN: minimum-entropy weight.") public var hashganMinEntropy: Float = 1e-2
  @Option(help: "HashGAN: uniform-frequency weight.") public var hashganUniform: Float = 1
  @Option(help: "HashGAN: consistent-bits weight.") public var hashganConsistent: Float = 1
  @Option(help: "HashGAN: independent-bits weight.") public var hashganIndependent: Float = 1
  @Option(help: "HashGAN: collaborative ℓ2 weight.") public var hashganL2: Float = 0.1
  @Option(help: "HashGAN: fraction of epochs without hashing and ℓ2 terms.") public var hashganWarmUp: Float = 0.1
  @Option(help: "HashGAN: noise σ on the discriminator's inputs.") public var hashganNoise: Float = 0.15
  @Option(help: "HashGAN: first and last learning rate, e.g. 9e-4,3e-4.") public var hashganLearningRates = "9e-4,3e-4"
  // GMANs
  @Option(help: "GMANs: λ1, the AE-GAN weight.") public var gmansAeGan: Float = 0.2
  @Option(help: "GMANs: λ2, the B-GAN weight.") public var gmansBinaryGan: Float = 0.5
  @Option(help: "GMANs: λ3, the variance weight.") public var gmansVariance: Float = 1
  @Option(help: "GMANs: ℓ2 reconstruction weight after pre-training (0 = Algorithm 1 as printed).")
  public var gmansReconstruction: Float = 1
  @Option(help: "GMANs: norm quantisation weight ('w/o B-GAN').") public var gmansQuantisation: Float = 0
  @Option(help: "GMANs: p of the sampled Bernoulli codes.") public var gmansBitProbability: Float = 0.5
  @Option(help: "GMANs: σ of the noise on the codes before D_B.") public var gmansCodeNoise: Float = 0.1
  @Option(help: "GMANs: pre-training epochs.") public var gmansPretrainEpochs = 5
  @Option(help: "GMANs: self-controlled schedule (Algorithm 1): true or false.") public var gmansSelfControlled = true
  @Option(
    help: """
      GMANs: decide the self-controlled schedule on the device, reading nothing back a step but \
      computing both discriminators' gradients every step: true or false.
      """)
  public var gmansScheduleOnDevice = false
  @Option(help: "GMANs: batch size (the paper's 32 for MLPs).") public var gmansBatchSize = 32
  @Option(help: "GMANs: Adam learning rate.") public var gmansLearningRate: Float = 1e-3
  // SGH
  @Option(help: "SGH: α, the encoder's cross-entropy weight.") public var sghAlpha: Float = 1e-3
  @Option(help: "SGH: stochastic neurons (true) or deterministic ε = ½ (false).") public var sghStochastic = true
  @Option(help: "SGH: Adam learning rate.") public var sghLearningRate: Float = 1e-2
  @Option(help: "SGH: L2 decay per item (the authors' 1e-3 over a batch of 500).") public var sghWeightDecay: Float =
    2e-6
  // BA
  @Option(help: "BA: the first μ of ‖Z − h(X)‖², in units of the mean ‖B_k‖².") public var baPenalty: Float = 0.1
  @Option(help: "BA: μ's growth per alternation.") public var baPenaltyGrowth: Float = 1.25
  @Option(help: "BA: the SVMs' Adam learning rate.") public var baLearningRate: Float = 1e-3
  @Option(help: "BA: the SVMs' L2 decay (1/C per item).") public var baSvmDecay: Float = 1e-4
  @Option(help: "BA: passes over the bits in each code step.") public var baFlipPasses = 4
  @Option(help: "BA: the SVMs start from ITQ's directions times this (their C, in effect).") public var baStartScale:
    Float =
      64

  public func validate() throws {
    let weights: [(String, Float)] = [
      ("--hashgan-adversarial", hashganAdversarial), ("--hashgan-feature", hashganFeature),
      ("--hashgan-min-entropy", hashganMinEntropy), ("--hashgan-uniform", hashganUniform),
      ("--hashgan-consistent", hashganConsistent), ("--hashgan-independent", hashganIndependent),
      ("--hashgan-l2", hashganL2), ("--hashgan-noise", hashganNoise), ("--gmans-ae-gan", gmansAeGan),
      ("--gmans-binary-gan", gmansBinaryGan), ("--gmans-variance", gmansVariance),
      ("--gmans-reconstruction", gmansReconstruction), ("--gmans-quantisation", gmansQuantisation),
      ("--sgh-alpha", sghAlpha), ("--ba-penalty", baPenalty), ("--ba-start-scale", baStartScale),
      ("--gmans-code-noise", gmansCodeNoise), ("--sgh-weight-decay", sghWeightDecay), ("--ba-svm-decay", baSvmDecay),
    ]
    for (flag, value) in weights where !(value.isFinite && value >= 0) {
      throw ValidationError("\(flag) must be a finite weight of at least 0, got \(value).")
    }
    guard (0...1).contains(hashganWarmUp) else { throw ValidationError("--hashgan-warm-up must be between 0 and 1.") }
    guard (0...1).contains(gmansBitProbability) else {
      throw ValidationError("--gmans-bit-probability must be between 0 and 1.")
    }
    guard gmansPretrainEpochs >= 0, gmansBatchSize >= 1 else {
      throw ValidationError("--gmans-pretrain-epochs must not be negative and --gmans-batch-size at least 1.")
    }
    guard baFlipPasses >= 1 else { throw ValidationError("--ba-flip-passes must be at least 1.") }
    guard baPenaltyGrowth >= 1, baPenaltyGrowth.isFinite else {
      throw ValidationError("--ba-penalty-growth must be at least 1.")
    }
    _ = try learningRates()
    for (flag, rate) in [
      ("--gmans-learning-rate", gmansLearningRate), ("--sgh-learning-rate", sghLearningRate),
      ("--ba-learning-rate", baLearningRate),
    ]
    where !(rate > 0 && rate.isFinite) {
      throw ValidationError("\(flag) must be positive, got \(rate).")
    }
  }

  public func learningRates() throws -> (Float, Float) {
    let parts = hashganLearningRates.split(separator: ",").compactMap { Float($0) }
    guard parts.count == 2, parts.allSatisfy({ $0 > 0 && $0.isFinite }) else {
      throw ValidationError("--hashgan-learning-rates must be two positive rates, e.g. 9e-4,3e-4.")
    }
    return (parts[0], parts[1])
  }

  public var configurations: GenerativeConfigurations {
    var c = GenerativeConfigurations()
    c.hashgan.adversarialWeight = hashganAdversarial
    c.hashgan.featureMatchingWeight = hashganFeature
    c.hashgan.minimumEntropyWeight = hashganMinEntropy
    c.hashgan.uniformFrequencyWeight = hashganUniform
    c.hashgan.consistencyWeight = hashganConsistent
    c.hashgan.independenceWeight = hashganIndependent
    c.hashgan.collaborativeWeight = hashganL2
    c.hashgan.warmUpFraction = hashganWarmUp
    c.hashgan.inputNoise = hashganNoise
    c.hashgan.learningRates = (try? learningRates()) ?? c.hashgan.learningRates
    c.gmans.aeGANWeight = gmansAeGan
    c.gmans.binaryGANWeight = gmansBinaryGan
    c.gmans.varianceWeight = gmansVariance
    c.gmans.reconstructionWeight = gmansReconstruction
    c.gmans.quantisationWeight = gmansQuantisation
    c.gmans.bitProbability = gmansBitProbability
    c.gmans.codeNoise = gmansCodeNoise
    c.gmans.pretrainEpochs = gmansPretrainEpochs
    c.gmans.selfControlled = gmansSelfControlled
    c.gmans.scheduleOnDevice = gmansScheduleOnDevice
    c.gmans.batchSize = gmansBatchSize
    c.gmans.learningRate = gmansLearningRate
    c.sgh.alpha = sghAlpha
    c.sgh.stochastic = sghStochastic
    c.sgh.learningRate = sghLearningRate
    c.sgh.weightDecay = sghWeightDecay
    c.ba.penalty = baPenalty
    c.ba.penaltyGrowth = baPenaltyGrowth
    c.ba.svmLearningRate = baLearningRate
    c.ba.startScale = baStartScale
    c.ba.svmDecay = baSvmDecay
    c.ba.flipPasses = baFlipPasses
    return c
  }
}
