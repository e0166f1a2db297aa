// Every method behind one type: fitted on a training set, applied to any vectors, stored
// in the same safetensors model file, producing the same packed codes.

import Backend
import Foundation

public enum HashModel: Sendable {
  case sigah(SiGAHModel)
  case linear(LinearHash, method: HashMethod)
  case spherical(SphericalHash)
  case spectral(SpectralHash)
  case kMeans(KMeansHash)
  case deep(MLPHash, method: HashMethod)

  public var method: HashMethod {
    switch self {
    case .sigah(let model): return model.configuration.method
    case .linear(_, let method): return method
    case .spherical: return .sph
    case .spectral: return .sh
    case .kMeans: return .kmh
    case .deep(_, let method): return method
    }
  }

  public var bits: Int {
    switch self {
    case .sigah(let model): return model.weights.bits
    case .linear(let hash, _): return hash.bits
    case .spherical(let hash): return hash.bits
    case .spectral(let hash): return hash.bits
    case .kMeans(let hash): return hash.bits
    case .deep(let hash, _): return hash.bits
    }
  }

  public var inputDimension: Int {
    switch self {
    case .sigah(let model): return model.weights.inputDimension
    case .linear(let hash, _): return hash.inputDimension
    case .spherical(let hash): return hash.inputDimension
    case .spectral(let hash): return hash.inputDimension
    case .kMeans(let hash): return hash.inputDimension
    case .deep(let hash, _): return hash.inputDimension
    }
  }

  /// Fits a baseline (not SiGAH, which has its trainer). Spherical Hashing, which iterates,
  /// reports its iterations to `onEvent` and stops at the first past `deadline`.
  public static func fitBaseline(
    _ method: HashMethod, data: Matrix, bits: Int, seed: UInt64, backend: any Backend, deadline: Date? = nil,
    onEvent: (TrainingEvent) -> Void = { _ in }
  ) throws -> HashModel {
    switch method {
    case .lsh: return .linear(LinearBaselines.lsh(data, bits: bits, seed: seed), method: .lsh)
    case .pcah: return .linear(try LinearBaselines.pcah(data, bits: bits, seed: seed, backend: backend), method: .pcah)
    case .itq: return .linear(try LinearBaselines.itq(data, bits: bits, seed: seed, backend: backend), method: .itq)
    case .sph:
      return .spherical(
        try SphericalHash.fit(data, bits: bits, seed: seed, backend: backend, deadline: deadline) {
          onEvent(.fitting(method: .sph, done: $0, total: $1))
        })
    case .isoh: return .linear(try IsotropicHash.fit(data, bits: bits, seed: seed, backend: backend), method: .isoh)
    case .sh: return .spectral(try SpectralHash.fit(data, bits: bits, backend: backend))
    case .kmh: return .kMeans(try KMeansHash.fit(data, bits: bits, seed: seed, backend: backend))
    case .sigah, .sigahDM, .hashgan, .gmans, .sgh, .ba:
      throw BackendError.invalidArgument(
        operation: "fit", message: "\(method.rawValue) is trained over epochs, not fitted in one pass")
    }
  }

  public func encode(_ data: Matrix, backend: any Backend, progress: (Int) -> Void = { _ in }) throws -> PackedCodes {
    switch self {
    case .sigah(let model): return try model.hashFunction.encode(data, backend: backend, progress: progress)
    case .linear(let hash, _): return try hash.encode(data, backend: backend, progress: progress)
    case .spherical(let hash): return try hash.encode(data, backend: backend, progress: progress)
    case .spectral(let hash): return try hash.encode(data, backend: backend, progress: progress)
    case .kMeans(let hash): return try hash.encode(data, backend: backend, progress: progress)
    case .deep(let hash, _): return try hash.encode(data, backend: backend, progress: progress)
    }
  }

  // MARK: Model files

