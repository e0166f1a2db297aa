// The SiGAH model on a backend: forward pass, the two losses and their hand-written
// gradients (SPEC §1–2), composed only of Backend operations. Every buffer is allocated
// once for `capacity` rows and reused for every batch, the last short one included.

import Backend

public final class SiGAHNetwork {
  public let backend: any Backend
  public let configuration: SiGAHConfiguration
  /// Input dimension `d`, code bits `r`, generator width `m`, discriminator width `d_l`.
  public let d: Int, r: Int, m: Int, dl: Int
  /// The most rows a batch may have.
  public let capacity: Int

  // Parameters (SPEC §1).
  let W: Parameter, c: Parameter, W2: Parameter, c2: Parameter
  let W3: Parameter, c3: Parameter, W4: Parameter, c4: Parameter
  let negatedMean: DeviceBuffer<Float>
  let psi: DeviceBuffer<Float>
  let mean: [Float]

  var generatorParameters: [Parameter] { [W, c, W2, c2] }
  var discriminatorParameters: [Parameter] { [W3, c3, W4, c4] }
  var allParameters: [Parameter] { generatorParameters + discriminatorParameters }

  // Workspace, named after the SPEC's symbols. Rows × columns in the comments.
  let x: DeviceBuffer<Float>  // X̃, n × d
  let h: DeviceBuffer<Float>  // H = tanh(X̃Wᵀ + c), n × r
  let g: DeviceBuffer<Float>  // Gout, n × m
  let xHat: DeviceBuffer<Float>  // X̂ = Gout·Ψᵀ, n × d
  let stacked: DeviceBuffer<Float>  // [X̃; X̂], 2n × d
  let e: DeviceBuffer<Float>  // discriminator hidden E, 2n × d_l
  let reconstruction: DeviceBuffer<Float>  // R, 2n × d
  let residual: DeviceBuffer<Float>  // R − a, then dR, 2n × d
  let energies: DeviceBuffer<Float>  // D(a), 2n
  let rowWeights: DeviceBuffer<Float>  // ∂L/∂D(a)·2κ, 2n
  let hingeLosses: DeviceBuffer<Float>, hingeGradient: DeviceBuffer<Float>, fakeEnergies: DeviceBuffer<Float>  // n
  let dE: DeviceBuffer<Float>  // 2n × d_l
  let dXHat: DeviceBuffer<Float>, dAdversarial: DeviceBuffer<Float>  // n × d
  let dG: DeviceBuffer<Float>, gScratch: DeviceBuffer<Float>  // n × m
  let dH: DeviceBuffer<Float>, lh: DeviceBuffer<Float>, hScratch: DeviceBuffer<Float>  // n × r
  let similarity: DeviceBuffer<Float>  // S (or e of distance matching), n × n
  let dmTargets: DeviceBuffer<Float>, dmNear: DeviceBuffer<Float>, dmScratch: DeviceBuffer<Float>  // n × n, SPEC §3b
  let norms: DeviceBuffer<Float>, degrees: DeviceBuffer<Float>  // n
  let scalar: DeviceBuffer<Float>  // 1

  /// Adam steps taken by each player (the bias corrections count from 1).
  public internal(set) var discriminatorSteps = 0
  public internal(set) var generatorSteps = 0

  public init(
    weights: SiGAHWeights, configuration: SiGAHConfiguration, backend: any Backend, capacity: Int
  ) throws {
    self.backend = backend
    self.configuration = configuration
    (d, r, m, dl) = (
      weights.inputDimension, weights.bits, weights.generatorWidth, weights.discriminatorWidth
    )
    self.capacity = capacity
    func parameter(_ name: String) throws -> Parameter {
      let spec = weights.layout.first { $0.name == name }!
      return try Parameter(
        name: name, shape: spec.shape, decays: spec.decays, values: weights.tensors[name]!,
        on: backend)
    }
    (W, c, W2, c2) = (try parameter("W"), try parameter("c"), try parameter("W2"), try parameter("c2"))
    (W3, c3, W4, c4) = (
      try parameter("W3"), try parameter("c3"), try parameter("W4"), try parameter("c4")
    )
    mean = weights.tensors["mu"]!
    negatedMean = try backend.makeBuffer(mean.map { -$0 })
    psi = try backend.makeBuffer(weights.tensors["Psi"]!)

    func buffer(_ count: Int) throws -> DeviceBuffer<Float> {
      try backend.makeBuffer(Float.self, count: count)
    }
    let n = capacity
    (x, h, g, xHat) = (try buffer(n * d), try buffer(n * r), try buffer(n * m), try buffer(n * d))
    (stacked, e, reconstruction, residual) = (
      try buffer(2 * n * d), try buffer(2 * n * dl), try buffer(2 * n * d), try buffer(2 * n * d)
    )
    (energies, rowWeights) = (try buffer(2 * n), try buffer(2 * n))
    (hingeLosses, hingeGradient, fakeEnergies) = (try buffer(n), try buffer(n), try buffer(n))
    dE = try buffer(2 * n * dl)
    (dXHat, dAdversarial) = (try buffer(n * d), try buffer(n * d))
    (dG, gScratch) = (try buffer(n * m), try buffer(n * m))
    (dH, lh, hScratch) = (try buffer(n * r), try buffer(n * r), try buffer(n * r))
    similarity = try buffer(n * n)
    let dmSize = configuration.graphTerm == .distanceMatching ? n * n : 1
    (dmTargets, dmNear, dmScratch) = (try buffer(dmSize), try buffer(dmSize), try buffer(dmSize))
    (norms, degrees, scalar) = (try buffer(n), try buffer(n), try buffer(1))
  }

