// One entry point for the other papers' learned methods, so that `train`, `eval` and
// `ablation` treat them alike.

import Backend

/// How long and in what batches the four methods train.
public struct GenerativeOptions: Sendable {
  /// Epochs (BA: alternations; GMANs: after its pre-training).
  public var epochs = 30
  /// Samples per batch (GMANs takes its own, `GMANsConfiguration.batchSize`).
  public var batchSize = 500
  public var seed: UInt64 = 0
  /// Stop at the first epoch boundary after this many seconds.
  public var timeBudget: Double?
  /// Keep the training set on the device (`true`) or stream each batch from host memory
  /// (`false`); nil decides by the device's largest buffer. BA needs it on the device.
  public var residentData: Bool?

  public init() {}
}

/// Every configuration of the four methods, each with its paper's defaults.
public struct GenerativeConfigurations: Sendable {
  public var sgh = SGHConfiguration()
  public var ba = BAConfiguration()
  public var hashgan = HashGANConfiguration()
  public var gmans = GMANsConfiguration()

  public init() {}
}

public enum GenerativeTraining {
  /// The methods that train data-parallel over shares of the rows (METHOD.md §12).
  public static let dataParallelMethods: [HashMethod] = [.sgh, .ba, .hashgan, .gmans]

  /// Trains `method`; with `share`, `data` is this process's share of the rows and every
  /// process of the run returns the same model.
  public static func train(
    _ method: HashMethod, data: Matrix, bits: Int, configurations: GenerativeConfigurations,
    options: GenerativeOptions, backend: any Backend, share: DataShare? = nil,
    onEvent: (TrainingEvent) -> Void = { _ in }
  ) throws -> HashModel {
    guard (1...maximumCodeBits).contains(bits) else {
      throw TrainingError.invalidData("bits must be between 1 and \(maximumCodeBits), got \(bits)")
    }
    if share != nil && !dataParallelMethods.contains(method) {
      throw TrainingError.invalidData("\(method.rawValue) does not train over shares of the rows")
    }
    switch method {
    case .sgh:
      return .linear(
        try StochasticGenerativeHashing.train(
          data, bits: bits, configuration: configurations.sgh, options: options, backend: backend, share: share,
          onEvent: onEvent),
        method: .sgh)
    case .ba:
      return .linear(
        try BinaryAutoencoder.train(
          data, bits: bits, configuration: configurations.ba, options: options, backend: backend, share: share,
          onEvent: onEvent),
        method: .ba)
    case .hashgan:
      return .deep(
        try HashGAN.train(
          data, bits: bits, configuration: configurations.hashgan, options: options, backend: backend, share: share,
          onEvent: onEvent),
        method: .hashgan)
    case .gmans:
      return .deep(
        try GMANs.train(
          data, bits: bits, configuration: configurations.gmans, options: options, backend: backend, share: share,
          onEvent: onEvent),
        method: .gmans)
    default:
      throw TrainingError.invalidData("\(method.rawValue) is not one of hashgan, gmans, sgh and ba")
    }
  }
}