  public func write(to path: String) throws {
    switch self {
    case .sigah(let model):
      try model.write(to: path)
    case .deep(let hash, let method):
      try hash.file(method: method).write(to: path)
    case .linear(let hash, let method):
      try SafeTensors(
        metadata: ModelFile.metadata(method: method.rawValue, ["bits": "\(hash.bits)"]),
        tensors: [
          "mu": .init(shape: [hash.inputDimension], values: hash.mean),
          "W": .init(shape: [hash.bits, hash.inputDimension], values: hash.projection),
          "c": .init(shape: [hash.bits], values: hash.offset),
        ]
      ).write(to: path)
    case .spherical(let hash):
      try SafeTensors(
        metadata: ModelFile.metadata(method: "sph", ["bits": "\(hash.bits)"]),
        tensors: [
          "pivots": .init(shape: [hash.bits, hash.inputDimension], values: hash.pivots),
          "radii": .init(shape: [hash.bits], values: hash.radii),
        ]
      ).write(to: path)
    case .spectral(let hash):
      let p = hash.minimum.count
      try SafeTensors(
        metadata: ModelFile.metadata(method: "sh", ["bits": "\(hash.bits)"]),
        tensors: [
          "mu": .init(shape: [hash.inputDimension], values: hash.mean),
          "directions": .init(shape: [p, hash.inputDimension], values: hash.directions),
          "minimum": .init(shape: [p], values: hash.minimum),
          "range": .init(shape: [p], values: hash.range),
          "components": .init(shape: [hash.bits], values: hash.components.map(Float.init)),
          "modes": .init(shape: [hash.bits], values: hash.modes.map(Float.init)),
        ]
      ).write(to: path)
    case .kMeans(let hash):
      let d = hash.inputDimension
      try SafeTensors(
        metadata: ModelFile.metadata(method: "kmh", ["bits": "\(hash.bits)"]),
        tensors: [
          "mu": .init(shape: [d], values: hash.mean),
          "rotation": .init(shape: [d, d], values: hash.rotation),
          "dimensions": .init(shape: [hash.dimensions.count], values: hash.dimensions.map(Float.init)),
          "subspace_bits": .init(shape: [hash.subspaceBits.count], values: hash.subspaceBits.map(Float.init)),
          "centres": .init(shape: [hash.centres.count], values: hash.centres),
        ]
      ).write(to: path)
    }
  }

  public static func read(from path: String) throws -> HashModel {
    let model = try readUnbounded(from: path)
    // Every reader, scan and kernel handles codes of 1 to 4,096 bits of non-empty vectors.
    guard (1...4096).contains(model.bits), model.inputDimension >= 1 else {
      throw DataError(
        file: path, position: "tensors",
        "expected codes of 1 to 4096 bits from vectors of dimension at least 1, found \(model.bits) bits and "
          + "dimension \(model.inputDimension)")
    }
    return model
  }

  private static func readUnbounded(from path: String) throws -> HashModel {
    let file = try SafeTensors.read(from: path)
    try ModelFile.check(file, path: path)
    guard let name = file.metadata["method"],
      let method = HashMethod(rawValue: name)
    else {
      throw DataError(
        file: path, position: "header", "expected a sigah model file (metadata format = sigah-model and a known method)"
      )
    }
    switch method {
    case .sigah, .sigahDM:
      return .sigah(try SiGAHModel(file, path: path))
    case .hashgan, .gmans:
      return .deep(try MLPHash(file, path: path), method: method)
    case .lsh, .pcah, .itq, .isoh, .sgh, .ba:
      guard let w = file.tensors["W"], w.shape.count == 2, let mu = file.tensors["mu"], mu.shape == [w.shape[1]],
        let c = file.tensors["c"], c.shape == [w.shape[0]]
      else {
        throw DataError(file: path, position: "tensors", "expected mu [d], W [r, d] and c [r] for a \(name) model")
      }
      return .linear(
        LinearHash(mean: mu.values, projection: w.values, offset: c.values, bits: w.shape[0]), method: method)
    case .sph:
      guard let p = file.tensors["pivots"], p.shape.count == 2, let t = file.tensors["radii"], t.shape == [p.shape[0]]
      else {
        throw DataError(file: path, position: "tensors", "expected pivots [r, d] and radii [r] for an sph model")
      }
      return .spherical(SphericalHash(pivots: p.values, radii: t.values, bits: p.shape[0], inputDimension: p.shape[1]))
    case .sh:
      return .spectral(try spectral(file, path: path))
    case .kmh:
      return .kMeans(try kMeans(file, path: path))
    }
  }