  // MARK: Forward

  /// Uploads `n` raw input rows and centres them: `x̃ = x − μ`.
  public func loadBatch(_ rows: [Float], count n: Int) throws {
    precondition(n >= 1 && n <= capacity && rows.count == n * d)
    try backend.upload(rows, to: x)
    try backend.addRowVector(negatedMean, to: x, rows: n, columns: d)
  }

  /// Hash layer and generator: `H = tanh(X̃Wᵀ + c)`, `Gout = act(HW2ᵀ + c2)`,
  /// `X̂ = Gout·Ψᵀ` (SPEC §1).
  public func forward(rows n: Int) throws {
    try linear(x, W, c, into: h, rows: n, inputs: d, outputs: r)
    try backend.activate(.tanh, h, into: h, count: n * r)
    try linear(h, W2, c2, into: g, rows: n, inputs: r, outputs: m)
    try backend.activate(generatorActivation, g, into: g, count: n * m)
    try backend.gemm(g, transposeA: false, psi, transposeB: true, into: xHat, m: n, n: d, k: m, alpha: 1, beta: 0)
  }

  /// `out = input·weightᵀ + bias` for `rows` rows.
  private func linear(
    _ input: DeviceBuffer<Float>, _ weight: Parameter, _ bias: Parameter,
    into out: DeviceBuffer<Float>, rows: Int, inputs: Int, outputs: Int
  ) throws {
    try backend.gemm(
      input, transposeA: false, weight.value, transposeB: true, into: out, m: rows, n: outputs,
      k: inputs, alpha: 1, beta: 0)
    try backend.addRowVector(bias.value, to: out, rows: rows, columns: outputs)
  }

  var generatorActivation: Activation {
    configuration.generatorActivation.activation(slope: configuration.leakySlope)
  }
  var discriminatorActivation: Activation {
    configuration.discriminatorActivation.activation(slope: configuration.leakySlope)
  }
  var kappa: Float { configuration.energyScale(inputDimension: d) }

  /// The auto-encoder discriminator on `rows` rows of `input`: `E = act(AW3ᵀ + c3)`,
  /// `R = EW4ᵀ + c4`, `residual = R − A`, `energies = κ‖R − A‖²` (SPEC §1).
  func discriminatorForward(_ input: DeviceBuffer<Float>, rows n: Int) throws {
    try linear(input, W3, c3, into: e, rows: n, inputs: d, outputs: dl)
    try backend.activate(discriminatorActivation, e, into: e, count: n * dl)
    try linear(e, W4, c4, into: reconstruction, rows: n, inputs: dl, outputs: d)
    try backend.linearCombination(alpha: 1, reconstruction, beta: -1, input, into: residual, count: n * d)
    try backend.reduceRows(residual, rows: n, columns: d, .sumOfSquares, into: energies)
    try backend.linearCombination(alpha: kappa, energies, beta: 0, energies, into: energies, count: n)
  }

