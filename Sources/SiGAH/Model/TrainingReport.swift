// What training reports: one record per epoch, and the summary stored in model files.

public struct EpochReport: Sendable, Codable, Equatable {
  public var epoch: Int
  /// Batch-weighted means of each loss term over the epoch.
  public var losses: LossTerms
  public var seconds: Double
  public var samplesPerSecond: Double
  /// Learning rate used in the epoch.
  public var learningRate: Float
  /// Validation mAP when the trainer measured it this epoch.
  public var validationMAP: Double?
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
  case epoch(EpochReport)
  case checkpoint(path: String, epoch: Int)
  /// The ranking stage: `done` of `total` vectors' neighbour lists found, `step` of its
  /// `total` steps taken, and its loss and validation at one of its checkpoints.
  case rankingNeighbours(done: Int, total: Int)
  case rankingStep(step: Int, total: Int)
  case rankingCheckpoint(RankingCheckpoint)
  /// An epoch of one of the other papers' methods: its own loss terms.
  case terms(EpochTerms)
  /// A baseline fitted by iterations (Spherical Hashing): `done` of at most `total`.
  case fitting(method: HashMethod, done: Int, total: Int)
}

/// An epoch of HashGAN, GMANs, SGH or BA: each loss term's mean per row, as its method names it.
public struct EpochTerms: Sendable {
  public var epoch: Int
  /// What the epoch was: "pre-training", "warm-up", "alternation 3", …
  public var phase: String
  public var terms: [(String, Double)]
  public var seconds: Double
  public var samplesPerSecond: Double
}
