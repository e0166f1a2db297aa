// Multi-adversarial hashing, "GMANs" (Wang, Liu & Zhao, CIKM 2018; METHOD.md §9): an
// auto-encoder `h = σ(e(x))`, `x̃ = f(h)` is the generator of two GANs.
// - AE-GAN: D_AE tells `(x, h)` from `(x̃, h)`; the auto-encoder minimises
//   `−log(1 − D_AE(x, h)) − log D_AE(x̃, h)` (paper Eq. 6) instead of ‖x − x̃‖².
// - B-GAN: D_B (a SELU MLP) tells Bernoulli(p) codes from `h + N(0, σ²)` (σ = 0.1); the
//   auto-encoder minimises `−log D_B(h + ε)`.
// - L_V matches the batch's `‖H‖²` to the sampled codes' `‖B‖²` (VarianceMatching).
// `L_G = λ1·L_AE + λ2·L_B + λ3·L_V` after pre-training by ℓ2 reconstruction. Self-controlled
// (Algorithm 1): a discriminator is updated only while its score on the fakes is above ½;
// the auto-encoder every step. The host decides from the two decisions read back (from the
// scores summed over the processes of a data-parallel run), or, with `scheduleOnDevice`,
// the device does (DeviceSchedule) and a step reads nothing back.

import Backend

public struct GMANsConfiguration: Sendable, Equatable {
  /// λ1, λ2, λ3 (paper: 0.2 and 0.5 for the MLP; λ3 is not given, 1 here).
  public var aeGANWeight: Float = 0.2
  public var binaryGANWeight: Float = 0.5
  public var varianceWeight: Float = 1
  /// ℓ2 reconstruction kept after pre-training. Algorithm 1 as printed has none (0), but
  /// on feature vectors with MLPs the AE-GAN alone collapses the codes (MNIST, 32 bits:
  /// mAP 0.12 against LSH's 0.43, BENCHMARKS.md), so the default keeps it at 1, the
  /// paper's "L2 + AE-GAN"; the "w/o AE-GAN" ablation sets λ1 = 0.
  public var reconstructionWeight: Float = 1
  /// ‖h − 1[h > ½]‖² (0; the "w/o B-GAN" ablation's norm loss in place of λ2).
  public var quantisationWeight: Float = 0
  /// p of the Bernoulli codes D_B calls real.
  public var bitProbability: Float = 0.5
  /// σ of the noise on h before D_B.
  public var codeNoise: Float = 0.1
  public var pretrainEpochs = 5
  /// Algorithm 1's schedule (true) or both discriminators every step (false).
  public var selfControlled = true
  /// Decide Algorithm 1's schedule on the device (one device, not data-parallel): no read
  /// in a step, but both discriminators' gradients and forward passes every step, taken or
  /// not. Off by default: on PoCL a training takes 1.24× as long (98 launches a step
  /// against 76, BENCHMARKS.md), and a GPU's gain from the read it saves is not yet
  /// measured against the work it adds.
  public var scheduleOnDevice = false
  public var learningRate: Float = 1e-3
  /// The paper's batch for MLPs (its own, not `--batch-size`).
  public var batchSize = 32
  public var encoderWidths = [256, 128]
  public var aeDiscriminatorWidths = [256]
  public var binaryDiscriminatorWidths = [64, 64]

  public init() {}
}

