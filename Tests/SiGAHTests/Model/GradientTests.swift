// Every hand-written gradient of METHOD.md §2 against central finite differences on small
// shapes, on the CPU backend: each loss term alone (its weight set to 1, the others to
// 0), the discriminator loss, and the whole generator loss at the paper's weights.
//
// Float32 central differences with step h = 1e-3 carry a rounding error of about
// 2⁻²⁴·|L|/h ≈ 1e-4·|L| per entry, so the gradient of a whole tensor is compared by
// ‖fd − analytic‖ / ‖analytic‖ ≤ 2e-2: a missing factor or sign gives ≥ 0.5.

import Backend
import Testing

@testable import SiGAH

struct GradientCheck {
  static let (d, r, multiple, dl, n) = (6, 4, 2, 5, 7)

  let network: SiGAHNetwork
  let batch: [Float]

  init(_ configure: (inout SiGAHConfiguration) -> Void) throws {
    var configuration = SiGAHConfiguration()
    configuration.bits = Self.r
    configuration.generatorWidthMultiple = Self.multiple
    configuration.discriminatorWidth = Self.dl
    configuration.seed = 5
    configure(&configuration)
    var generator = SeededGenerator(seed: 11)
    batch = generator.gaussians(count: Self.n * Self.d)
    let data = Matrix(rows: Self.n, columns: Self.d, values: batch)
    var weights = SiGAHWeights.initial(
      inputDimension: Self.d, configuration: configuration, mean: data.columnMeans())
    // Non-zero biases, so their gradients are exercised away from the symmetric start.
    for name in ["c", "c2", "c3", "c4"] {
      weights.tensors[name] = generator.gaussians(count: weights.tensors[name]!.count, standardDeviation: 0.3)
    }
    network = try SiGAHNetwork(
      weights: weights, configuration: configuration, backend: try CPUBackend(threads: 1), capacity: Self.n)
    try network.loadBatch(batch, count: Self.n)
  }

  /// Relative error of the analytic gradient of `parameter` for `loss`.
  func relativeError(_ parameter: Tensor, step h: Float = 1e-3, _ loss: () throws -> Double)
    throws -> Double
  {
    let backend = network.backend
    try network.forward(rows: Self.n)
    _ = try loss()
    let analytic = try backend.download(parameter.gradient, count: parameter.count).map(Double.init)
    var values = try backend.download(parameter.value, count: parameter.count)
    var numeric: [Double] = []
    for index in values.indices {
      let original = values[index]
      var sides: [Double] = []
      for step in [h, -h] {
        values[index] = original + step
        try backend.upload(values, to: parameter.value)
        try network.forward(rows: Self.n)
        sides.append(try loss())
      }
      values[index] = original
      numeric.append((sides[0] - sides[1]) / Double(2 * h))
    }
    try backend.upload(values, to: parameter.value)
    let difference = zip(numeric, analytic).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    let norm = analytic.reduce(0) { $0 + $1 * $1 }.squareRoot()
    #expect(norm > 1e-6, "the gradient of \(parameter.name) vanished: the check would prove nothing")
    return difference / max(norm, 1e-12)
  }
}

@Suite struct GradientTests {
  static let tolerance = 2e-2

  /// Only one generator term on, at weight 1.
  static func only(_ term: String) -> (inout SiGAHConfiguration) -> Void {
    { cfg in
      cfg.reconstructionWeight = term == "recon" ? 1 : 0
      cfg.alpha = term == "quant" ? 1 : 0
      cfg.lambda = term.hasPrefix("sparse") ? 1 : 0
      cfg.sparsity = term == "sparse-l1" ? .l1 : .l2
      cfg.gamma = term == "graph" ? 1 : 0
      cfg.adversarialWeight = term.hasPrefix("adv") ? 1 : 0
      cfg.energy = term == "adv-l2" ? .l2 : .mse
      // Finite differences are meaningless across a kink: keep G > 0 under l1 (sigmoid),
      // and use tanh inside the discriminator. Kinked activations are checked below with
      // all terms on, where the smooth terms dominate.
      if term == "sparse-l1" { cfg.generatorActivation = .sigmoid }
      // The adversarial term is the most curved: it also needs a smooth generator (the
      // error then falls to rounding level; with LeakyReLU it grows linearly with h).
      if term.hasPrefix("adv") {
        cfg.discriminatorActivation = .tanh
        cfg.generatorActivation = .tanh
      }
    }
  }

  /// The parameters a generator term depends on (quantisation and graph act on H only).
  static func parameters(of term: String, in network: SiGAHNetwork) -> [Tensor] {
    ["quant", "graph"].contains(term) ? [network.W, network.c] : network.generatorParameters
  }

  @Test(arguments: ["recon", "quant", "sparse", "sparse-l1", "graph", "adv", "adv-l2"])
  func generatorTermMatchesFiniteDifferences(_ term: String) throws {
    let check = try GradientCheck(Self.only(term))
    for parameter in Self.parameters(of: term, in: check.network) {
      let error = try check.relativeError(parameter) {
        try check.network.measureGeneratorLoss(rows: GradientCheck.n).generator
      }
      #expect(error < Self.tolerance, "\(term): ∂/∂\(parameter.name) relative error \(error)")
    }
  }

  @Test(arguments: ActivationName.allCases)
  func generatorActivationsMatchFiniteDifferences(_ activation: ActivationName) throws {
    let check = try GradientCheck { cfg in
      cfg.generatorActivation = activation
      cfg.discriminatorActivation = activation
      cfg.alpha = 0.5
      cfg.lambda = 0.5
      cfg.gamma = 0.5
    }
    for parameter in check.network.generatorParameters {
      let error = try check.relativeError(parameter) {
        try check.network.measureGeneratorLoss(rows: GradientCheck.n).generator
      }
      #expect(error < Self.tolerance, "\(activation): ∂/∂\(parameter.name) relative error \(error)")
    }
  }

