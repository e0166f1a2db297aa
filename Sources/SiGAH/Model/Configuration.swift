// SiGAH's hyper-parameters with the defaults of METHOD.md §1–3. Every METHOD.md (option) is a named
// option here, so that a user can switch it and an ablation can measure it.

import Backend

/// The discriminator's energy `D(a)` (METHOD.md §1).
public enum EnergyKind: String, Sendable, Codable, CaseIterable {
  /// `(1/d)·‖R(a) − a‖²`, the paper's "MSE-loss based auto-encoder" (default).
  case mse
  /// `‖R(a) − a‖²`.
  case l2
}

/// The generator's sparsity penalty (METHOD.md §2).
public enum SparsityKind: String, Sendable, Codable, CaseIterable {
  /// `(1/m)·‖Gout‖²` (default).
  case l2
  /// `(1/m)·‖Gout‖₁`.
  case l1
}

/// Activation choices as they appear in options and model files.
public enum ActivationName: String, Sendable, Codable, CaseIterable {
  case leakyReLU = "leaky-relu"
  case relu, tanh, sigmoid

  /// The backend activation, with METHOD.md's LeakyReLU slope.
  public func activation(slope: Float) -> Activation {
    switch self {
    case .leakyReLU: return .leakyReLU(slope: slope)
    case .relu: return .relu
    case .tanh: return .tanh
    case .sigmoid: return .sigmoid
    }
  }
}

/// The graph regulariser (METHOD.md §2 and §3b).
public enum GraphTermKind: String, Sendable, Codable, CaseIterable {
  /// `L_S = (1/N²)·Σ_ij S_ij‖H_i − H_j‖²`, paper Eq. 17 (default).
  case paper
  /// The distance-matching term of SiGAH-DM (METHOD.md §3b.2).
  case distanceMatching = "distance-matching"
}

public struct SiGAHConfiguration: Sendable, Codable, Equatable {
  /// `.sigah` (the paper's method) or `.sigahDM` (METHOD.md §3b).
  public var method = HashMethod.sigah
  /// Code length `r`.
  public var bits: Int = 64
  /// Generator width as a multiple of the input dimension (`m = 2d`).
  public var generatorWidthMultiple: Int = 2
  /// Discriminator hidden width `d_l`.
  public var discriminatorWidth: Int = 50
  public var generatorActivation: ActivationName = .leakyReLU
  public var discriminatorActivation: ActivationName = .leakyReLU
  /// LeakyReLU slope (METHOD.md §1 choice).
  public var leakySlope: Float = 0.2
  public var energy: EnergyKind = .mse
  public var sparsity: SparsityKind = .l2
  /// Quantisation weight α.
  public var alpha: Float = 1e-3
  /// Sparsity weight λ.
  public var lambda: Float = 1e-4
  /// Discriminator margin β.
  public var margin: Float = 0.1
  /// Graph weight γ.
  public var gamma: Float = 1e-4
  /// Reconstruction weight ρ (1 in the paper; 0 is an ablation).
  public var reconstructionWeight: Float = 1
  /// Adversarial weight μ; 0 also skips the discriminator steps (the "w/o D" ablation).
  public var adversarialWeight: Float = 1
  /// Graph σ; nil means 1 / mean in-batch distance (METHOD.md §2 choice).
  public var sigma: Float? = nil
  public var graphTerm: GraphTermKind = .paper
  /// Distance matching: the fraction of a batch that counts as each item's near set.
  public var nearFraction: Float = 0.15
  /// Start the hash layer from ITQ (METHOD.md §3b.1): epoch-0 codes are ITQ's codes.
  public var itqStart = false
  /// The ranking stage run after the epochs (METHOD.md §3c); nil skips it.
  public var ranking: RankingOptions? = nil
  public var batchSize: Int = 500
  public var learningRate: Float = 1e-2
  public var weightDecay: Float = 5e-4
  public var seed: UInt64 = 0

  public init() {}

  /// The files' keys: `methodName` is what model files and checkpoints have always held.
  enum CodingKeys: String, CodingKey {
    case method = "methodName"
    case bits, generatorWidthMultiple, discriminatorWidth, generatorActivation, discriminatorActivation, leakySlope
    case energy, sparsity, alpha, lambda, margin, gamma, reconstructionWeight, adversarialWeight, sigma, graphTerm
    case nearFraction, itqStart, ranking, batchSize, learningRate, weightDecay, seed
  }

