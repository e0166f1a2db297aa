// The SiGAH model on a backend (METHOD.md §1–2): two players built from `Linear` layers
// over one parameter block each, the two losses and their hand-written gradients. Nothing
// in a training step reads from the device: loss terms accumulate in a device buffer that
// the trainer reads once per epoch. Every buffer is allocated once for `capacity` rows.

import Backend

public final class SiGAHNetwork: BatchWide {
  public let backend: any Backend
  public let configuration: SiGAHConfiguration
  /// Input dimension `d`, code bits `r`, generator width `m`, discriminator width `d_l`.
  public let d: Int, r: Int, m: Int, dl: Int
  /// The most rows a batch may have.
  public let capacity: Int

  // The players (METHOD.md §1): the hash layer and generator, and the auto-encoder
  // discriminator, each over its own parameter block.
  let generatorBlock: ParameterBlock
  let discriminatorBlock: ParameterBlock
  /// `H = tanh(X̃Wᵀ + c)`.
  let hashLayer: Linear
  /// `Gout = act(HW2ᵀ + c2)`.
  let generatorLayer: Linear
  /// The auto-encoder discriminator: `E = act(AW3ᵀ + c3)`, `R = EW4ᵀ + c4`, for up to
  /// 2·capacity rows (the stacked batch).
  let discriminator: MLP
  let negatedMean: DeviceBuffer<Float>
  let meanBuffer: DeviceBuffer<Float>
  let psi: DeviceBuffer<Float>
  let mean: [Float]

  var W: Tensor { hashLayer.weight }
  var c: Tensor { hashLayer.bias }
  var generatorParameters: [Tensor] { generatorBlock.tensors }
  var discriminatorParameters: [Tensor] { discriminatorBlock.tensors }

  // Workspace, named after METHOD.md's symbols. Rows × columns in the comments.
  let x: DeviceBuffer<Float>  // X̃, n × d
  let h: DeviceBuffer<Float>  // H, n × r
  let g: DeviceBuffer<Float>  // Gout, n × m
  let xHat: DeviceBuffer<Float>  // X̂ = Gout·Ψᵀ, n × d
  let stacked: DeviceBuffer<Float>  // [X̃; X̂], 2n × d
  // The discriminator's E (2n × d_l) and R (2n × d) are its MLP's activations; R − a, then
  // dR, is written straight into its output gradient.
  let energies: DeviceBuffer<Float>  // D(a), 2n
  let rowWeights: DeviceBuffer<Float>  // ∂L/∂D(a)·2κ, 2n
  let hingeLosses: DeviceBuffer<Float>, hingeGradient: DeviceBuffer<Float>, fakeEnergies: DeviceBuffer<Float>  // n
  let dXHat: DeviceBuffer<Float>, dAdversarial: DeviceBuffer<Float>  // n × d
  let dG: DeviceBuffer<Float>, gScratch: DeviceBuffer<Float>  // n × m
  let dH: DeviceBuffer<Float>, lh: DeviceBuffer<Float>, hScratch: DeviceBuffer<Float>  // n × r
  let similarity: DeviceBuffer<Float>  // S, or the code products of distance matching, n × n
  let dmDistances: DeviceBuffer<Float>, dmSelected: DeviceBuffer<Float>, dmLoss: DeviceBuffer<Float>  // n × n
  let norms: DeviceBuffer<Float>, degrees: DeviceBuffer<Float>  // n
  let scalar: DeviceBuffer<Float>  // 1
  /// The loss terms summed over the batches since the last `resetLosses`, each term times
  /// its batch's rows (see `LossSlot`).
  let losses: DeviceBuffer<Float>

  /// In a data-parallel run (METHOD.md §12): the gradient sums, and the whole batch's
  /// inputs and codes, gathered for the graph term.
  var share: ShareStep? {
    didSet { (generatorBlock.share, discriminatorBlock.share) = (share, share) }
  }
  private var wholeBatch: (x: DeviceBuffer<Float>, h: DeviceBuffer<Float>)?

