// One training of any method as a command asks for it, in one process or as one rank of
// many: the one place where a method becomes a model (`sigah train` and `sigah-mpi train`
// both build a job and run it).

import Backend
import Foundation

public struct TrainingJob {
  public var method: HashMethod
  public var bits: Int
  public var seed: UInt64
  /// Epochs of the learned methods (BA: alternations; GMANs: after its pre-training).
  public var epochs: Int
  /// Stop at the first epoch boundary after this many seconds.
  public var timeBudget: Double?

  /// SiGAH and SiGAH-DM: the configuration (the job's method, bits and seed are set in it
  /// by `run`), the schedule, and the validation that chooses the kept epoch.
  public var sigah = SiGAHConfiguration()
  public var schedule = LearningRateSchedule.constant
  /// Training vectors held out as pseudo-queries; 0 keeps the last epoch. In a
  /// data-parallel run the writer measures them on its share for every process.
  public var validationSize = 0
  /// The Ks whose mAPs the validation averages.
  public var validationKs = RankingOptions.defaultNeighbourhoods
  /// The distance the validation's and the ranking stage's neighbours are exact in.
  public var metric = Metric.l2
  public var validateEvery = 1
  public var checkpointEvery: Int?
  public var checkpointPath: String?
  /// The checkpoint to go on from: its configuration is the training's.
  public var resume: Checkpoint?

  /// HashGAN, GMANs, SGH and BA.
  public var generative = GenerativeConfigurations()
  public var batchSize = 500

  public init(method: HashMethod, bits: Int, seed: UInt64, epochs: Int) {
    (self.method, self.bits, self.seed, self.epochs) = (method, bits, seed, epochs)
  }

  /// Trains on `data` (this process's rows with a `share`) and returns the model.
  /// `status` receives the one-off lines (validation, resumption) a person wants to see.
  public func run(
    data: Matrix, backend: any Backend, share: DataShare? = nil, onEvent: (TrainingEvent) -> Void = { _ in },
    status: (String) -> Void = { _ in }
  ) throws -> HashModel {
    let reduction = share?.reduction ?? .local
    switch method {
    case .sigah, .sigahDM:
      return .sigah(try trainSiGAH(data: data, backend: backend, share: share, onEvent: onEvent, status: status))
    case .hashgan, .gmans, .sgh, .ba:
      var options = GenerativeOptions()
      (options.epochs, options.batchSize, options.seed, options.timeBudget) = (epochs, batchSize, seed, timeBudget)
      return try GenerativeTraining.train(
        method, data: data, bits: bits, configurations: generative, options: options, backend: backend, share: share,
        onEvent: onEvent)
    case .lsh:
      return .linear(LinearBaselines.lsh(data, bits: bits, seed: seed, reduction: reduction), method: .lsh)
    case .pcah:
      return .linear(
        try LinearBaselines.pcah(data, bits: bits, seed: seed, backend: backend, reduction: reduction), method: .pcah)
    case .itq:
      return .linear(
        try LinearBaselines.itq(data, bits: bits, seed: seed, backend: backend, reduction: reduction), method: .itq)
    case .sph, .isoh, .sh, .kmh:
      guard share == nil else {
        throw TrainingError.invalidData("\(method.rawValue) is fitted in one process; it does not train across ranks")
      }
      return try HashModel.fitBaseline(
        method, data: data, bits: bits, seed: seed, backend: backend,
        deadline: timeBudget.map { Date().addingTimeInterval($0) }, onEvent: onEvent)
    }
  }

  /// SiGAH or SiGAH-DM as this job describes it.
  func trainSiGAH(
    data: Matrix, backend: any Backend, share: DataShare? = nil, onEvent: (TrainingEvent) -> Void = { _ in },
    status: (String) -> Void = { _ in }
  ) throws -> SiGAHModel {
    var configuration = resume?.model.configuration ?? sigah
    if resume == nil { (configuration.method, configuration.bits, configuration.seed) = (method, bits, seed) }
    // The ranking stage serves the Ks the validation measures unless told its own.
    if configuration.ranking?.neighbourhoods == nil && configuration.ranking?.neighbours == nil {
      configuration.ranking?.neighbourhoods = validationKs
    }
    if resume == nil, metric != .l2 { configuration.ranking?.metric = metric }
    var options = TrainingOptions()
    options.epochs = epochs
    options.timeBudget = timeBudget
    options.schedule = schedule
    options.validateEvery = validateEvery
    if validationSize > 0 {
      // Every process takes part in sharing the mAP; only the writer measures it.
      let validation =
        share?.writer ?? true
        ? try ValidationSplit(
          training: data, size: validationSize, ks: validationKs, seed: seed, backend: backend, metric: metric)
        : nil
      options.validate = { hash in try validation?.meanAveragePrecision(hash) ?? 0 }
      status(
        share == nil
          ? "validation: \(validationSize) training vectors as pseudo-queries; the best epoch (0 = the start) is kept"
          : "validation: \(validationSize) of the writer's \(data.rows) vectors as pseudo-queries; the best epoch is kept"
      )
    }
    (options.checkpointEvery, options.checkpointPath) = (checkpointEvery, checkpointPath)
    if let resume { status("resuming after epoch \(resume.epoch)") }
    let trainer = try SiGAHTrainer(
      configuration: configuration, data: data, backend: backend, options: options, share: share)
    return try trainer.train(resume: resume, onEvent: onEvent)
  }
}
