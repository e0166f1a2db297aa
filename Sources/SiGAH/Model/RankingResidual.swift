// SiGAH-DM's ranking residual (METHOD.md §3c): a ReLU layer beside the hash layer whose
// output, through `U`, is added to the hash layer's pre-activation,
// `b = sign(Wx̃ + c + U·relu(Vx̃ + v))`. A linear hash of 16 to 64 bits holds little more
// of the coarse order a top-1,000 search needs than ITQ's; the residual lets the codes bend
// around the data. It starts at `U = 0`, so the stage starts from the hash layer's codes.

import Backend

public struct RankingResidual: Sendable, Equatable {
  /// `V`, `width × d`, on the same input as the hash layer's `W` (the same units).
  public var hiddenWeight: [Float]
  /// `v`, `width` values.
  public var hiddenBias: [Float]
  /// `U`, `bits × width`.
  public var outputWeight: [Float]
  public let width: Int

  public init(hiddenWeight: [Float], hiddenBias: [Float], outputWeight: [Float], width: Int) {
    precondition(width >= 1 && hiddenBias.count == width && hiddenWeight.count % width == 0)
    precondition(outputWeight.count % width == 0)
    (self.hiddenWeight, self.hiddenBias, self.outputWeight, self.width) =
      (hiddenWeight, hiddenBias, outputWeight, width)
  }

  /// The names of its tensors in a SiGAH model file.
  static let hiddenWeightName = "ranking.V"
  static let hiddenBiasName = "ranking.v"
  static let outputWeightName = "ranking.U"

  /// The same function on an input `factor` times smaller: `V` times `factor` (exact for a
  /// power of two).
  func scalingInput(by factor: Float) -> RankingResidual {
    var scaled = self
    scaled.hiddenWeight = hiddenWeight.map { $0 * factor }
    return scaled
  }

  /// The whole hash function `sign(W·y + c + U·relu(V·y + v))` with `y = x − mean`.
  func hash(mean: [Float], projection: [Float], offset: [Float]) -> MLPHash {
    let (d, r) = (mean.count, offset.count)
    return MLPHash(
      mean: mean, inputScale: 1,
      layers: [
        .init(weight: hiddenWeight, bias: hiddenBias, inputs: d, outputs: width, activation: .relu),
        .init(weight: outputWeight, bias: offset, inputs: width, outputs: r, activation: .identity),
      ], skip: projection)
  }

  /// The residual in `file`, all three tensors or none, shaped for `d` inputs and `r` bits.
  init?(_ file: SafeTensors, d: Int, r: Int, path: String) throws {
    let tensors = [Self.hiddenWeightName, Self.hiddenBiasName, Self.outputWeightName].map { file.tensors[$0] }
    if tensors.allSatisfy({ $0 == nil }) { return nil }
    guard let v = tensors[1], v.shape.count == 1, (1...Self.maximumWidth).contains(v.shape[0]),
      let hidden = tensors[0], hidden.shape == [v.shape[0], d], let output = tensors[2],
      output.shape == [r, v.shape[0]]
    else {
      throw DataError(
        file: path, position: "tensors 'ranking.*'",
        "expected ranking.V [h, \(d)], ranking.v [h] and ranking.U [\(r), h] with 1 ≤ h ≤ \(Self.maximumWidth), "
          + "found \(tensors.map { $0.map { "\($0.shape)" } ?? "none" })")
    }
    self.init(hiddenWeight: hidden.values, hiddenBias: v.values, outputWeight: output.values, width: v.shape[0])
  }

  /// The widest residual a configuration or a file may ask for.
  public static let maximumWidth = 65_536

  var tensors: [String: SafeTensors.Tensor] {
    [
      Self.hiddenWeightName: .init(shape: [width, hiddenWeight.count / width], values: hiddenWeight),
      Self.hiddenBiasName: .init(shape: [width], values: hiddenBias),
      Self.outputWeightName: .init(shape: [outputWeight.count / width, width], values: outputWeight),
    ]
  }
}

/// A SiGAH model's hash function: the hash layer alone, or with the ranking residual.
public enum SiGAHHash: Sendable {
  case linear(LinearHash)
  case residual(MLPHash)

  /// `hash`, with `residual` (on the same input `x − mean`) beside it when there is one.
  public init(_ hash: LinearHash, residual: RankingResidual?) {
    guard let residual else {
      self = .linear(hash)
      return
    }
    self = .residual(residual.hash(mean: hash.mean, projection: hash.projection, offset: hash.offset))
  }

  public var bits: Int {
    switch self {
    case .linear(let hash): return hash.bits
    case .residual(let hash): return hash.bits
    }
  }

  public var inputDimension: Int {
    switch self {
    case .linear(let hash): return hash.inputDimension
    case .residual(let hash): return hash.inputDimension
    }
  }

  public func encode(_ data: Matrix, backend: any Backend, progress: (Int) -> Void = { _ in }) throws -> PackedCodes {
    switch self {
    case .linear(let hash): return try hash.encode(data, backend: backend, progress: progress)
    case .residual(let hash): return try hash.encode(data, backend: backend, progress: progress)
    }
  }
}