  /// Adam steps taken by each player (the bias corrections count from 1).
  public internal(set) var discriminatorSteps = 0
  public internal(set) var generatorSteps = 0

  public init(
    weights: SiGAHWeights, configuration: SiGAHConfiguration, backend: any Backend, capacity: Int
  ) throws {
    self.backend = backend
    self.configuration = configuration
    (d, r, m, dl) = (weights.inputDimension, weights.bits, weights.generatorWidth, weights.discriminatorWidth)
    self.capacity = capacity
    func tensor(_ name: String) -> TensorInit {
      let spec = weights.layout.first { $0.name == name }!
      return TensorInit(name: name, shape: spec.shape, values: weights.tensors[name]!, decays: spec.decays)
    }
    generatorBlock = try ParameterBlock(["W", "c", "W2", "c2"].map(tensor), on: backend)
    discriminatorBlock = try ParameterBlock(["W3", "c3", "W4", "c4"].map(tensor), on: backend)
    let generatorActivation = configuration.generatorActivation.activation(slope: configuration.leakySlope)
    let discriminatorActivation = configuration.discriminatorActivation.activation(slope: configuration.leakySlope)
    hashLayer = Linear(
      weight: generatorBlock.tensor("W"), bias: generatorBlock.tensor("c"), activation: .tanh, backend: backend)
    generatorLayer = Linear(
      weight: generatorBlock.tensor("W2"), bias: generatorBlock.tensor("c2"), activation: generatorActivation,
      backend: backend)
    discriminator = try MLP(
      layers: [
        Linear(
          weight: discriminatorBlock.tensor("W3"), bias: discriminatorBlock.tensor("c3"),
          activation: discriminatorActivation, backend: backend),
        Linear(
          weight: discriminatorBlock.tensor("W4"), bias: discriminatorBlock.tensor("c4"), activation: .identity,
          backend: backend),
      ], capacity: 2 * capacity, backend: backend)
    mean = weights.tensors["mu"]!
    negatedMean = try backend.makeBuffer(mean.map { -$0 })
    meanBuffer = try backend.makeBuffer(mean)
    psi = try backend.makeBuffer(weights.tensors["Psi"]!)

    func buffer(_ count: Int) throws -> DeviceBuffer<Float> {
      try backend.makeBuffer(Float.self, count: count)
    }
    let n = capacity
    (x, h, g, xHat) = (try buffer(n * d), try buffer(n * r), try buffer(n * m), try buffer(n * d))
    stacked = try buffer(2 * n * d)
    (energies, rowWeights) = (try buffer(2 * n), try buffer(2 * n))
    (hingeLosses, hingeGradient, fakeEnergies) = (try buffer(n), try buffer(n), try buffer(n))
    (dXHat, dAdversarial) = (try buffer(n * d), try buffer(n * d))
    (dG, gScratch) = (try buffer(n * m), try buffer(n * m))
    (dH, lh, hScratch) = (try buffer(n * r), try buffer(n * r), try buffer(n * r))
    similarity = try buffer(n * n)
    let dmSize = configuration.graphTerm == .distanceMatching ? n * n : 1
    (dmDistances, dmSelected, dmLoss) = (try buffer(dmSize), try buffer(dmSize), try buffer(dmSize))
    (norms, degrees, scalar) = (try buffer(n), try buffer(n), try buffer(1))
    losses = try backend.makeBuffer([Float](repeating: 0, count: LossSlot.allCases.count))
  }

  // MARK: Input

  /// Uploads `n` raw input rows and centres them: `x̃ = x − μ` (measurements outside the
  /// training loop, which fills `x` itself).
  public func loadBatch(_ rows: [Float], count n: Int) throws {
    precondition(n >= 1 && n <= capacity && rows.count == n * d)
    try backend.upload(rows, to: x)
    try backend.addRowVector(negatedMean, to: x, rows: n, columns: d)
  }

  // MARK: Forward