final class GMANsNetwork: BatchWide {
  /// In a data-parallel run, the fake scores are the whole batch's (METHOD.md §12).
  var share: ShareStep?
  let backend: any Backend
  let configuration: GMANsConfiguration
  let (d, k, n): (Int, Int, Int)
  let generatorBlock: ParameterBlock, aeBlock: ParameterBlock, binaryBlock: ParameterBlock
  let encoder: MLP, decoder: MLP, aeDiscriminator: MLP, binaryDiscriminator: MLP
  let losses: LossAccumulator
  let crossEntropy: BinaryCrossEntropy
  let squaredError: SquaredError
  let variance: VarianceMatching
  // Workspace.
  let codes: DeviceBuffer<Float>, codeGradient: DeviceBuffer<Float>, part: DeviceBuffer<Float>
  /// `[x | h; x̃ | h]`, D_AE's input, then its gradient.
  let pairs: DeviceBuffer<Float>
  let sampled: DeviceBuffer<Float>, noisy: DeviceBuffer<Float>, codePairs: DeviceBuffer<Float>
  let logits: DeviceBuffer<Float>, gradient: DeviceBuffer<Float>
  let scores: DeviceBuffer<Float>, scratch: DeviceBuffer<Float>, targets: DeviceBuffer<Float>
  /// `scoreGate`'s decisions (and counts, unused) for the two discriminators.
  let decisions: DeviceBuffer<Int32>
  /// The discriminators' schedule on the device (slot 0 D_AE, slot 1 D_B), made only when
  /// the configuration asks for it: its corrections table covers the whole training.
  let schedule: DeviceSchedule?
  /// The discriminators that play, with their inputs, blocks, schedule slots and loss names.
  private let players:
    [(discriminator: MLP, input: DeviceBuffer<Float>, block: ParameterBlock, slot: Int, loss: String)]
  /// Steps of the auto-encoder, and scheduled steps offered to the discriminators.
  private(set) var steps = (generator: 0, offered: 0)
  /// Each discriminator's steps taken, by schedule slot, when the host decides.
  private var hostDecidedSteps = [0, 0]

  init(
    inputs d: Int, bits k: Int, capacity n: Int, configuration: GMANsConfiguration, seed: UInt64,
    scheduledSteps: Int = 0, backend: any Backend
  )
    throws
  {
    self.backend = backend
    schedule =
      configuration.selfControlled && configuration.scheduleOnDevice
      ? try DeviceSchedule(players: 2, steps: scheduledSteps, backend: backend) : nil
    self.configuration = configuration
    (self.d, self.k, self.n) = (d, k, n)
    var random = SeededGenerator(seed: seed)
    let encoderSpec = configuration.encoderWidths.map { LayerSpec($0, .relu) } + [LayerSpec(k, .identity)]
    let decoderSpec = configuration.encoderWidths.reversed().map { LayerSpec($0, .relu) } + [LayerSpec(d, .identity)]
    let aeSpec =
      configuration.aeDiscriminatorWidths.map { LayerSpec($0, .leakyReLU(slope: 0.2)) } + [LayerSpec(1, .identity)]
    let binarySpec = configuration.binaryDiscriminatorWidths.map { LayerSpec($0, .selu) } + [LayerSpec(1, .identity)]
    generatorBlock = try ParameterBlock(
      MLP.parameters(prefix: "encoder", inputs: d, layers: encoderSpec, generator: &random)
        + MLP.parameters(prefix: "decoder", inputs: k, layers: decoderSpec, generator: &random), on: backend)
    aeBlock = try ParameterBlock(
      MLP.parameters(prefix: "ae", inputs: d + k, layers: aeSpec, generator: &random), on: backend)
    binaryBlock = try ParameterBlock(
      MLP.parameters(prefix: "binary", inputs: k, layers: binarySpec, generator: &random), on: backend)
    encoder = try MLP(
      prefix: "encoder", inputs: d, layers: encoderSpec, block: generatorBlock, capacity: n, backend: backend)
    decoder = try MLP(
      prefix: "decoder", inputs: k, layers: decoderSpec, block: generatorBlock, capacity: n, backend: backend)
    aeDiscriminator = try MLP(
      prefix: "ae", inputs: d + k, layers: aeSpec, block: aeBlock, capacity: 2 * n, backend: backend)
    binaryDiscriminator = try MLP(
      prefix: "binary", inputs: k, layers: binarySpec, block: binaryBlock, capacity: 2 * n, backend: backend)
    losses = try LossAccumulator(
      names: ["recon", "D_AE", "D_B", "G_AE", "G_B", "variance", "quant"], backend: backend)
    crossEntropy = try BinaryCrossEntropy(capacity: n, backend: backend)
    squaredError = try SquaredError(capacity: n * max(d, k), backend: backend)
    variance = try VarianceMatching(capacity: n * k, backend: backend)
    func buffer(_ count: Int) throws -> DeviceBuffer<Float> { try backend.makeBuffer(Float.self, count: count) }
    (codes, codeGradient, part) = (try buffer(n * k), try buffer(n * k), try buffer(n * max(d, k)))
    pairs = try buffer(2 * n * (d + k))
    (sampled, noisy, codePairs) = (try buffer(n * k), try buffer(n * k), try buffer(2 * n * k))
    (logits, gradient) = (try buffer(n), try buffer(n))
    (scores, scratch, targets) = (try buffer(2), try buffer(n * max(d, k)), try buffer(n * k))
    decisions = try backend.makeBuffer([Int32](repeating: 0, count: 4))
    players =
      (configuration.aeGANWeight > 0 ? [(aeDiscriminator, pairs, aeBlock, 0, "D_AE")] : [])
      + (configuration.binaryGANWeight > 0 ? [(binaryDiscriminator, codePairs, binaryBlock, 1, "D_B")] : [])
  }

