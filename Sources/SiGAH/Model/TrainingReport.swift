// What training reports: one record per epoch, and the summary stored in model files.

/// One epoch of any learned method: what the trainer reports as it goes and what a model
/// file keeps of its training.
public struct EpochReport: Sendable, Equatable {
  public var epoch: Int
  /// What the epoch was for a method with phases ("pre-training", "μ 0.125"); empty for
  /// SiGAH and SiGAH-DM.
  public var phase: String
  /// Each loss term's mean per row over the epoch, by the name its method gives it, in
  /// report order (SiGAH's: `LossTerms.named`).
  public var terms: [LossTerm]
  public var seconds: Double
  public var samplesPerSecond: Double
  /// Learning rate used in the epoch, for methods with one schedule (SiGAH).
  public var learningRate: Float?
  /// Validation mAP when the trainer measured it this epoch.
  public var validationMAP: Double?

  public init(
    epoch: Int, phase: String = "", terms: [LossTerm], seconds: Double, samplesPerSecond: Double,
    learningRate: Float? = nil, validationMAP: Double? = nil
  ) {
    (self.epoch, self.phase, self.terms, self.seconds) = (epoch, phase, terms, seconds)
    (self.samplesPerSecond, self.learningRate, self.validationMAP) = (samplesPerSecond, learningRate, validationMAP)
  }

  /// The term called `name`, if the method reported one.
  public func term(_ name: String) -> Double? { terms.first { $0.name == name }?.value }
}

extension EpochReport: Codable {
  private enum CodingKeys: String, CodingKey {
    case epoch, phase, terms, seconds, samplesPerSecond, learningRate, validationMAP
    /// Files written before every method shared this record: SiGAH's six terms.
    case losses
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    epoch = try container.decode(Int.self, forKey: .epoch)
    phase = try container.decodeIfPresent(String.self, forKey: .phase) ?? ""
    if let terms = try container.decodeIfPresent([LossTerm].self, forKey: .terms) {
      self.terms = terms
    } else {
      terms = try container.decode(LossTerms.self, forKey: .losses).named
    }
    seconds = try container.decode(Double.self, forKey: .seconds)
    samplesPerSecond = try container.decode(Double.self, forKey: .samplesPerSecond)
    learningRate = try container.decodeIfPresent(Float.self, forKey: .learningRate)
    validationMAP = try container.decodeIfPresent(Double.self, forKey: .validationMAP)
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(epoch, forKey: .epoch)
    if !phase.isEmpty { try container.encode(phase, forKey: .phase) }
    try container.encode(terms, forKey: .terms)
    try container.encode(seconds, forKey: .seconds)
    try container.encode(samplesPerSecond, forKey: .samplesPerSecond)
    try container.encodeIfPresent(learningRate, forKey: .learningRate)
    try container.encodeIfPresent(validationMAP, forKey: .validationMAP)
  }
}

public struct TrainingSummary: Sendable, Codable, Equatable {
  public var backend: String
  public var samples: Int
  public var epochs: [EpochReport]
  /// The epoch whose weights were kept (the last, or the best on validation; 0 = the start).
  public var keptEpoch: Int
  /// Validation mAP of the starting weights, when selecting.
  public var startValidationMAP: Double?
  public var totalSeconds: Double
  /// The ranking stage, when it ran.
  public var ranking: RankingSummary?

  public var samplesPerSecond: Double {
    let seconds = epochs.reduce(0) { $0 + $1.seconds }
    return seconds > 0 ? Double(samples * epochs.count) / seconds : 0
  }
}

/// What the trainer tells its caller as it goes.
public enum TrainingEvent {
  /// `done` of `total` samples of this epoch.
  case batch(epoch: Int, done: Int, total: Int)
  /// An epoch of any learned method ended.
  case epoch(EpochReport)
  case checkpoint(path: String, epoch: Int)
  /// The ranking stage: `done` of `total` vectors' neighbour lists found, `step` of its
  /// `total` steps taken, and its loss and validation at one of its checkpoints.
  case rankingNeighbours(done: Int, total: Int)
  case rankingStep(step: Int, total: Int)
  case rankingCheckpoint(RankingCheckpoint)
  /// A baseline fitted by iterations (Spherical Hashing): `done` of at most `total`.
  case fitting(method: HashMethod, done: Int, total: Int)
}
