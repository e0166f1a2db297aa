// Stochastic Generative Hashing (Dai, Guo, Kumar, He & Song, ICML 2017; METHOD.md §10):
// a linear encoder `q(h|x) = Bernoulli(σ(Wx + c))`, a linear Gaussian decoder
// `x ≈ Uh + e`, trained through stochastic binary neurons `h = 1[σ(z) > ε]`,
// ε ~ U(0, 1), whose distributional derivative passes `∂L/∂h` to z as `σ'(z)·∂L/∂h`.
// The code is the neuron at ε = ½: `sign(Wx + c)`, a linear hash.

import Backend

public struct SGHConfiguration: Sendable, Equatable {
  /// Weight of the encoder's cross-entropy term `BCE(z, h)` (the authors' α).
  public var alpha: Float = 1e-3
  /// Weight of the reconstruction `½‖x − Uh − e‖²`; 0 leaves only the entropy term.
  public var reconstructionWeight: Float = 1
  /// Stochastic neurons (ε ~ U(0, 1), the paper) or deterministic ones (ε = ½, the
  /// authors' MNIST demonstration): the paper's ablation.
  public var stochastic = true
  public var learningRate: Float = 1e-2
  /// L2 decay per sample (the authors' 1e-3 on a 500-row sum of squares).
  public var weightDecay: Float = 2e-6

  public init() {}
}

final class SGHNetwork {
  let backend: any Backend
  let configuration: SGHConfiguration
  let block: ParameterBlock
  let encoder: MLP
  let decoder: MLP
  let bits: Int
  let losses: LossAccumulator
  let reconstruction: SquaredError
  let crossEntropy: BinaryCrossEntropy
  let probabilities: DeviceBuffer<Float>, thresholds: DeviceBuffer<Float>, codes: DeviceBuffer<Float>
  let halves: DeviceBuffer<Float>
  private(set) var steps = 0

  init(inputs d: Int, bits: Int, capacity n: Int, configuration: SGHConfiguration, seed: UInt64, backend: any Backend)
    throws
  {
    self.backend = backend
    self.configuration = configuration
    self.bits = bits
    var generator = SeededGenerator(seed: seed)
    let encoderSpec = [LayerSpec(bits, .identity)]
    let decoderSpec = [LayerSpec(d, .identity)]
    block = try ParameterBlock(
      MLP.parameters(prefix: "encoder", inputs: d, layers: encoderSpec, generator: &generator)
        + MLP.parameters(prefix: "decoder", inputs: bits, layers: decoderSpec, generator: &generator), on: backend)
    encoder = try MLP(prefix: "encoder", inputs: d, layers: encoderSpec, block: block, capacity: n, backend: backend)
    decoder = try MLP(prefix: "decoder", inputs: bits, layers: decoderSpec, block: block, capacity: n, backend: backend)
    losses = try LossAccumulator(names: ["recon", "bce"], backend: backend)
    reconstruction = try SquaredError(capacity: n * d, backend: backend)
    crossEntropy = try BinaryCrossEntropy(capacity: n * bits, backend: backend)
    probabilities = try backend.makeBuffer(Float.self, count: n * bits)
    thresholds = try backend.makeBuffer(Float.self, count: n * bits)
    codes = try backend.makeBuffer(Float.self, count: n * bits)
    halves = try backend.makeBuffer([Float](repeating: 0.5, count: n * bits))
  }

  /// One step on the `n` rows of `x`; `counter` names its random draws.
  func step(
    _ x: DeviceBuffer<Float>, rows n: Int, learningRate: Float, draws: BatchDraws, seed: UInt64, counter: UInt64
  ) throws {
    let count = n * bits
    let cfg = configuration
    try encoder.forward(x, rows: n)
    let z = encoder.output
    try backend.activate(.sigmoid, z, into: probabilities, count: count)
    // h = 1[σ(z) > ε] = (sign(σ(z) − ε) + 1)/2.
    if cfg.stochastic {
      try draws.fill(thresholds, columns: bits, rows: n, .uniform, seed: seed, counter: counter)
    } else {
      try backend.fill(thresholds, value: 0.5, count: count)
    }
    try backend.linearCombination(alpha: 1, probabilities, beta: -1, thresholds, into: codes, count: count)
    try backend.map(.sign, codes, into: codes, count: count)
    try backend.linearCombination(alpha: 0.5, codes, beta: 1, halves, into: codes, count: count)
    try decoder.forward(codes, rows: n)
    // ½‖x̂ − x‖² per row; the decoder's input gradient is ∂L/∂h.
    try reconstruction.apply(
      decoder.output, x, rows: n, columns: decoder.outputs, weight: 0.5 * cfg.reconstructionWeight,
      slot: LossSlot(losses, "recon"), gradientA: decoder.outputGradient)
    let dh = thresholds
    try decoder.backward(input: codes, rows: n, inputGradient: dh)
    // α·BCE(z, h): ∂/∂z = α(σ(z) − h)/n directly, ∂/∂h = −α·z/n through the neuron.
    try backend.linearCombination(alpha: 1, dh, beta: -cfg.alpha / Float(n), z, into: dh, count: count)
    try backend.activationBackward(
      .sigmoid, output: probabilities, outputGradient: dh, into: encoder.outputGradient, count: count)
    try crossEntropy.apply(
      logits: z, targets: codes, rows: n, columns: bits, weight: cfg.alpha, slot: LossSlot(losses, "bce"),
      gradient: encoder.outputGradient, beta: 1)
    try encoder.backward(input: x, rows: n)
    steps += 1
    try block.adamStep(learningRate: learningRate, weightDecay: cfg.weightDecay, step: steps)
  }
}

public enum StochasticGenerativeHashing {
  public static func train(
    _ data: Matrix, bits: Int, configuration: SGHConfiguration = SGHConfiguration(),
    options: GenerativeOptions = GenerativeOptions(), backend: any Backend, share: DataShare? = nil,
    onEvent: (TrainingEvent) -> Void = { _ in }
  ) throws -> LinearHash {
    let loop = try MinibatchLoop(data: data, options: options, backend: backend, share: share)
    let network = try SGHNetwork(
      inputs: data.columns, bits: bits, capacity: loop.capacity, configuration: configuration, seed: options.seed,
      backend: backend)
    loop.share([network.block])
    try loop.run(epochs: options.epochs, phase: "", losses: network.losses, onEvent: onEvent) { n, _ in
      try network.step(
        loop.batch, rows: n, learningRate: configuration.learningRate, draws: loop.draws, seed: options.seed,
        counter: UInt64(loop.steps))
    }
    let layer = network.encoder.layers[0]
    return loop.linearHash(
      weight: try backend.download(layer.weight.value), bias: try backend.download(layer.bias.value), bits: bits)
  }
}