  /// `h = σ(e(x))`, `x̃ = f(h)`.
  func autoencode(_ x: DeviceBuffer<Float>, rows: Int) throws {
    try encoder.forward(x, rows: rows)
    try backend.activate(.sigmoid, encoder.output, into: codes, count: rows * k)
    try decoder.forward(codes, rows: rows)
  }

  /// Back through the decoder (from its output gradient) and the encoder, adding
  /// `codeGradient` (∂L/∂h from elsewhere); then one Adam step of the auto-encoder.
  func updateAutoencoder(_ x: DeviceBuffer<Float>, rows: Int) throws {
    try decoder.backward(input: codes, rows: rows, inputGradient: codeGradient, inputGradientBeta: 1)
    try backend.activationBackward(
      .sigmoid, output: codes, outputGradient: codeGradient, into: encoder.outputGradient, count: rows * k)
    try encoder.backward(input: x, rows: rows)
    steps.generator += 1
    try generatorBlock.adamStep(learningRate: configuration.learningRate, weightDecay: 0, step: steps.generator)
  }

  /// Pre-training: ℓ2 reconstruction alone.
  func pretrainStep(_ x: DeviceBuffer<Float>, rows: Int) throws {
    try autoencode(x, rows: rows)
    try squaredError.apply(
      decoder.output, x, rows: rows, columns: d, weight: 1, slot: LossSlot(losses, "recon"),
      gradientA: decoder.outputGradient)
    try backend.fill(codeGradient, value: 0, count: rows * k)
    try updateAutoencoder(x, rows: rows)
  }

  /// D_AE on [x | h; x̃ | h] and D_B on [b; h + ε], 2·rows each.
  func discriminate(_ x: DeviceBuffer<Float>, rows: Int) throws {
    try stackDiscriminatorInputs(x, rows: rows)
    try forwardDiscriminators(rows: rows)
  }

  /// The discriminators' inputs: the pairs and the codes, real half above fake.
  private func stackDiscriminatorInputs(_ x: DeviceBuffer<Float>, rows: Int) throws {
    // Each half written in place in the stacked pairs.
    for (half, input) in [x, decoder.output].enumerated() {
      try backend.copyColumns(
        input, rows: rows, columns: d, sourceStride: d, sourceColumn: 0, into: pairs, destinationStride: d + k,
        destinationRow: half * rows, destinationColumn: 0)
      try backend.copyColumns(
        codes, rows: rows, columns: k, sourceStride: k, sourceColumn: 0, into: pairs, destinationStride: d + k,
        destinationRow: half * rows, destinationColumn: d)
    }
    try backend.linearCombination(alpha: 1, codes, beta: 1, noisy, into: scratch, count: rows * k)
    try backend.copy(sampled, sourceOffset: 0, to: codePairs, destinationOffset: 0, count: rows * k)
    try backend.copy(scratch, sourceOffset: 0, to: codePairs, destinationOffset: rows * k, count: rows * k)
  }