  /// Hash layer and generator: `H = tanh(X̃Wᵀ + c)`, `Gout = act(HW2ᵀ + c2)`,
  /// `X̂ = Gout·Ψᵀ` (METHOD.md §1).
  public func forward(rows n: Int) throws {
    try hashLayer.forward(x, rows: n, into: h)
    try generatorLayer.forward(h, rows: n, into: g)
    try backend.gemm(g, transposeA: false, psi, transposeB: true, into: xHat, m: n, n: d, k: m, alpha: 1, beta: 0)
  }

  var kappa: Float { configuration.energyScale(inputDimension: d) }

  /// The auto-encoder discriminator on `rows` rows of `input`: `E = act(AW3ᵀ + c3)`,
  /// `R = EW4ᵀ + c4`, `residual = R − A`, `energies = κ‖R − A‖²` (METHOD.md §1).
  func discriminatorForward(_ input: DeviceBuffer<Float>, rows n: Int) throws {
    try discriminator.forward(input, rows: n)
    let residual = discriminator.outputGradient
    try backend.linearCombination(alpha: 1, discriminator.output, beta: -1, input, into: residual, count: n * d)
    try backend.reduceRows(residual, rows: n, columns: d, .sumOfSquares, into: energies)
    try backend.linearCombination(alpha: kappa, energies, beta: 0, energies, into: energies, count: n)
  }

  /// Backward through the discriminator from `∂D/∂R_i = 2κ(R_i − a_i)` weighted by
  /// `rowWeights` (which already hold `∂L/∂D_i · 2κ`). Writes the parameter gradients
  /// when `parameterGradients`, and `∂L/∂a = dE·W3 − dR` into `inputGradient` when given.
  func discriminatorBackward(
    _ input: DeviceBuffer<Float>, rows n: Int, parameterGradients: Bool, inputGradient: DeviceBuffer<Float>?
  ) throws {
    // R's layer is linear: its backward pass leaves dR as it is, for the last line.
    let dR = discriminator.outputGradient
    try backend.scaleRows(dR, by: rowWeights, rows: n, columns: d)
    try discriminator.backward(
      input: input, rows: n, parameterGradients: parameterGradients, inputGradient: inputGradient)
    if let inputGradient {
      try backend.linearCombination(alpha: 1, inputGradient, beta: -1, dR, into: inputGradient, count: n * d)
    }
  }

  // MARK: Losses on the device

  /// Where each loss term accumulates in `losses`.
  enum LossSlot: Int, CaseIterable {
    case discriminator, reconstruction, quantisation, sparsity, adversarial, graph
  }

  /// `losses[slot] += scale · reduce(buffer[0..<count])`.
  private func add(
    _ slot: LossSlot, _ buffer: DeviceBuffer<Float>, count: Int, _ reduction: RowReduction = .sum, scale: Float
  ) throws {
    try backend.accumulate(buffer, count: count, reduction, scale: scale, into: losses, index: slot.rawValue)
  }

  /// Zeroes the loss accumulator.
  public func resetLosses() throws {
    try backend.fill(losses, value: 0, count: LossSlot.allCases.count)
  }

  /// The mean loss terms over the `rows` rows trained since `resetLosses` (summed over the
  /// shares of a data-parallel run by `reduction`): one read.
  public func readLosses(rows: Int, reduction: ShardReduction = .local) throws -> LossTerms {
    let sums = reduction.sum(try backend.download(losses).map(Double.init))
    let perRow = 1 / Double(max(rows, 1))
    var terms = LossTerms()
    terms.discriminator = sums[LossSlot.discriminator.rawValue] * perRow
    terms.reconstruction = sums[LossSlot.reconstruction.rawValue] * perRow
    // α·(1 − Σh²/(r·n)): the constant α is added here, the device sums −α·Σh²/r.
    terms.quantisation =
      configuration.alpha == 0 ? 0 : Double(configuration.alpha) + sums[LossSlot.quantisation.rawValue] * perRow
    terms.sparsity = sums[LossSlot.sparsity.rawValue] * perRow
    terms.adversarial = sums[LossSlot.adversarial.rawValue] * perRow
    terms.graph = sums[LossSlot.graph.rawValue] * perRow
    return terms
  }

