// A model's hash function held on one backend for many calls: the weights are uploaded
// and the block workspace allocated once, so that encoding a query at a time costs the
// work and not the set-up (the C API keeps one per model and backend). The baselines
// whose hash is not a linear map or an MLP encode as `HashModel.encode` does.

import Backend

public final class ModelEncoder {
  public let model: HashModel
  public let backend: any Backend
  private enum Held {
    case linear(LinearHashEncoder)
    case mlp(MLPHashEncoder)
    case direct
  }
  private let held: Held

  /// - Parameter largestBlock: the most rows one block of the workspace holds; smaller
  ///   calls allocate only what they use.
  public init(_ model: HashModel, backend: any Backend, largestBlock: Int = 4096) throws {
    (self.model, self.backend) = (model, backend)
    func linear(_ hash: LinearHash) throws -> Held {
      let encoder = try LinearHashEncoder(
        bits: hash.bits, inputDimension: hash.inputDimension, blockRows: 1, largestBlock: largestBlock,
        backend: backend)
      try encoder.load(hash)
      return .linear(encoder)
    }
    func mlp(_ hash: MLPHash) throws -> Held {
      .mlp(try MLPHashEncoder(hash, blockRows: 1, largestBlock: min(largestBlock, 2048), backend: backend))
    }
    switch model {
    case .sigah(let sigah):
      switch sigah.hashFunction {
      case .linear(let hash): held = try linear(hash)
      case .residual(let hash): held = try mlp(hash)
      }
    case .linear(let hash, _): held = try linear(hash)
    case .deep(let hash, _): held = try mlp(hash)
    case .spherical, .spectral, .kMeans: held = .direct
    }
  }

  /// The codes of every row of `data`, bit for bit `model.encode(data, backend:)`'s.
  public func encode(_ data: Matrix, progress: (Int) -> Void = { _ in }) throws -> PackedCodes {
    try encode(.floats(data), progress: progress)
  }

  /// The codes of byte rows, bit for bit those of their Float values: the linear and MLP
  /// hashes upload the bytes and widen them on the device.
  public func encode(bytes data: ByteMatrix, progress: (Int) -> Void = { _ in }) throws -> PackedCodes {
    try encode(.bytes(data), progress: progress)
  }

  /// Either kind of rows, as the two methods above.
  public func encode(_ data: EncoderRows, progress: (Int) -> Void = { _ in }) throws -> PackedCodes {
    try data.requireDimension(model.inputDimension)
    switch (held, data) {
    case (.linear(let encoder), _): return try encoder.encode(data, progress: progress)
    case (.mlp(let encoder), _): return try encoder.encode(data, progress: progress)
    case (.direct, .floats(let matrix)): return try model.encode(matrix, backend: backend, progress: progress)
    case (.direct, .bytes(let matrix)): return try model.encode(matrix.floats, backend: backend, progress: progress)
    }
  }
}