  /// Both discriminators' logits on their stacked inputs. A discriminator's step reads its
  /// input and leaves it, so scoring again after one needs only this.
  private func forwardDiscriminators(rows: Int) throws {
    try aeDiscriminator.forward(pairs, rows: 2 * rows)
    try binaryDiscriminator.forward(codePairs, rows: 2 * rows)
  }

  /// `−log` of one half of a discriminator's 2·rows logits against `target`, its
  /// gradient into the same half of `into`.
  func crossEntropy(
    _ output: DeviceBuffer<Float>, half: Int, rows: Int, target: Float, weight: Float, slot: String,
    into outputGradient: DeviceBuffer<Float>
  ) throws {
    try crossEntropy.apply(
      logits: output, logitsOffset: half * rows, target: target, rows: rows, weight: weight,
      slot: LossSlot(losses, slot), gradient: outputGradient, gradientOffset: half * rows)
  }

  /// A discriminator's gradients on its 2·rows logits (real half → 1, fake → 0, Eq. 4 and 9).
  func discriminatorGradients(_ discriminator: MLP, input: DeviceBuffer<Float>, slot: String, rows: Int) throws {
    for (half, target) in [(0, Float(1)), (1, 0)] {
      try crossEntropy(
        discriminator.output, half: half, rows: rows, target: target, weight: 1, slot: slot,
        into: discriminator.outputGradient)
    }
    try discriminator.backward(input: input, rows: 2 * rows)
  }

  /// Whether each discriminator's mean σ on its fake half is above ½ (Algorithm 1's
  /// decision), read back: on one process `scoreGate` decides on the device, one launch a
  /// discriminator; a data-parallel run sums the scores over its processes first.
  func discriminatorsAboveHalf(rows: Int) throws -> (ae: Bool, binary: Bool) {
    guard share != nil else {
      for (slot, output) in [aeDiscriminator.output, binaryDiscriminator.output].enumerated() {
        try backend.scoreGate(output, offset: rows, count: rows, threshold: 0.5, schedule: decisions, slot: slot)
      }
      let taken = try backend.download(decisions)
      return (taken[0] == 1, taken[2] == 1)
    }
    let (ae, binary) = try fakeScores(rows: rows)
    return (ae > 0.5, binary > 0.5)
  }

  /// Mean σ of each discriminator's fake half over every process's rows.
  func fakeScores(rows: Int) throws -> (ae: Float, binary: Float) {
    for (index, output) in [aeDiscriminator.output, binaryDiscriminator.output].enumerated() {
      try backend.copy(output, sourceOffset: rows, to: logits, destinationOffset: 0, count: rows)
      try backend.activate(.sigmoid, logits, into: logits, count: rows)
      try backend.reduceRows(logits, rows: 1, columns: rows, .sum, into: gradient)
      try backend.copy(gradient, sourceOffset: 0, to: scores, destinationOffset: index, count: 1)
    }
    let local = try backend.download(scores)
    let values = share?.total(local) ?? local
    let batch = Float(batchRows(rows))
    return (values[0] / batch, values[1] / batch)
  }