  /// `L_G`'s terms on the loaded batch (after `forward`), read back at once: for tests
  /// and evaluation, never inside training.
  func measureGeneratorLoss(rows n: Int) throws -> LossTerms {
    try resetLosses()
    try generatorLoss(rows: n)
    return try readLosses(rows: n)
  }

  /// `L_D` on the loaded batch (after `forward`), read back at once.
  func measureDiscriminatorLoss(rows n: Int) throws -> Double {
    try resetLosses()
    try discriminatorLoss(rows: n)
    return try readLosses(rows: n).discriminator
  }

  // MARK: Discriminator loss (paper Eq. 21)

  /// `L_D = mean_i [D(x̃_i) + max(0, β − D(x̂_i))]` with `x̂` held constant, on the batch
  /// and its current `X̂` (call `forward` first). Leaves the gradients of W3, c3, W4, c4
  /// and adds `n·L_D` to the accumulator.
  public func discriminatorLoss(rows n: Int) throws {
    // One pass over the stacked batch [X̃; X̂].
    try backend.copy(x, sourceOffset: 0, to: stacked, destinationOffset: 0, count: n * d)
    try backend.copy(xHat, sourceOffset: 0, to: stacked, destinationOffset: n * d, count: n * d)
    try discriminatorForward(stacked, rows: 2 * n)
    try backend.copy(energies, sourceOffset: n, to: fakeEnergies, destinationOffset: 0, count: n)
    try backend.marginLoss(
      energies: fakeEnergies, count: n, margin: configuration.margin, losses: hingeLosses, gradient: hingeGradient)
    try add(.discriminator, energies, count: n, scale: 1)
    try add(.discriminator, hingeLosses, count: n, scale: 1)
    // ∂L/∂D: 1/n for real rows, hinge'/n for synthetic ones; times 2κ from ∂D/∂R.
    let factor = 2 * kappa / Float(n)
    try backend.fill(rowWeights, value: factor, count: n)
    try backend.linearCombination(alpha: factor, hingeGradient, beta: 0, hingeGradient, into: hingeGradient, count: n)
    try backend.copy(hingeGradient, sourceOffset: 0, to: rowWeights, destinationOffset: n, count: n)
    try discriminatorBackward(stacked, rows: 2 * n, parameterGradients: true, inputGradient: nil)
  }

  // MARK: Generator loss (paper Eq. 20 with the adversarial term, METHOD.md §2)

