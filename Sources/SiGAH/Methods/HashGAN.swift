// HashGAN (Ghasedi Dizaji, Zheng, Sadoughi, Yang, Deng & Huang, CVPR 2018; METHOD.md §8)
// on feature vectors: a generator G(z) from z = [z' ~ U(0,1), b' ~ Bernoulli(½)], and a
// discriminator D and encoder E that share one trunk F and differ in their last layer.
// - The D/E step minimises the adversarial loss, the hashing loss on real items (minimum
//   entropy, uniform frequency, consistency under added Gaussian noise, independent bits
//   ‖WWᵀ − I‖² on E's last layer) and the collaborative ℓ2 loss ‖E(G(z)) − b'‖².
// - The G step minimises feature matching on F.
// The hashing and collaborative terms are off for the first tenth of the epochs (the
// paper's warm-up); every input of the trunk gets N(0, σ²) noise (σ = 0.15, the paper's).

import Backend

public struct HashGANConfiguration: Sendable, Equatable {
  public var adversarialWeight: Float = 1
  public var featureMatchingWeight: Float = 1
  public var minimumEntropyWeight: Float = 1e-2
  public var uniformFrequencyWeight: Float = 1
  public var consistencyWeight: Float = 1
  public var independenceWeight: Float = 1
  public var collaborativeWeight: Float = 0.1
  /// Epochs without the hashing and collaborative terms, as a fraction of all.
  public var warmUpFraction: Float = 0.1
  /// Standard deviation of the noise on every trunk input, in the network's units.
  public var inputNoise: Float = 0.15
  /// Length of z', the generator's uniform input.
  public var noiseDimension = 32
  public var generatorWidths = [256, 512]
  public var trunkWidths = [512, 256]
  /// Adam's rate falls linearly from the first to the second over the epochs; β1 = 0.5.
  public var learningRates: (Float, Float) = (9e-4, 3e-4)

  public init() {}

  public static func == (a: Self, b: Self) -> Bool {
    a.adversarialWeight == b.adversarialWeight && a.featureMatchingWeight == b.featureMatchingWeight
      && a.minimumEntropyWeight == b.minimumEntropyWeight && a.uniformFrequencyWeight == b.uniformFrequencyWeight
      && a.consistencyWeight == b.consistencyWeight && a.independenceWeight == b.independenceWeight
      && a.collaborativeWeight == b.collaborativeWeight && a.warmUpFraction == b.warmUpFraction
      && a.inputNoise == b.inputNoise && a.noiseDimension == b.noiseDimension
      && a.generatorWidths == b.generatorWidths && a.trunkWidths == b.trunkWidths
      && a.learningRates == b.learningRates
  }
}

final class HashGANNetwork {
  let backend: any Backend
  let configuration: HashGANConfiguration
  let (d, k, n): (Int, Int, Int)
  let generatorBlock: ParameterBlock, discriminatorBlock: ParameterBlock
  let generator: MLP, trunk: MLP, discriminatorHead: MLP, encoderHead: MLP
  let losses: LossAccumulator
  let crossEntropy: BinaryCrossEntropy
  let entropy: BitEntropy
  let squaredError: SquaredError
  let orthogonality: Orthogonality
  let featureMatching: FeatureMatching
  // Workspace. The trunk sees 3n rows: [x + ε₁; x + ε₂; G(z) + ε₃].
  let uniform: DeviceBuffer<Float>, binary: DeviceBuffer<Float>, latent: DeviceBuffer<Float>
  let stacked: DeviceBuffer<Float>, noise: DeviceBuffer<Float>
  let codeLogits: [DeviceBuffer<Float>], codeGradients: [DeviceBuffer<Float>]
  let probabilities: [DeviceBuffer<Float>], probabilityGradients: [DeviceBuffer<Float>]
  let realFeatures: DeviceBuffer<Float>
  private(set) var discriminatorSteps = 0, generatorSteps = 0

