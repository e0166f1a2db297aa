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
  /// "sigah" (the paper's method) or "sigah-dm" (METHOD.md §3b), as reports name it.
  public var methodName = "sigah"
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

  /// SiGAH-DM (METHOD.md §3b, §3c): ITQ start and the distance-matching graph term, every SiGAH
  /// component kept, then the ranking stage. The trainer adds the cosine schedule and
  /// validation selection.
  public static var distanceMatchingPreset: SiGAHConfiguration {
    var configuration = SiGAHConfiguration()
    configuration.methodName = "sigah-dm"
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