  /// Backward through the discriminator from `∂D/∂R_i = 2κ(R_i − a_i)` weighted by
  /// `rowWeights` (which already hold `∂L/∂D_i · 2κ`). Writes the parameter gradients
  /// when `parameterGradients`, and `∂L/∂a = dP·W3 − dR` into `inputGradient` when given.
  func discriminatorBackward(
    _ input: DeviceBuffer<Float>, rows n: Int, parameterGradients: Bool,
    inputGradient: DeviceBuffer<Float>?
  ) throws {
    let dR = residual
    try backend.scaleRows(dR, by: rowWeights, rows: n, columns: d)
    if parameterGradients {
      try backend.gemm(
        dR, transposeA: true, e, transposeB: false, into: W4.gradient, m: d, n: dl, k: n, alpha: 1, beta: 0)
      try backend.sumColumns(dR, rows: n, columns: d, into: c4.gradient)
    }
    try backend.gemm(dR, transposeA: false, W4.value, transposeB: false, into: dE, m: n, n: dl, k: d, alpha: 1, beta: 0)
    try backend.activationBackward(discriminatorActivation, output: e, outputGradient: dE, into: dE, count: n * dl)
    if parameterGradients {
      try backend.gemm(
        dE, transposeA: true, input, transposeB: false, into: W3.gradient, m: dl, n: d, k: n, alpha: 1, beta: 0)
      try backend.sumColumns(dE, rows: n, columns: dl, into: c3.gradient)
    }
    if let inputGradient {
      try backend.gemm(
        dE, transposeA: false, W3.value, transposeB: false, into: inputGradient, m: n, n: d, k: dl, alpha: 1, beta: 0)
      try backend.linearCombination(alpha: 1, inputGradient, beta: -1, dR, into: inputGradient, count: n * d)
    }
  }

  func sum(_ buffer: DeviceBuffer<Float>, count: Int) throws -> Double {
    Double(try backend.sum(buffer, count: count, scratch: scalar))
  }

  private func reduce(_ buffer: DeviceBuffer<Float>, count: Int, _ reduction: RowReduction) throws -> Double {
    try backend.reduceRows(buffer, rows: 1, columns: count, reduction, into: scalar)
    return Double(try backend.download(scalar, offset: 0, count: 1)[0])
  }

  // MARK: Discriminator loss (paper Eq. 21)

  /// `L_D = mean_i [D(x̃_i) + max(0, β − D(x̂_i))]` with `x̂` held constant, on the batch
  /// and its current `X̂` (call `forward` first). Leaves the gradients of W3, c3, W4, c4.
  public func discriminatorLoss(rows n: Int) throws -> Double {
    // One pass over the stacked batch [X̃; X̂].
    try backend.copy(x, sourceOffset: 0, to: stacked, destinationOffset: 0, count: n * d)
    try backend.copy(xHat, sourceOffset: 0, to: stacked, destinationOffset: n * d, count: n * d)
    try discriminatorForward(stacked, rows: 2 * n)
    try backend.copy(energies, sourceOffset: n, to: fakeEnergies, destinationOffset: 0, count: n)
    try backend.marginLoss(
      energies: fakeEnergies, count: n, margin: configuration.margin, losses: hingeLosses,
      gradient: hingeGradient)
    let loss = (try sum(energies, count: n) + sum(hingeLosses, count: n)) / Double(n)
    // ∂L/∂D: 1/n for real rows, hinge'/n for synthetic ones; times 2κ from ∂D/∂R.
    let factor = 2 * kappa / Float(n)
    try backend.fill(rowWeights, value: factor, count: n)
    try backend.linearCombination(alpha: factor, hingeGradient, beta: 0, hingeGradient, into: hingeGradient, count: n)
    try backend.copy(hingeGradient, sourceOffset: 0, to: rowWeights, destinationOffset: n, count: n)
    try discriminatorBackward(stacked, rows: 2 * n, parameterGradients: true, inputGradient: nil)
    return loss
  }

  // MARK: Generator loss (paper Eq. 20 with the adversarial term, SPEC §2)

  /// All terms of `L_G` on the batch (call `forward` first); leaves the gradients of
  /// W, c, W2, c2.
  public func generatorLoss(rows n: Int) throws -> LossTerms {
    let cfg = configuration
    let nf = Float(n)
    var terms = LossTerms()

    // Reconstruction ρ·(1/d)‖x̂ − x̃‖²: ∂/∂X̂ = (2ρ/(d·n))(X̂ − X̃).
    try backend.linearCombination(alpha: 1, xHat, beta: -1, x, into: dXHat, count: n * d)
    terms.reconstruction =
      Double(cfg.reconstructionWeight) * (try reduce(dXHat, count: n * d, .sumOfSquares)) / Double(d * n)
    try backend.linearCombination(
      alpha: 2 * cfg.reconstructionWeight / (Float(d) * nf), dXHat, beta: 0, dXHat, into: dXHat, count: n * d)

    // Adversarial μ·D(x̂): back through the (just updated) discriminator to X̂.
    if cfg.usesDiscriminator {
      try discriminatorForward(xHat, rows: n)
      terms.adversarial = Double(cfg.adversarialWeight) * (try sum(energies, count: n)) / Double(n)
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
        terms.sparsity = Double(scale) * (try reduce(g, count: n * m, .sumOfSquares))
        try backend.linearCombination(alpha: 1, dG, beta: 2 * scale, g, into: dG, count: n * m)
      case .l1:
        terms.sparsity = Double(scale) * (try reduce(g, count: n * m, .sumOfAbsoluteValues))
        try backend.map(.sign, g, into: gScratch, count: n * m)
        try backend.linearCombination(alpha: 1, dG, beta: scale, gScratch, into: dG, count: n * m)
      }
    }