  init(
    inputs d: Int, bits k: Int, capacity n: Int, configuration: HashGANConfiguration, seed: UInt64, backend: any Backend
  )
    throws
  {
    self.backend = backend
    self.configuration = configuration
    (self.d, self.k, self.n) = (d, k, n)
    var random = SeededGenerator(seed: seed)
    let z = configuration.noiseDimension + k
    let generatorSpec = configuration.generatorWidths.map { LayerSpec($0, .relu) } + [LayerSpec(d, .identity)]
    let trunkSpec = configuration.trunkWidths.map { LayerSpec($0, .leakyReLU(slope: 0.2)) }
    let features = configuration.trunkWidths.last!
    generatorBlock = try ParameterBlock(
      MLP.parameters(prefix: "generator", inputs: z, layers: generatorSpec, generator: &random), on: backend)
    discriminatorBlock = try ParameterBlock(
      MLP.parameters(prefix: "trunk", inputs: d, layers: trunkSpec, generator: &random)
        + MLP.parameters(
          prefix: "discriminator", inputs: features, layers: [LayerSpec(1, .identity)], generator: &random)
        + MLP.parameters(prefix: "encoder", inputs: features, layers: [LayerSpec(k, .identity)], generator: &random),
      on: backend)
    generator = try MLP(
      prefix: "generator", inputs: z, layers: generatorSpec, block: generatorBlock, capacity: n, backend: backend)
    trunk = try MLP(
      prefix: "trunk", inputs: d, layers: trunkSpec, block: discriminatorBlock, capacity: 3 * n, backend: backend)
    discriminatorHead = try MLP(
      prefix: "discriminator", inputs: features, layers: [LayerSpec(1, .identity)], block: discriminatorBlock,
      capacity: 3 * n, backend: backend)
    encoderHead = try MLP(
      prefix: "encoder", inputs: features, layers: [LayerSpec(k, .identity)], block: discriminatorBlock,
      capacity: 3 * n, backend: backend)
    losses = try LossAccumulator(
      names: ["adv", "min-entropy", "uniform", "consistent", "independent", "l2", "feature"], backend: backend)
    crossEntropy = try BinaryCrossEntropy(capacity: n, backend: backend)
    entropy = try BitEntropy(capacity: n, bits: k, backend: backend)
    squaredError = try SquaredError(capacity: n * k, backend: backend)
    orthogonality = try Orthogonality(rows: k, backend: backend)
    featureMatching = try FeatureMatching(features: features, backend: backend)
    func buffer(_ count: Int) throws -> DeviceBuffer<Float> { try backend.makeBuffer(Float.self, count: count) }
    (uniform, binary, latent) = (try buffer(n * configuration.noiseDimension), try buffer(n * k), try buffer(n * z))
    (stacked, noise) = (try buffer(3 * n * d), try buffer(n * d))
    codeLogits = try (0..<3).map { _ in try buffer(n * k) }
    codeGradients = try (0..<3).map { _ in try buffer(n * k) }
    probabilities = try (0..<3).map { _ in try buffer(n * k) }
    probabilityGradients = try (0..<3).map { _ in try buffer(n * k) }
    realFeatures = try buffer(n * features)
  }

  /// z = [z', b'] for `rows` rows and G(z), into `generator.output`.
  func generate(rows: Int, draws: BatchDraws, seed: UInt64, counter: UInt64) throws {
    let z = configuration.noiseDimension
    try draws.fill(uniform, columns: z, rows: rows, .uniform, seed: seed, counter: counter)
    try draws.fill(binary, columns: k, rows: rows, .bernoulli(probability: 0.5), seed: seed, counter: counter + 1)
    try backend.copyColumns(
      uniform, rows: rows, columns: z, sourceStride: z, sourceColumn: 0, into: latent, destinationStride: z + k,
      destinationColumn: 0)
    try backend.copyColumns(
      binary, rows: rows, columns: k, sourceStride: k, sourceColumn: 0, into: latent, destinationStride: z + k,
      destinationColumn: z)
    try generator.forward(latent, rows: rows)
  }

