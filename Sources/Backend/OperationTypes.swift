// The small enums and value types that parameterise backend operations.

import Foundation
import OperationCodes

/// Activation functions of the generator and discriminator (METHOD.md §1 choices).
/// Every one is monotone non-decreasing, so its derivative can be computed from the
/// output alone, which is what the backward pass keeps.
public enum Activation: Sendable, Equatable, CustomStringConvertible {
  case leakyReLU(slope: Float)
  case relu
  case tanh
  case sigmoid
  case identity
  /// Scaled ELU (Klambauer et al. 2017): `λ·x` for x > 0, `λ·α·(eˣ − 1)` otherwise.
  case selu

  /// SELU's constants, as the paper fixes them.
  public static let seluScale: Float = 1.050_700_987_355_480_5
  public static let seluAlpha: Float = 1.673_263_242_354_377_3

  /// The kernels' code and the LeakyReLU slope (0 for the others).
  public var code: (ActivationCode, slope: Float) {
    switch self {
    case .leakyReLU(let slope): (.leakyReLU, slope)
    case .relu: (.relu, 0)
    case .tanh: (.tanh, 0)
    case .sigmoid: (.sigmoid, 0)
    case .identity: (.identity, 0)
    case .selu: (.selu, 0)
    }
  }

  public var description: String {
    switch self {
    case .leakyReLU(let slope): return "leaky-relu(\(slope))"
    case .relu: return "relu"
    case .tanh: return "tanh"
    case .sigmoid: return "sigmoid"
    case .identity: return "identity"
    case .selu: return "selu"
    }
  }
}

/// Element-wise functions `y = f(x)`.
public enum UnaryFunction: Sendable, Equatable {
  /// +1 for x > 0, −1 for x < 0, 0 at 0 (the subgradient of |x| used by l1 sparsity).
  case sign
  case abs
  case square
  /// `exp(scale · x)`, the graph similarity `exp(−σ·d)` with `scale = −σ`.
  case exp(scale: Float)
  /// `log(1 + eˣ)`, computed without overflow: the binary cross-entropy of a logit.
  case softplus
  /// The natural logarithm of `max(x, FLT_MIN)`, so that 0 gives a finite value.
  case log

  /// The kernels' code and the function's parameter (the scale of `exp`, else 0).
  public var code: (UnaryFunctionCode, parameter: Float) {
    switch self {
    case .sign: (.sign, 0)
    case .abs: (.abs, 0)
    case .square: (.square, 0)
    case .exp(let scale): (.exp, scale)
    case .softplus: (.softplus, 0)
    case .log: (.log, 0)
    }
  }
}

/// Per-row reductions of a matrix.
public enum RowReduction: Sendable, Equatable {
  case sum
  case sumOfSquares
  case sumOfAbsoluteValues

  public var code: ReductionCode {
    switch self {
    case .sum: .sum
    case .sumOfSquares: .sumOfSquares
    case .sumOfAbsoluteValues: .sumOfAbsoluteValues
    }
  }
}

/// One Adam step's settings (METHOD.md §3). `step` counts from 1; the bias corrections use it.
public struct AdamStep: Sendable, Equatable {
  public var learningRate: Float
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  /// L2 weight decay added to the gradient: `g + weightDecay·θ` (0 for biases).
  public var weightDecay: Float
  public var step: Int

  public init(
    learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    weightDecay: Float = 0, step: Int
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.step = step
  }

  /// `1/(1 − β1^t)` and `1/(1 − β2^t)`, computed once on the host in Float64.
  public var biasCorrections: (first: Float, second: Float) {
    let t = Double(step)
    return (
      Float(1 / (1 - pow(Double(beta1), t))),
      Float(1 / (1 - pow(Double(beta2), t)))
    )
  }
}

/// Where a gated Adam update finds its decision and its step number on the device
/// (METHOD.md §9): `schedule` holds an (taken, steps taken) pair of Int32 per player, set by
/// `scoreGate`; `corrections` holds the bias corrections `(c1, c2)` of steps 1, 2, … in
/// turn, as `AdamStep.biasCorrections` computes them.
public struct AdamGate: Sendable {
  public let schedule: DeviceBuffer<Int32>
  public let slot: Int
  public let corrections: DeviceBuffer<Float>

