// The tensors of a SiGAH model on the host (METHOD.md §1) and their seeded initialisation.

import Backend

/// One tensor of the model: its name in model files, shape, and whether it is trained,
/// decayed, and how it is initialised.
public struct TensorSpec: Sendable {
  public let name: String
  public let shape: [Int]
  /// Trained by Adam (Ψ and μ are fixed).
  public let trained: Bool
  /// L2 weight decay applies (weights, not biases).
  public let decays: Bool
  /// Gaussian `N(0, 1/fanIn)`; nil means zeros.
  public let fanIn: Int?
}

public struct SiGAHWeights: Sendable, Equatable {
  /// Input dimension `d`.
  public let inputDimension: Int
  /// Code length `r`.
  public let bits: Int
  /// Generator width `m`.
  public let generatorWidth: Int
  /// Discriminator hidden width `d_l`.
  public let discriminatorWidth: Int
  /// Tensors by name: μ, W, c, W2, c2, Ψ, W3, c3, W4, c4.
  public var tensors: [String: [Float]]
  /// The network sees `x / inputScale`, a power of two chosen from the training data
  /// (`InputScale`); every tensor is in those units.
  public var inputScale: Float = 1
  /// The ranking stage's residual beside the hash layer (METHOD.md §3c), in the network's
  /// units like `W`; nil when the stage kept the hash layer alone or did not run.
  public var residual: RankingResidual?

  /// The layout of METHOD.md §1: hash layer `W: r×d, c: r`; generator `W2: m×r, c2: m`;
  /// measurement `Ψ: d×m` with entries `N(0, 1/d)`; discriminator `d → d_l → d`.
  public static func layout(d: Int, r: Int, m: Int, dl: Int) -> [TensorSpec] {
    [
      TensorSpec(name: "mu", shape: [d], trained: false, decays: false, fanIn: nil),
      TensorSpec(name: "W", shape: [r, d], trained: true, decays: true, fanIn: d),
      TensorSpec(name: "c", shape: [r], trained: true, decays: false, fanIn: nil),
      TensorSpec(name: "W2", shape: [m, r], trained: true, decays: true, fanIn: r),
      TensorSpec(name: "c2", shape: [m], trained: true, decays: false, fanIn: nil),
      TensorSpec(name: "Psi", shape: [d, m], trained: false, decays: false, fanIn: d),
      TensorSpec(name: "W3", shape: [dl, d], trained: true, decays: true, fanIn: d),
      TensorSpec(name: "c3", shape: [dl], trained: true, decays: false, fanIn: nil),
      TensorSpec(name: "W4", shape: [d, dl], trained: true, decays: true, fanIn: dl),
      TensorSpec(name: "c4", shape: [d], trained: true, decays: false, fanIn: nil),
    ]
  }

  public var layout: [TensorSpec] {
    Self.layout(d: inputDimension, r: bits, m: generatorWidth, dl: discriminatorWidth)
  }

  public init(
    inputDimension: Int, bits: Int, generatorWidth: Int, discriminatorWidth: Int,
    tensors: [String: [Float]]
  ) {
    self.inputDimension = inputDimension
    self.bits = bits
    self.generatorWidth = generatorWidth
    self.discriminatorWidth = discriminatorWidth
    self.tensors = tensors
  }

  /// Seeded initial weights: Gaussian `N(0, 1/fan_in)` weights in layout order, zero
  /// biases (METHOD.md §1), and the training mean `μ`.
  public static func initial(
    inputDimension d: Int, configuration: SiGAHConfiguration, mean: [Float]
  ) -> SiGAHWeights {
    precondition(mean.count == d)
    let m = configuration.generatorWidthMultiple * d
    var generator = SeededGenerator(seed: configuration.seed)
    var tensors: [String: [Float]] = [:]
    for spec in layout(d: d, r: configuration.bits, m: m, dl: configuration.discriminatorWidth) {
      let count = spec.shape.reduce(1, *)
      if spec.name == "mu" {
        tensors[spec.name] = mean
      } else if let fanIn = spec.fanIn {
        tensors[spec.name] = generator.gaussians(
          count: count, standardDeviation: 1 / Double(fanIn).squareRoot())
      } else {
        tensors[spec.name] = Array(repeating: 0, count: count)
      }
    }
    return SiGAHWeights(
      inputDimension: d, bits: configuration.bits, generatorWidth: m,
      discriminatorWidth: configuration.discriminatorWidth, tensors: tensors)
  }
}