  /// A margin between the two middle synthetic energies: the hinge is active for half the
  /// rows, and no row sits on its kink (where finite differences mean nothing).
  static func medianSyntheticEnergy(_ energy: EnergyKind) throws -> Float {
    let probe = try GradientCheck { cfg in cfg.energy = energy }
    try probe.network.forward(rows: GradientCheck.n)
    let energies = try probe.network.measureEnergies(probe.network.xHat, rows: GradientCheck.n)
    let sorted = energies.sorted()
    return (sorted[GradientCheck.n / 2 - 1] + sorted[GradientCheck.n / 2]) / 2
  }

  @Test(arguments: [EnergyKind.mse, .l2])
  func discriminatorLossMatchesFiniteDifferences(_ energy: EnergyKind) throws {
    let margin = try Self.medianSyntheticEnergy(energy)
    let check = try GradientCheck { cfg in
      cfg.energy = energy
      cfg.margin = margin
      cfg.discriminatorActivation = .tanh  // smooth, as above; LeakyReLU is covered below
    }
    for parameter in check.network.discriminatorParameters {
      let error = try check.relativeError(parameter) {
        try check.network.measureDiscriminatorLoss(rows: GradientCheck.n)
      }
      #expect(error < Self.tolerance, "∂L_D/∂\(parameter.name) relative error \(error)")
    }
  }

  @Test func discriminatorLossWithLeakyReLUMatches() throws {
    let margin = try Self.medianSyntheticEnergy(.mse)
    let check = try GradientCheck { cfg in cfg.margin = margin }
    for parameter in check.network.discriminatorParameters {
      let error = try check.relativeError(parameter) {
        try check.network.measureDiscriminatorLoss(rows: GradientCheck.n)
      }
      #expect(error < Self.tolerance, "∂L_D/∂\(parameter.name) relative error \(error)")
    }
  }

  @Test func distanceMatchingTermMatchesFiniteDifferences() throws {
    let check = try GradientCheck { cfg in
      cfg.graphTerm = .distanceMatching
      cfg.gamma = 1
      cfg.nearFraction = 0.3
      (cfg.reconstructionWeight, cfg.alpha, cfg.lambda, cfg.adversarialWeight) = (0, 0, 0, 0)
    }
    for parameter in [check.network.W, check.network.c] {
      let error = try check.relativeError(parameter) {
        try check.network.measureGeneratorLoss(rows: GradientCheck.n).generator
      }
      #expect(error < Self.tolerance, "∂L_DM/∂\(parameter.name) relative error \(error)")
    }
  }

  @Test func distanceMatchingTargetsByHand() throws {
    // Three points on a line at 0, 1, 3: squared distances 1, 9, 4; s = (5, 2.5, 6.5).
    let backend = try CPUBackend(threads: 1)
    let d: [Float] = [0, 1, 9, 1, 0, 4, 9, 4, 0]
    let distances = try backend.makeBuffer(d)
    let selected = try backend.makeBuffer(Float.self, count: 9)
    // Each point's single nearest other: 0→1, 1→0, 2→1.
    try backend.nearestSelection(distances, rows: 3, nearest: 1, into: selected)
    #expect(try backend.download(selected) == [0, 1, 0, 1, 0, 0, 0, 1, 0])
    // With zero code products e = −T: near pairs (0–1, 1–2 by the closure) keep e, the
    // others keep max(0, e).
    let products = try backend.makeBuffer([Float](repeating: 0, count: 9))
    let loss = try backend.makeBuffer(Float.self, count: 3)
    try backend.fill(loss, value: 0, count: 3)
    try backend.distanceMatchingResidual(
      products: products, distances: distances, rowSums: try backend.makeBuffer([10, 5, 13] as [Float]),
      selected: selected, rows: 3, loss: LossRows(loss, offset: 0, scale: 1))
    let g = try backend.download(products)
    let t01 = 1 - 1 / (5.0 * 2.5).squareRoot()
    let t02 = 1 - 9 / (5.0 * 6.5).squareRoot()  // negative: far apart
    let t12 = 1 - 4 / (2.5 * 6.5).squareRoot()
    #expect(abs(Double(g[1]) + t01) < 1e-6)
    #expect(abs(Double(g[5]) + t12) < 1e-6)  // near by the closure only (2 chose 1)
    #expect(abs(Double(g[2]) - max(0, -t02)) < 1e-6)
    #expect(abs(Double(g[0]) - max(0, -1)) < 1e-6)  // T_ii = 1, not near: max(0, −1) = 0
  }

  @Test func wholeGeneratorLossAtPaperWeightsMatchesFiniteDifferences() throws {
    let check = try GradientCheck { _ in }
    for parameter in check.network.generatorParameters {
      let error = try check.relativeError(parameter) {
        try check.network.measureGeneratorLoss(rows: GradientCheck.n).generator
      }
      #expect(error < Self.tolerance, "∂L_G/∂\(parameter.name) relative error \(error)")
    }
  }

  @Test func marginIsActiveInTheDiscriminatorCheck() throws {
    // The hinge must be inside its margin for some rows, or its gradient is not tested.
    let margin = try Self.medianSyntheticEnergy(.mse)
    let check = try GradientCheck { cfg in cfg.margin = margin }
    try check.network.forward(rows: GradientCheck.n)
    let energies = try check.network.measureEnergies(check.network.xHat, rows: GradientCheck.n)
    #expect(energies.contains { $0 < margin })
    #expect(energies.contains { $0 > margin })
  }
}
