// A trained SiGAH model: its configuration, weights and training summary, and its file
// form (safetensors: every tensor by name, hyper-parameters and summary in the header).

import Foundation

public struct SiGAHModel: Sendable, Equatable {
  public var configuration: SiGAHConfiguration
  public var weights: SiGAHWeights
  public var summary: TrainingSummary?

  public init(configuration: SiGAHConfiguration, weights: SiGAHWeights, summary: TrainingSummary?) {
    self.configuration = configuration
    self.weights = weights
    self.summary = summary
  }

  /// The hash layer as a hash function of the data in its own units:
  /// `b = sign(W(x/s − μ) + c) = sign((W/s)(x − sμ) + c)` (METHOD.md §1), with s the input scale,
  /// a power of two, so both forms give the same bits.
  public var hash: LinearHash {
    let scale = weights.inputScale
    return LinearHash(
      mean: weights.tensors["mu"]!.map { $0 * scale }, projection: weights.tensors["W"]!.map { $0 / scale },
      offset: weights.tensors["c"]!, bits: weights.bits)
  }

  /// The model's hash function in the data's own units: the hash layer, and beside it the
  /// ranking residual when the stage kept one (`V/s`, exact like `W/s`: the same bits).
  public var hashFunction: SiGAHHash {
    SiGAHHash(hash, residual: weights.residual?.scalingInput(by: 1 / weights.inputScale))
  }

  // MARK: File form

  static let jsonEncoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }()

  static let jsonDecoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }()

  /// The safetensors form; `extra` adds tensors (a checkpoint's Adam moments).
  func safeTensors(extraMetadata: [String: String] = [:]) throws -> SafeTensors {
    var file = SafeTensors()
    for spec in weights.layout {
      file.tensors[spec.name] = .init(shape: spec.shape, values: weights.tensors[spec.name]!)
    }
    if let residual = weights.residual { file.tensors.merge(residual.tensors) { _, new in new } }
    file.metadata = ModelFile.metadata(method: configuration.method.rawValue, version: weights.residual == nil ? 1 : 2)
    file.metadata.merge([
      "configuration": String(decoding: try Self.jsonEncoder.encode(configuration), as: UTF8.self),
      "dimensions":
        "{\"d\":\(weights.inputDimension),\"r\":\(weights.bits),\"m\":\(weights.generatorWidth),\"dl\":\(weights.discriminatorWidth)}",
      "input_scale": "\(weights.inputScale)",
    ]) { _, new in new }
    if let summary {
      file.metadata["summary"] = String(decoding: try Self.jsonEncoder.encode(summary), as: UTF8.self)
    }
    file.metadata.merge(extraMetadata) { _, new in new }
    return file
  }

  public func write(to path: String) throws {
    try safeTensors().write(to: path)
  }

  /// Reads the model part of a SiGAH model or checkpoint file that ModelFile.check passed.
  init(_ file: SafeTensors, path: String) throws {
    // sigah-dm files written before the method was named in the header say sigah.
    guard let named = file.metadata["method"].flatMap(HashMethod.init(rawValue:)), named.isSiGAH,
      let configurationText = file.metadata["configuration"]
    else {
      throw DataError(file: path, position: "header", "expected a SiGAH model (metadata method = sigah or sigah-dm)")
    }
    do {
      configuration = try Self.jsonDecoder.decode(SiGAHConfiguration.self, from: Data(configurationText.utf8))
      summary = try file.metadata["summary"].map {
        try Self.jsonDecoder.decode(TrainingSummary.self, from: Data($0.utf8))
      }
    } catch {
      throw DataError(file: path, position: "header", "the configuration or summary is not valid JSON (\(error))")
    }
    do {
      try configuration.check()
    } catch let error as ConfigurationError {
      throw DataError(file: path, position: "metadata 'configuration'", "expected a usable configuration: \(error)")
    }
    guard let w = file.tensors["W"], w.shape.count == 2, let psi = file.tensors["Psi"], psi.shape.count == 2,
      let w3 = file.tensors["W3"], w3.shape.count == 2
    else {
      throw DataError(file: path, position: "tensors", "expected the tensors W, Psi and W3 of a SiGAH model")
    }
    let (r, d, m, dl) = (w.shape[0], w.shape[1], psi.shape[1], w3.shape[0])
    var tensors: [String: [Float]] = [:]
    for spec in SiGAHWeights.layout(d: d, r: r, m: m, dl: dl) {
      guard let tensor = file.tensors[spec.name], tensor.shape == spec.shape else {
        throw DataError(
          file: path, position: "tensor '\(spec.name)'",
          "expected shape \(spec.shape) for a model with d = \(d), r = \(r), m = \(m), d_l = \(dl), found \(file.tensors[spec.name].map { "\($0.shape)" } ?? "none")"
        )
      }
      tensors[spec.name] = tensor.values
    }
    weights = SiGAHWeights(inputDimension: d, bits: r, generatorWidth: m, discriminatorWidth: dl, tensors: tensors)
    weights.residual = try RankingResidual(file, d: d, r: r, path: path)
    // Files written before the input scale existed have none: their networks saw raw data.
    if let text = file.metadata["input_scale"] {
      guard let scale = Float(text), InputScale.isValid(scale) else {
        throw DataError(
          file: path, position: "header", "input_scale must be a positive power of two, found '\(text)'")
      }
      weights.inputScale = scale
    }
  }

  public static func read(from path: String) throws -> SiGAHModel {
    let file = try SafeTensors.read(from: path)
    try ModelFile.check(file, path: path)
    return try SiGAHModel(file, path: path)
  }
}