    // Through the generator's activation and layer: Gout = act(H·W2ᵀ + c2).
    try backend.activationBackward(generatorActivation, output: g, outputGradient: dG, into: dG, count: n * m)
    try backend.gemm(dG, transposeA: true, h, transposeB: false, into: W2.gradient, m: m, n: r, k: n, alpha: 1, beta: 0)
    try backend.sumColumns(dG, rows: n, columns: m, into: c2.gradient)
    try backend.gemm(dG, transposeA: false, W2.value, transposeB: false, into: dH, m: n, n: r, k: m, alpha: 1, beta: 0)

    // Quantisation α·(1/r)·Σ_k(1 − H²) (paper Eq. 9 bound): ∂/∂H = −(2α/(r·n))·H.
    if cfg.alpha != 0 {
      let sumSquares = try reduce(h, count: n * r, .sumOfSquares)
      terms.quantisation = Double(cfg.alpha) * (1 - sumSquares / Double(r * n))
      try backend.linearCombination(alpha: 1, dH, beta: -2 * cfg.alpha / (Float(r) * nf), h, into: dH, count: n * r)
    }

    // Graph γ·L_S, L_S = (2/n²)·tr(Hᵀ(Diag(S1) − S)H) (paper Eq. 17, SPEC §2):
    // ∂L_S/∂H = (4/n²)·(Diag(S1) − S)·H.
    if cfg.gamma != 0 && cfg.graphTerm == .distanceMatching {
      terms.graph = try distanceMatchingTerm(rows: n)
    } else if cfg.gamma != 0 {
      try backend.graphSimilarity(
        x, rows: n, columns: d, sigma: cfg.sigma, norms: norms, scratch: scalar, into: similarity)
      try backend.reduceRows(similarity, rows: n, columns: n, .sum, into: degrees)
      try backend.gemm(
        similarity, transposeA: false, h, transposeB: false, into: lh, m: n, n: r, k: n, alpha: -1, beta: 0)
      try backend.copy(h, sourceOffset: 0, to: hScratch, destinationOffset: 0, count: n * r)
      try backend.scaleRows(hScratch, by: degrees, rows: n, columns: r)
      try backend.linearCombination(alpha: 1, lh, beta: 1, hScratch, into: lh, count: n * r)
      try backend.multiply(h, lh, into: hScratch, count: n * r)
      terms.graph = Double(cfg.gamma) * 2 / Double(n * n) * (try sum(hScratch, count: n * r))
      try backend.linearCombination(alpha: 1, dH, beta: 4 * cfg.gamma / (nf * nf), lh, into: dH, count: n * r)
    }

    // Through the hash layer: H = tanh(X̃Wᵀ + c).
    try backend.activationBackward(.tanh, output: h, outputGradient: dH, into: dH, count: n * r)
    try backend.gemm(dH, transposeA: true, x, transposeB: false, into: W.gradient, m: r, n: d, k: n, alpha: 1, beta: 0)
    try backend.sumColumns(dH, rows: n, columns: r, into: c.gradient)
    return terms
  }

  // MARK: Training step (SPEC §3)

  /// One iteration on a loaded batch: a discriminator step on `L_D`, then a step of the
  /// hash layer and generator on `L_G` against the updated discriminator.
  public func trainStep(rows n: Int, learningRate: Float) throws -> LossTerms {
    try forward(rows: n)
    var discriminatorLoss = 0.0
    if configuration.usesDiscriminator {
      discriminatorLoss = try self.discriminatorLoss(rows: n)
      discriminatorSteps += 1
      for parameter in discriminatorParameters {
        try parameter.adamStep(
          on: backend, learningRate: learningRate, weightDecay: configuration.weightDecay,
          step: discriminatorSteps)
      }
    }
    var terms = try generatorLoss(rows: n)
    terms.discriminator = discriminatorLoss
    generatorSteps += 1
    for parameter in generatorParameters {
      try parameter.adamStep(
        on: backend, learningRate: learningRate, weightDecay: configuration.weightDecay,
        step: generatorSteps)
    }
    return terms
  }

  // MARK: Weights

  /// The current weights, downloaded.
  public func weights() throws -> SiGAHWeights {
    var tensors: [String: [Float]] = ["mu": mean, "Psi": try backend.download(psi, count: d * m)]
    for parameter in allParameters {
      tensors[parameter.name] = try backend.download(parameter.value, count: parameter.count)
    }
    return SiGAHWeights(
      inputDimension: d, bits: r, generatorWidth: m, discriminatorWidth: dl, tensors: tensors)
  }
}