  /// One D/E step and one G step on the `rows` rows of `x`.
  func step(
    _ x: DeviceBuffer<Float>, rows: Int, learningRate: Float, warm: Bool, draws: BatchDraws, seed: UInt64,
    counter: UInt64
  ) throws {
    let cfg = configuration
    let nk = rows * k
    let hashing: Float = warm ? 1 : 0
    let adversarial = cfg.adversarialWeight > 0
    // Each draw its own counter: z' and b' at 4c and 4c + 1, the D step's noise of part p
    // at 4c + 2 + p·2⁴¹, the G step's noise at 4c + 3 and its z', b' at that plus 2⁴⁰ (the
    // key mixes all 64 bits). A draw is per row of the batch, so that a data-parallel
    // process draws its rows' (METHOD.md §12).
    try generate(rows: rows, draws: draws, seed: seed, counter: 4 * counter)
    // [x + ε₁; x + ε₂; G(z) + ε₃]
    for (part, source) in [x, x, generator.output].enumerated() {
      try draws.fill(
        noise, columns: d, rows: rows, .gaussian(standardDeviation: cfg.inputNoise), seed: seed,
        counter: 4 * counter + 2 + UInt64(part) << 41)
      try backend.linearCombination(alpha: 1, source, beta: 1, noise, into: noise, count: rows * d)
      try backend.copy(noise, sourceOffset: 0, to: stacked, destinationOffset: part * rows * d, count: rows * d)
    }
    let all = 3 * rows
    try trunk.forward(stacked, rows: all)
    let features = trunk.outputs
    try backend.copy(trunk.output, sourceOffset: 0, to: realFeatures, destinationOffset: 0, count: rows * features)
    try discriminatorHead.forward(trunk.output, rows: all)
    try encoderHead.forward(trunk.output, rows: all)

    // Adversarial: real rows → 1, synthetic rows → 0; the second view of x takes no part.
    try backend.fill(discriminatorHead.outputGradient, value: 0, count: all)
    if adversarial {
      for (first, target) in [(0, Float(1)), (2 * rows, 0)] {
        try crossEntropy.apply(
          logits: discriminatorHead.output, logitsOffset: first, target: target, rows: rows,
          weight: cfg.adversarialWeight, slot: LossSlot(losses, "adv"), gradient: discriminatorHead.outputGradient,
          gradientOffset: first)
      }
    }

    // Hashing on the first view (and consistency with the second), collaborative on G(z).
    for part in 0..<3 {
      try backend.copy(
        encoderHead.output, sourceOffset: part * nk, to: codeLogits[part], destinationOffset: 0, count: nk)
      try backend.activate(.sigmoid, codeLogits[part], into: probabilities[part], count: nk)
      try backend.fill(codeGradients[part], value: 0, count: nk)
    }
    try entropy.minimumEntropy(
      logits: codeLogits[0], rows: rows, weight: hashing * cfg.minimumEntropyWeight,
      slot: LossSlot(losses, "min-entropy"), gradient: codeGradients[0], beta: 1)
    try entropy.uniformFrequency(
      logits: codeLogits[0], rows: rows, weight: hashing * cfg.uniformFrequencyWeight,
      slot: LossSlot(losses, "uniform"),
      gradient: codeGradients[0], beta: 1)
    try squaredError.apply(
      probabilities[0], probabilities[1], rows: rows, columns: k, weight: hashing * cfg.consistencyWeight,
      slot: LossSlot(losses, "consistent"), gradientA: probabilityGradients[0], gradientB: probabilityGradients[1])
    try backend.fill(probabilityGradients[2], value: 0, count: nk)
    if adversarial {
      try squaredError.apply(
        probabilities[2], binary, rows: rows, columns: k, weight: hashing * cfg.collaborativeWeight,
        slot: LossSlot(losses, "l2"), gradientA: probabilityGradients[2])
    }
    for part in 0..<3 {
      try backend.activationBackward(
        .sigmoid, output: probabilities[part], outputGradient: probabilityGradients[part],
        into: probabilityGradients[part], count: nk)
      try backend.linearCombination(
        alpha: 1, codeGradients[part], beta: 1, probabilityGradients[part], into: codeGradients[part], count: nk)
      try backend.copy(
        codeGradients[part], sourceOffset: 0, to: encoderHead.outputGradient, destinationOffset: part * nk, count: nk)
    }

    try discriminatorHead.backward(input: trunk.output, rows: all, inputGradient: trunk.outputGradient)
    try encoderHead.backward(input: trunk.output, rows: all, inputGradient: trunk.outputGradient, inputGradientBeta: 1)
    try orthogonality.apply(
      encoderHead.layers[0].weight, weight: hashing * cfg.independenceWeight, batchRows: rows,
      slot: LossSlot(losses, "independent"))
    try trunk.backward(input: stacked, rows: all)
    discriminatorSteps += 1
    try discriminatorBlock.adamStep(learningRate: learningRate, weightDecay: 0, step: discriminatorSteps, beta1: 0.5)

    // G: feature matching against this batch's real features, through the updated trunk.
    guard adversarial else { return }
    try generate(rows: rows, draws: draws, seed: seed, counter: 4 * counter + 3 + (1 << 40))
    try draws.fill(
      noise, columns: d, rows: rows, .gaussian(standardDeviation: cfg.inputNoise), seed: seed, counter: 4 * counter + 3)
    try backend.linearCombination(alpha: 1, generator.output, beta: 1, noise, into: stacked, count: rows * d)
    try trunk.forward(stacked, rows: rows)
    try featureMatching.apply(
      real: realFeatures, realRows: rows, fake: trunk.output, fakeRows: rows, weight: cfg.featureMatchingWeight,
      slot: LossSlot(losses, "feature"), fakeGradient: trunk.outputGradient)
    try trunk.backward(input: stacked, rows: rows, parameterGradients: false, inputGradient: generator.outputGradient)
    try generator.backward(input: latent, rows: rows)
    generatorSteps += 1
    try generatorBlock.adamStep(learningRate: learningRate, weightDecay: 0, step: generatorSteps, beta1: 0.5)
  }