  /// SiGAH-DM (METHOD.md §3b, §3c): ITQ start and the distance-matching graph term, every SiGAH
  /// component kept, then the ranking stage. The trainer adds the cosine schedule and
  /// validation selection.
  public static var distanceMatchingPreset: SiGAHConfiguration {
    var configuration = SiGAHConfiguration()
    configuration.method = .sigahDM
    configuration.itqStart = true
    configuration.graphTerm = .distanceMatching
    configuration.gamma = 1000
    configuration.ranking = RankingOptions()
    return configuration
  }
}

extension SiGAHConfiguration {
  /// Whether the discriminator takes part (μ > 0); μ = 0 is the "w/o D" ablation, which
  /// also skips the discriminator steps (METHOD.md §2).
  public var usesDiscriminator: Bool { adversarialWeight > 0 }

  /// `κ` of the energy `D(a) = κ·‖R(a) − a‖²`.
  func energyScale(inputDimension d: Int) -> Float {
    energy == .mse ? 1 / Float(d) : 1
  }
}

/// A configuration field outside its range: `field` is the command line's spelling of the
/// option that sets it, which checkpoints and library callers also see.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
  public let field: String
  public let message: String
  public var description: String { "\(field) \(message)" }
}

extension SiGAHConfiguration {
  /// Throws on the first field outside its range: the one rule for options, checkpoints
  /// and library callers, so that no NaN, negative weight or absurd size reaches the
  /// networks (a NaN near fraction, for one, traps in distance matching's selection).
  public func check() throws {
    func fail(_ field: String, _ message: String) -> ConfigurationError {
      ConfigurationError(field: field, message: message)
    }
    func between(_ field: String, _ value: Int, _ range: ClosedRange<Int>) throws {
      guard range.contains(value) else {
        throw fail(field, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
      }
    }
    func weight(_ field: String, _ value: Float) throws {
      guard value.isFinite, value >= 0 else { throw fail(field, "must be a finite weight of at least 0, got \(value)") }
    }
    func positive(_ field: String, _ value: Float) throws {
      guard value.isFinite, value > 0 else { throw fail(field, "must be finite and above 0, got \(value)") }
    }
    guard method.isSiGAH else { throw fail("method", "must be sigah or sigah-dm, got '\(method.rawValue)'") }
    try between("bits", bits, 1...4096)
    try between("width-multiple", generatorWidthMultiple, 1...1 << 20)
    try between("discriminator-width", discriminatorWidth, 1...Int(Int32.max))
    try between("batch-size", batchSize, 1...1 << 24)
    guard leakySlope.isFinite, (0...1).contains(leakySlope) else {
      throw fail("leaky-slope", "must be between 0 and 1, got \(leakySlope)")
    }
    for (field, value) in [
      ("alpha", alpha), ("lambda", lambda), ("margin", margin), ("gamma", gamma),
      ("reconstruction-weight", reconstructionWeight), ("mu", adversarialWeight), ("weight-decay", weightDecay),
    ] {
      try weight(field, value)
    }
    if let sigma { try positive("sigma", sigma) }
    guard nearFraction.isFinite, nearFraction > 0, nearFraction <= 1 else {
      throw fail("near-fraction", "must be above 0 and at most 1, got \(nearFraction)")
    }
    try positive("learning-rate", learningRate)
    if let ranking {
      try between("ranking-steps", ranking.steps, 0...100_000_000)
      try between("ranking-anchors", ranking.anchors, 1...1 << 24)
      try between("ranking-pairs", ranking.pairsPerAnchor, 1...32)
      if let hard = ranking.hardNegatives { try between("ranking-hard-negatives", hard, 0...ranking.pairsPerAnchor) }
      if let share = ranking.widestShare, !(share.isFinite && (0...1).contains(share)) {
        throw fail("ranking-widest-share", "must be between 0 and 1, got \(share)")
      }
      if let width = ranking.residualWidth { try between("ranking-residual", width, 0...RankingResidual.maximumWidth) }
      for neighbours in ranking.positiveNeighbourhoods { try between("ranking-neighbours", neighbours, 1...1 << 30) }
      try positive("ranking-learning-rate", ranking.learningRate)
      if let anchorRows = ranking.anchorRows { try between("ranking anchor rows", anchorRows, 1...Int(Int32.max)) }
      try positive("ranking sharpness", ranking.sharpness)
      try positive("ranking start scale", ranking.startScale)
      try positive("ranking end scale", ranking.endScale)
      try between("ranking validate-every", ranking.validateEvery, 1...Int(Int32.max))
    }
  }
}