  func step(_ x: DeviceBuffer<Float>, rows: Int, draws: BatchDraws, seed: UInt64, counter: UInt64) throws {
    let cfg = configuration
    let nk = rows * k
    try draws.fill(
      sampled, columns: k, rows: rows, .bernoulli(probability: cfg.bitProbability), seed: seed, counter: 2 * counter)
    try draws.fill(
      noisy, columns: k, rows: rows, .gaussian(standardDeviation: cfg.codeNoise), seed: seed, counter: 2 * counter + 1)
    try autoencode(x, rows: rows)
    try discriminate(x, rows: rows)
    if let schedule, share == nil {
      try stepDiscriminatorsOnTheDevice(rows: rows, schedule: schedule)
    } else {
      try stepDiscriminatorsOnTheHost(rows: rows)
    }

    // The auto-encoder's loss, ∂/∂h gathered in codeGradient, ∂/∂x̃ in the decoder's: the
    // AE-GAN term writes both, or they start at 0.
    if cfg.aeGANWeight <= 0 {
      try backend.fill(codeGradient, value: 0, count: nk)
      try backend.fill(decoder.outputGradient, value: 0, count: rows * d)
    } else {
      // Eq. 6: the real pair called fake, the reconstruction called real.
      try crossEntropy(
        aeDiscriminator.output, half: 0, rows: rows, target: 0, weight: cfg.aeGANWeight, slot: "G_AE",
        into: aeDiscriminator.outputGradient)
      try crossEntropy(
        aeDiscriminator.output, half: 1, rows: rows, target: 1, weight: cfg.aeGANWeight, slot: "G_AE",
        into: aeDiscriminator.outputGradient)
      try aeDiscriminator.backward(input: pairs, rows: 2 * rows, parameterGradients: false, inputGradient: pairs)
      // h is in both halves' pairs: its gradient is the sum of their code columns; x̃ only
      // in the fake half.
      try backend.copyColumns(
        pairs, rows: rows, columns: k, sourceStride: d + k, sourceColumn: d, into: codeGradient, destinationStride: k,
        destinationColumn: 0)
      try backend.copyColumns(
        pairs, rows: rows, columns: k, sourceStride: d + k, sourceRow: rows, sourceColumn: d, into: part,
        destinationStride: k, destinationColumn: 0)
      try backend.linearCombination(alpha: 1, codeGradient, beta: 1, part, into: codeGradient, count: nk)
      try backend.copyColumns(
        pairs, rows: rows, columns: d, sourceStride: d + k, sourceRow: rows, sourceColumn: 0,
        into: decoder.outputGradient, destinationStride: d, destinationColumn: 0)
    }
    if cfg.binaryGANWeight > 0 {
      try backend.fill(binaryDiscriminator.outputGradient, value: 0, count: 2 * rows)
      try crossEntropy(
        binaryDiscriminator.output, half: 1, rows: rows, target: 1, weight: cfg.binaryGANWeight, slot: "G_B",
        into: binaryDiscriminator.outputGradient)
      try binaryDiscriminator.backward(
        input: codePairs, rows: 2 * rows, parameterGradients: false, inputGradient: codePairs)
      try backend.copy(codePairs, sourceOffset: nk, to: part, destinationOffset: 0, count: nk)
      try backend.linearCombination(alpha: 1, codeGradient, beta: 1, part, into: codeGradient, count: nk)
    }
    try variance.apply(
      codes: codes, sampled: sampled, rows: rows, bits: k, weight: cfg.varianceWeight,
      slot: LossSlot(losses, "variance"),
      gradient: codeGradient, beta: 1)
    if cfg.reconstructionWeight > 0 {
      try squaredError.apply(
        decoder.output, x, rows: rows, columns: d, weight: cfg.reconstructionWeight, slot: LossSlot(losses, "recon"),
        gradientA: decoder.outputGradient, beta: 1)
    }
    if cfg.quantisationWeight > 0 {
      // Targets 1[h > ½] = (sign(h − ½) + 1)/2, held constant.
      try backend.fill(targets, value: 0.5, count: nk)
      try backend.linearCombination(alpha: 1, codes, beta: -1, targets, into: part, count: nk)
      try backend.map(.sign, part, into: part, count: nk)
      try backend.linearCombination(alpha: 0.5, part, beta: 1, targets, into: targets, count: nk)
      try squaredError.apply(
        codes, targets, rows: rows, columns: k, weight: cfg.quantisationWeight, slot: LossSlot(losses, "quant"),
        gradientA: codeGradient, beta: 1)
    }
    try updateAutoencoder(x, rows: rows)
  }