  /// The hash: the trunk and the encoder's last layer.
  func hash(mean: [Float], scale: Float) throws -> MLPHash {
    MLPHash(
      mean: mean, inputScale: scale,
      layers: try MLPHash.layers(of: trunk, backend: backend) + MLPHash.layers(of: encoderHead, backend: backend))
  }
}

public enum HashGAN {
  public static func train(
    _ data: Matrix, bits: Int, configuration: HashGANConfiguration = HashGANConfiguration(),
    options: GenerativeOptions = GenerativeOptions(), backend: any Backend, share: DataShare? = nil,
    onEvent: (TrainingEvent) -> Void = { _ in }
  ) throws -> MLPHash {
    guard !configuration.trunkWidths.isEmpty, configuration.noiseDimension >= 1 else {
      throw TrainingError.invalidData("HashGAN needs at least one trunk layer and a noise dimension of at least 1")
    }
    let loop = try MinibatchLoop(data: data, options: options, backend: backend, share: share)
    let network = try HashGANNetwork(
      inputs: data.columns, bits: bits, capacity: loop.capacity, configuration: configuration, seed: options.seed,
      backend: backend)
    loop.share([network.generatorBlock, network.discriminatorBlock, network.entropy, network.featureMatching])
    let warmUp = Int((Float(options.epochs) * configuration.warmUpFraction).rounded(.up))
    let (first, last) = configuration.learningRates
    for epoch in 1..<(options.epochs + 1) {
      let progress = options.epochs > 1 ? Float(epoch - 1) / Float(options.epochs - 1) : 0
      let rate = first + (last - first) * progress
      let warm = epoch > warmUp
      let inTime = try loop.run(
        epochs: 1, firstEpoch: epoch, phase: warm ? "" : "warm-up", losses: network.losses, onEvent: onEvent
      ) { rows, _ in
        try network.step(
          loop.batch, rows: rows, learningRate: rate, warm: warm, draws: loop.draws, seed: options.seed,
          counter: UInt64(loop.steps))
      }
      if !inTime { break }
    }
    return try network.hash(mean: loop.mean, scale: loop.scale)
  }
}