  public init(schedule: DeviceBuffer<Int32>, slot: Int, corrections: DeviceBuffer<Float>) {
    (self.schedule, self.slot, self.corrections) = (schedule, slot, corrections)
  }
}

/// The `k` nearest codes of each query, row-major `queries × k`, ordered by ascending
/// distance and, within a distance, by ascending database index (METHOD.md §4).
public struct TopK: Sendable, Equatable {
  public let k: Int
  public let ids: [Int32]
  public let distances: [Int32]

  public init(k: Int, ids: [Int32], distances: [Int32]) {
    self.k = k
    self.ids = ids
    self.distances = distances
  }
}

/// The codes within a radius of each query (`hammingWithin`): query `q`'s matches are
/// entries `offsets[q]..<offsets[q + 1]` of `ids` and `distances`, ordered by ascending
/// distance and, within a distance, by ascending database index (METHOD.md §4).
public struct HammingMatches: Sendable, Equatable {
  public let offsets: [Int]
  public let ids: [Int32]
  public let distances: [Int32]

  public init(offsets: [Int], ids: [Int32], distances: [Int32]) {
    precondition(offsets.first == 0 && offsets.last == ids.count && ids.count == distances.count)
    self.offsets = offsets
    self.ids = ids
    self.distances = distances
  }

  /// Query `q`'s matches: positions in `ids` and `distances`.
  public func range(ofQuery q: Int) -> Range<Int> { offsets[q]..<offsets[q + 1] }
}

/// What `fillRandom` draws: each element from a counter-based hash of its index and the
/// call's key (METHOD.md §7), so that every backend draws the same numbers.
public enum RandomDistribution: Sendable, Equatable {
  /// Uniform on [0, 1), in steps of 2⁻²⁴.
  case uniform
  /// Normal with mean 0 (Box–Muller on two uniforms).
  case gaussian(standardDeviation: Float)
  /// 1 with `probability`, else 0.
  case bernoulli(probability: Float)

  public var code: (RandomCode, parameter: Float) {
    switch self {
    case .uniform: (.uniform, 0)
    case .gaussian(let deviation): (.gaussian, deviation)
    case .bernoulli(let probability): (.bernoulli, probability)
    }
  }
}

/// The 32-bit hash behind `fillRandom` (the PCG output permutation over an LCG step), the
/// same on the host and in kernels/random.cl.
public enum CounterHash {
  @inline(__always)
  public static func mix(_ value: UInt32) -> UInt32 {
    let state = value &* 747_796_405 &+ 2_891_336_453
    let word = ((state >> ((state >> 28) &+ 4)) ^ state) &* 277_803_737
    return (word >> 22) ^ word
  }

  /// The key of one draw: a seed and a counter (the step), mixed once on the host.
  public static func key(seed: UInt64, counter: UInt64) -> UInt32 {
    let low = { (value: UInt64) in UInt32(truncatingIfNeeded: value) }
    let high = { (value: UInt64) in UInt32(truncatingIfNeeded: value >> 32) }
    return mix(low(seed) ^ mix(high(seed) ^ mix(low(counter) ^ mix(high(counter)))))
  }

  /// The 24 random bits of lane `lane` (0 or 1) of element `index`.
  @inline(__always)
  public static func bits(key: UInt32, index: Int, lane: Int) -> UInt32 {
    mix(mix(UInt32(truncatingIfNeeded: 2 * index + lane)) ^ key) >> 8
  }

  /// The distribution's value from the element's two lanes, in Float as the kernel computes it.
  @inline(__always)
  public static func value(_ code: RandomCode, parameter: Float, threshold: UInt32, key: UInt32, index: Int) -> Float {
    let first = bits(key: key, index: index, lane: 0)
    switch code {
    case .uniform:
      return Float(first) * 0x1p-24
    case .bernoulli:
      return first < threshold ? 1 : 0
    case .gaussian:
      let u1 = (Float(first) + 1) * 0x1p-24
      let u2 = Float(bits(key: key, index: index, lane: 1)) * 0x1p-24
      return parameter * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Float.pi * u2)
    }
  }

  /// `probability` as a threshold on 24 random bits: exact on every backend.
  public static func threshold(probability: Float) -> UInt32 {
    UInt32((Double(min(max(probability, 0), 1)) * 0x1p24).rounded())
  }
}