  /// A K-means Hashing model from its tensors: the subspaces must tile the dimension and
  /// the centres fill exactly 2^b × dimension per subspace.
  static func kMeans(_ file: SafeTensors, path: String) throws -> KMeansHash {
    guard let mu = file.tensors["mu"], mu.shape.count == 1, let rotation = file.tensors["rotation"],
      rotation.shape == [mu.shape[0], mu.shape[0]], let dimensions = file.tensors["dimensions"],
      dimensions.shape.count == 1, let bits = file.tensors["subspace_bits"], bits.shape == dimensions.shape,
      let centres = file.tensors["centres"], centres.shape.count == 1, mu.shape[0] >= 1
    else {
      throw DataError(
        file: path, position: "tensors",
        "expected mu [d], rotation [d, d], dimensions [M], subspace_bits [M] and centres [n] for a kmh model")
    }
    let whole = { (value: Float, range: ClosedRange<Float>) in value == value.rounded() && range.contains(value) }
    guard dimensions.values.allSatisfy({ whole($0, 1...Float(mu.shape[0])) }),
      bits.values.allSatisfy({ whole($0, 1...8) }),
      dimensions.values.reduce(0, +) == Float(mu.shape[0])
    else {
      throw DataError(
        file: path, position: "tensors 'dimensions' and 'subspace_bits'",
        "expected whole subspace sizes summing to \(mu.shape[0]) and 1 to 8 bits per subspace")
    }
    let expected = zip(dimensions.values, bits.values).reduce(0) { $0 + Int($1.0) << Int($1.1) }
    guard centres.values.count == expected else {
      throw DataError(
        file: path, position: "tensor 'centres'", "expected \(expected) values, found \(centres.values.count)")
    }
    return KMeansHash(
      mean: mu.values, rotation: rotation.values, dimensions: dimensions.values.map { Int($0) },
      subspaceBits: bits.values.map { Int($0) }, centres: centres.values)
  }

  /// A Spectral Hashing model from its tensors, every size and index checked.
  static func spectral(_ file: SafeTensors, path: String) throws -> SpectralHash {
    guard let mu = file.tensors["mu"], mu.shape.count == 1, let directions = file.tensors["directions"],
      directions.shape.count == 2, directions.shape[1] == mu.shape[0], let minimum = file.tensors["minimum"],
      minimum.shape == [directions.shape[0]], let range = file.tensors["range"], range.shape == minimum.shape,
      let components = file.tensors["components"], components.shape.count == 1,
      let modes = file.tensors["modes"], modes.shape == components.shape
    else {
      throw DataError(
        file: path, position: "tensors",
        "expected mu [d], directions [p, d], minimum [p], range [p], components [r] and modes [r] for an sh model")
    }
    let p = minimum.shape[0]
    for (index, (k, m)) in zip(components.values, modes.values).enumerated() {
      guard k == k.rounded(), (0..<Float(p)).contains(k), m == m.rounded(), m >= 1, m <= 1e6 else {
        throw DataError(
          file: path, position: "bit \(index)",
          "expected a direction in 0..<\(p) and a whole mode of at least 1, found \(k) and \(m)")
      }
    }
    guard range.values.allSatisfy({ $0 > 0 && $0.isFinite }) else {
      throw DataError(file: path, position: "tensor 'range'", "expected positive finite ranges")
    }
    return SpectralHash(
      mean: mu.values, directions: directions.values, minimum: minimum.values, range: range.values,
      components: components.values.map { Int($0) }, modes: modes.values.map { Int($0) })
  }
}