  /// Algorithm 1 decided on the device: each discriminator's fake score sets its schedule
  /// slot, its gradients are computed every step and its Adam update is taken where the
  /// slot says so. Both discriminate again: an unchanged one gives the same scores.
  private func stepDiscriminatorsOnTheDevice(rows: Int, schedule: DeviceSchedule) throws {
    steps.offered += 1
    for player in players {
      try backend.scoreGate(
        player.discriminator.output, offset: rows, count: rows, threshold: 0.5, schedule: schedule.state,
        slot: player.slot)
      try discriminatorGradients(player.discriminator, input: player.input, slot: player.loss, rows: rows)
      try player.block.gatedAdamStep(
        learningRate: configuration.learningRate, weightDecay: 0, schedule: schedule, slot: player.slot,
        mostSteps: steps.offered)
    }
    if !players.isEmpty { try forwardDiscriminators(rows: rows) }
  }

  /// The schedule decided on the host from the scores read back (summed over the processes
  /// of a data-parallel run), or every step when not self-controlled.
  private func stepDiscriminatorsOnTheHost(rows: Int) throws {
    let (ae, binary) = configuration.selfControlled ? try discriminatorsAboveHalf(rows: rows) : (true, true)
    var changed = false
    for player in players where [ae, binary][player.slot] {
      hostDecidedSteps[player.slot] += 1
      try discriminatorGradients(player.discriminator, input: player.input, slot: player.loss, rows: rows)
      try player.block.adamStep(
        learningRate: configuration.learningRate, weightDecay: 0, step: hostDecidedSteps[player.slot])
      changed = true
    }
    if changed { try forwardDiscriminators(rows: rows) }
  }

  func hash(mean: [Float], scale: Float) throws -> MLPHash {
    MLPHash(mean: mean, inputScale: scale, layers: try MLPHash.layers(of: encoder, backend: backend))
  }
}

public enum GMANs {
  public static func train(
    _ data: Matrix, bits: Int, configuration: GMANsConfiguration = GMANsConfiguration(),
    options: GenerativeOptions = GenerativeOptions(), backend: any Backend, share: DataShare? = nil,
    onEvent: (TrainingEvent) -> Void = { _ in }
  ) throws -> MLPHash {
    var options = options
    options.batchSize = configuration.batchSize
    let loop = try MinibatchLoop(data: data, options: options, backend: backend, share: share)
    let stepsPerEpoch = (loop.totalRows + loop.capacity - 1) / loop.capacity
    let network = try GMANsNetwork(
      inputs: data.columns, bits: bits, capacity: loop.capacity, configuration: configuration, seed: options.seed,
      scheduledSteps: options.epochs * stepsPerEpoch, backend: backend)
    loop.share([network.generatorBlock, network.aeBlock, network.binaryBlock, network.variance, network])
    var inTime = try loop.run(
      epochs: configuration.pretrainEpochs, phase: "pre-training", losses: network.losses, onEvent: onEvent
    ) { rows, _ in try network.pretrainStep(loop.batch, rows: rows) }
    if inTime {
      inTime = try loop.run(
        epochs: options.epochs, firstEpoch: configuration.pretrainEpochs + 1, phase: "", losses: network.losses,
        onEvent: onEvent
      ) { rows, _ in
        try network.step(loop.batch, rows: rows, draws: loop.draws, seed: options.seed, counter: UInt64(loop.steps))
      }
    }
    return try network.hash(mean: loop.mean, scale: loop.scale)
  }
}