/// What a GEMM does to each element `v = alpha·(op(A)·op(B))[i, j] + beta·C[i, j]` before
/// storing it: a layer's forward pass or the backward pass into the layer below, in the
/// same launch as the product.
public enum GemmEpilogue {
  /// `C[i, j] = v`.
  case none
  /// `C[i, j] = f(v + bias[j])`: a layer's forward pass.
  case biasActivation(bias: DeviceBuffer<Float>, Activation)
  /// `C[i, j] = v · f'(x)` from the output `Y[i, j] = f(x)`: the gradient of the layer
  /// below with respect to its pre-activation.
  case activationGradient(Activation, output: DeviceBuffer<Float>)
}

/// The buffers the composed `projectSignPack` works in, for blocks of up to `rows` rows
/// (a backend with one kernel for it leaves them alone): the rows centred or moved to row 0
/// with the indices `0, 1, 2, …` that copy rows in order (needed only when the rows are
/// centred or start past row 0), their projections and their codes.
public struct SignProjectionWorkspace {
  public let rows: Int
  public let centred: DeviceBuffer<Float>?
  public let projections: DeviceBuffer<Float>
  public let codes: DeviceBuffer<UInt64>
  public let identity: DeviceBuffer<Int32>?

  public init(
    rows: Int, centred: DeviceBuffer<Float>? = nil, projections: DeviceBuffer<Float>, codes: DeviceBuffer<UInt64>,
    identity: DeviceBuffer<Int32>? = nil
  ) {
    (self.rows, self.centred, self.projections, self.codes, self.identity) = (
      rows, centred, projections, codes, identity
    )
  }
}

/// Where a fused training-step operation adds the loss of each row `i` it processes:
/// `buffer[offset + i] += scale·ℓ_i`. Rows never share an element, so the sums are the
/// same on every run; a trainer reads the buffer once an epoch and sums it on the host.
public struct LossRows {
  public let buffer: DeviceBuffer<Float>
  public let offset: Int
  public let scale: Float

  public init(_ buffer: DeviceBuffer<Float>, offset: Int, scale: Float) {
    (self.buffer, self.offset, self.scale) = (buffer, offset, scale)
  }
}

/// The graph term's part of the code-layer gradient (METHOD.md §2): `L = −S·H` from a
/// GEMM, the degrees `S·1`, and the scales of `∂/∂H` and of the loss.
public struct GraphGradient {
  /// `−S·H`, rows × bits; the operation adds `Diag(degrees)·H` to it in place.
  public let negatedProducts: DeviceBuffer<Float>
  public let degrees: DeviceBuffer<Float>
  /// `∂/∂H += gradientScale·(Diag(S1) − S)·H`.
  public let gradientScale: Float
  /// `ℓ_i = Σ_k H[i, k]·((Diag(S1) − S)·H)[i, k]`.
  public let loss: LossRows

  public init(negatedProducts: DeviceBuffer<Float>, degrees: DeviceBuffer<Float>, gradientScale: Float, loss: LossRows)
  {
    (self.negatedProducts, self.degrees, self.gradientScale, self.loss) = (
      negatedProducts, degrees, gradientScale, loss
    )
  }
}

/// A penalty on a matrix's elements, `ρ(x) = x²` (`.sumOfSquares`) or `|x|`
/// (`.sumOfAbsoluteValues`): `∂/∂x += gradientScale·ρ'(x)` and `ℓ_i = Σ_j ρ(x[i, j])`.
public struct Penalty {
  public let kind: RowReduction
  public let gradientScale: Float
  public let loss: LossRows

  public init(_ kind: RowReduction, gradientScale: Float, loss: LossRows) {
    precondition(kind != .sum, "a penalty is a sum of squares or of absolute values")
    (self.kind, self.gradientScale, self.loss) = (kind, gradientScale, loss)
  }
}