  /// All terms of `L_G` on the batch (call `forward` first); leaves the gradients of
  /// W, c, W2, c2 and adds each term times `n` to the accumulator.
  public func generatorLoss(rows n: Int) throws {
    let cfg = configuration
    let nf = Float(n)

    // Reconstruction ρ·(1/d)‖x̂ − x̃‖²: ∂/∂X̂ = (2ρ/(d·n))(X̂ − X̃).
    try backend.linearCombination(alpha: 1, xHat, beta: -1, x, into: dXHat, count: n * d)
    if cfg.reconstructionWeight != 0 {
      try add(.reconstruction, dXHat, count: n * d, .sumOfSquares, scale: cfg.reconstructionWeight / Float(d))
    }
    try backend.linearCombination(
      alpha: 2 * cfg.reconstructionWeight / (Float(d) * nf), dXHat, beta: 0, dXHat, into: dXHat, count: n * d)

    // Adversarial μ·D(x̂): back through the (just updated) discriminator to X̂.
    if cfg.usesDiscriminator {
      try discriminatorForward(xHat, rows: n)
      try add(.adversarial, energies, count: n, scale: cfg.adversarialWeight)
      try backend.fill(rowWeights, value: 2 * kappa * cfg.adversarialWeight / nf, count: n)
      try discriminatorBackward(xHat, rows: n, parameterGradients: false, inputGradient: dAdversarial)
      try backend.linearCombination(alpha: 1, dXHat, beta: 1, dAdversarial, into: dXHat, count: n * d)
    }

    // X̂ = Gout·Ψᵀ ⇒ ∂/∂Gout = ∂/∂X̂ · Ψ.
    try backend.gemm(dXHat, transposeA: false, psi, transposeB: false, into: dG, m: n, n: m, k: d, alpha: 1, beta: 0)

    // Sparsity λ·(1/m)‖Gout‖² (or ‖·‖₁).
    if cfg.lambda != 0 {
      let scale = cfg.lambda / (Float(m) * nf)
      switch cfg.sparsity {
      case .l2:
        try add(.sparsity, g, count: n * m, .sumOfSquares, scale: cfg.lambda / Float(m))
        try backend.linearCombination(alpha: 1, dG, beta: 2 * scale, g, into: dG, count: n * m)
      case .l1:
        try add(.sparsity, g, count: n * m, .sumOfAbsoluteValues, scale: cfg.lambda / Float(m))
        try backend.map(.sign, g, into: gScratch, count: n * m)
        try backend.linearCombination(alpha: 1, dG, beta: scale, gScratch, into: dG, count: n * m)
      }
    }

    // Through the generator layer to ∂/∂H.
    try generatorLayer.backward(input: h, output: g, outputGradient: dG, rows: n, inputGradient: dH)

    // Quantisation α·(1/r)·Σ_k(1 − H²) (paper Eq. 9 bound): ∂/∂H = −(2α/(r·n))·H.
    if cfg.alpha != 0 {
      try add(.quantisation, h, count: n * r, .sumOfSquares, scale: -cfg.alpha / Float(r))
      try backend.linearCombination(alpha: 1, dH, beta: -2 * cfg.alpha / (Float(r) * nf), h, into: dH, count: n * r)
    }

    if cfg.gamma != 0 { try graphTerm(rows: n) }

    // Through the hash layer: H = tanh(X̃Wᵀ + c).
    try hashLayer.backward(input: x, output: h, outputGradient: dH, rows: n)
  }

  // MARK: Graph term

  /// The graph term's inputs: the batch, or in a data-parallel run the whole batch
  /// gathered from every process, with this process's rows at `own`.
  struct GraphBatch {
    let x: DeviceBuffer<Float>, h: DeviceBuffer<Float>
    let rows: Int
    let own: Range<Int>
    /// The factor from the whole batch's gradient of this process's rows to its part's
    /// (normalised by its n rows, as `ShareStep.combine` expects): N/n.
    var partScale: Float { Float(rows) / Float(max(own.count, 1)) }
    /// The share of the whole batch's loss this process adds: n/N.
    var lossShare: Float { Float(own.count) / Float(rows) }
  }

  func graphBatch(rows n: Int) throws -> GraphBatch {
    guard let share else { return GraphBatch(x: x, h: h, rows: n, own: 0..<n) }
    if wholeBatch == nil {
      wholeBatch = (
        try backend.makeBuffer(Float.self, count: capacity * d), try backend.makeBuffer(Float.self, count: capacity * r)
      )
    }
    let whole = wholeBatch!
    let (xs, first) = try share.gather(x, rows: n, columns: d, backend: backend)
    let (hs, _) = try share.gather(h, rows: n, columns: r, backend: backend)
    try backend.upload(xs, to: whole.x)
    try backend.upload(hs, to: whole.h)
    return GraphBatch(x: whole.x, h: whole.h, rows: xs.count / d, own: share.counts ? first..<(first + n) : 0..<0)
  }

  /// `γ·L_S`, `L_S = (2/n²)·tr(Hᵀ(Diag(S1) − S)H)` (paper Eq. 17, METHOD.md §2), or SiGAH-DM's
  /// distance matching, on the whole batch: adds `∂/∂H` of this process's rows to `dH`.
  func graphTerm(rows n: Int) throws {
    let batch = try graphBatch(rows: n)
    if configuration.graphTerm == .distanceMatching {
      try distanceMatchingTerm(batch)
      return
    }
    let (cfg, rows) = (configuration, batch.rows)
    let nf = Float(rows)
    // ∂L_S/∂H = (4/n²)·(Diag(S1) − S)·H.
    try backend.graphSimilarity(
      batch.x, rows: rows, columns: d, sigma: cfg.sigma, norms: norms, total: scalar, into: similarity)
    try backend.reduceRows(similarity, rows: rows, columns: rows, .sum, into: degrees)
    try backend.gemm(
      similarity, transposeA: false, batch.h, transposeB: false, into: lh, m: rows, n: r, k: rows, alpha: -1, beta: 0)
    try backend.copy(batch.h, sourceOffset: 0, to: hScratch, destinationOffset: 0, count: rows * r)
    try backend.scaleRows(hScratch, by: degrees, rows: rows, columns: r)
    try backend.linearCombination(alpha: 1, lh, beta: 1, hScratch, into: lh, count: rows * r)
    try backend.multiply(batch.h, lh, into: hScratch, count: rows * r)
    try add(.graph, hScratch, count: rows * r, scale: cfg.gamma * 2 / nf * batch.lossShare)
    guard !batch.own.isEmpty else { return }
    let ownRows = try ownRows(of: lh, batch)
    try backend.linearCombination(
      alpha: 1, dH, beta: 4 * cfg.gamma / (nf * nf) * batch.partScale, ownRows, into: dH, count: n * r)
  }

  /// This process's rows of a whole-batch matrix of r columns (the matrix itself with one process).
  private func ownRows(of matrix: DeviceBuffer<Float>, _ batch: GraphBatch) throws -> DeviceBuffer<Float> {
    guard batch.own.count != batch.rows else { return matrix }
    try backend.copy(
      matrix, sourceOffset: batch.own.lowerBound * r, to: hScratch, destinationOffset: 0, count: batch.own.count * r)
    return hScratch
  }

  // MARK: Training step (METHOD.md §3)

  /// One iteration on a loaded batch: a discriminator step on `L_D`, then a step of the
  /// hash layer and generator on `L_G` against the updated discriminator. Queues work
  /// only: nothing is read back.
  public func trainStep(rows n: Int, learningRate: Float) throws {
    try forward(rows: n)
    if configuration.usesDiscriminator {
      try discriminatorLoss(rows: n)
      discriminatorSteps += 1
      try discriminatorBlock.adamStep(
        learningRate: learningRate, weightDecay: configuration.weightDecay, step: discriminatorSteps)
    }
    try generatorLoss(rows: n)
    generatorSteps += 1
    try generatorBlock.adamStep(
      learningRate: learningRate, weightDecay: configuration.weightDecay, step: generatorSteps)
  }

  // MARK: Weights

  /// The current weights, downloaded (one read per player).
  /// The current weights, labelled with the scale of the data the network was given.
  public func weights(inputScale: Float = 1) throws -> SiGAHWeights {
    var tensors: [String: [Float]] = ["mu": mean, "Psi": try backend.download(psi, count: d * m)]
    tensors.merge(try generatorBlock.download()) { $1 }
    tensors.merge(try discriminatorBlock.download()) { $1 }
    var weights = SiGAHWeights(inputDimension: d, bits: r, generatorWidth: m, discriminatorWidth: dl, tensors: tensors)
    weights.inputScale = inputScale
    return weights
  }

  /// Both players' Adam moments by tensor name, for checkpoints.
  func moments() throws -> (first: [String: [Float]], second: [String: [Float]]) {
    let (g, dsc) = (try generatorBlock.moments(), try discriminatorBlock.moments())
    return (g.first.merging(dsc.first) { $1 }, g.second.merging(dsc.second) { $1 })
  }

  func restoreMoments(first: [String: [Float]], second: [String: [Float]]) throws {
    try generatorBlock.restoreMoments(first: first, second: second)
    try discriminatorBlock.restoreMoments(first: first, second: second)
  }
}
