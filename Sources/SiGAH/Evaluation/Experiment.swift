// One evaluation run: each method at each code length, fitted on the training set,
// encoded, and evaluated on the Euclidean task (and the semantic one where labels exist).

import Backend
import Foundation

public struct ExperimentRow: Sendable, Codable, Equatable {
  public var method: String
  public var bits: Int
  public var euclidean: RetrievalReport
  public var semantic: RetrievalReport?
  public var trainSeconds: Double
  /// Mean `(1/d)‖x̂ − x̃‖²` on the queries (SiGAH only).
  public var reconstructionError: Double?
  /// The seed of the split and the training.
  public var seed: UInt64?
}

public struct ExperimentSettings {
  public var methods: [HashMethod] = [.lsh, .pcah, .itq, .sph, .sigah]
  public var bits: [Int] = [32, 64]
  /// Ground-truth neighbours that count as relevant (METHOD.md §5: K = 1000).
  public var groundTruthK = 1000
  /// The distance of the ground truth, and of the neighbours the learned methods train for.
  public var metric = Metric.l2
  public var seed: UInt64 = 0
  /// SiGAH's configuration (bits and seed are set per run).
  public var sigah = SiGAHConfiguration()
  /// SiGAH-DM's configuration (METHOD.md §3b), trained with the cosine schedule and
  /// validation selection on `validationSize` training vectors.
  public var sigahDM = SiGAHConfiguration.distanceMatchingPreset
  public var validationSize = 500
  /// SiGAH-DM's validation Ks; nil: the evaluation's K (a training told what it is for).
  public var validationKs: [Int]?
  public var training = TrainingOptions()
  /// HashGAN, GMANs, SGH and BA (epochs and seed come from `training` and `seed`).
  public var generative = GenerativeConfigurations()
  public var generativeBatchSize = 500
  public var evaluation = EvaluationOptions()

  public init() {}

  /// The training of `method` at `bits` these settings describe.
  func job(_ method: HashMethod, bits: Int) -> TrainingJob {
    var job = TrainingJob(method: method, bits: bits, seed: seed, epochs: training.epochs)
    job.timeBudget = training.timeBudget
    job.validateEvery = training.validateEvery
    job.sigah = method == .sigahDM ? sigahDM : sigah
    job.schedule = method == .sigahDM ? .cosine : training.schedule
    job.validationSize = method == .sigahDM ? validationSize : 0
    // A training told what it is for: the evaluation's K, unless told the Ks.
    job.validationKs = validationKs ?? [groundTruthK]
    job.metric = metric
    job.generative = generative
    job.batchSize = generativeBatchSize
    return job
  }
}

public enum Experiment {
  /// Runs every method at every length. `groundTruth` (queries × k ids) is computed when nil.
  /// `log` receives one line per finished step.
  public static func run(
    split: EvaluationSplit, training: Matrix? = nil, groundTruth: (ids: [Int32], k: Int)? = nil,
    settings: ExperimentSettings, backend: any Backend, log: (String) -> Void = { _ in },
    onTrainingEvent: (TrainingEvent) -> Void = { _ in }
  ) throws -> [ExperimentRow] {
    let train = training ?? split.database
    let truth: (ids: [Int32], k: Int)
    if let groundTruth {
      truth = groundTruth
    } else {
      let k = min(settings.groundTruthK, split.database.rows)
      let started = Date()
      truth = (
        try GroundTruth.compute(
          queries: split.queries, database: split.database, k: k, backend: backend, metric: settings.metric), k
      )
      log(
        "ground truth: \(split.queries.rows) queries × \(split.database.rows) items, top \(k), \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
      )
    }
    let relevantCount = min(settings.groundTruthK, truth.k)
    var rows: [ExperimentRow] = []
    for bits in settings.bits {
      for method in settings.methods {
        let started = Date()
        let model = try settings.job(method, bits: bits).run(data: train, backend: backend, onEvent: onTrainingEvent)
        let row = try evaluate(
          model, name: method.rawValue, split: split, truth: truth, relevantCount: relevantCount, settings: settings,
          backend: backend, trainSeconds: Date().timeIntervalSince(started))
        rows.append(row)
        log(
          String(
            format: "%@ %d bits: mAP %.4f%@ (%.1f s)", method.rawValue, bits, row.euclidean.mAP,
            row.semantic.map { String(format: ", semantic mAP %.4f", $0.mAP) } ?? "", row.trainSeconds))
      }
    }
    return rows
  }

  /// Encodes the split with `model` and evaluates it on the Euclidean (and semantic) task.
  public static func evaluate(
    _ model: HashModel, name: String, split: EvaluationSplit, truth: (ids: [Int32], k: Int), relevantCount: Int,
    settings: ExperimentSettings, backend: any Backend, trainSeconds: Double
  ) throws -> ExperimentRow {
    let bits = model.bits
    let queryCodes = try model.encode(split.queries, backend: backend)
    let databaseCodes = try model.encode(split.database, backend: backend)
    let euclidean = try Evaluator.evaluate(
      queryCodes: queryCodes, databaseCodes: databaseCodes,
      relevance: .neighbours(ids: truth.ids, k: truth.k, relevantCount: relevantCount), backend: backend,
      options: settings.evaluation)
    var semantic: RetrievalReport?
    if let queryLabels = split.queryLabels, let databaseLabels = split.databaseLabels {
      semantic = try Evaluator.evaluate(
        queryCodes: queryCodes, databaseCodes: databaseCodes,
        relevance: .labels(queries: queryLabels, database: databaseLabels), backend: backend,
        options: settings.evaluation)
    }
    var reconstruction: Double?
    if case .sigah(let sigahModel) = model {
      reconstruction = try ReconstructionError.mean(sigahModel, vectors: split.queries, backend: backend)
    }
    return ExperimentRow(
      method: name, bits: bits, euclidean: euclidean, semantic: semantic, trainSeconds: trainSeconds,
      reconstructionError: reconstruction, seed: settings.seed)
  }
}

/// A way to train SiGAH: a configuration, a schedule, and validation selection or not.
public struct SiGAHVariant: Sendable {
  public var name: String
  public var configuration: SiGAHConfiguration
  public var schedule: LearningRateSchedule
  /// Training vectors held out as validation pseudo-queries for model selection; 0 = none.
  public var validationSize: Int
  /// The Ks whose mAPs the validation averages (the evaluation's K, when it is known),
  /// and the ranking stage's neighbourhoods unless its configuration names its own.
  public var validationKs: [Int]

  public init(
    name: String, configuration: SiGAHConfiguration, schedule: LearningRateSchedule, validationSize: Int,
    validationKs: [Int] = RankingOptions.defaultNeighbourhoods
  ) {
    self.name = name
    self.configuration = configuration
    self.schedule = schedule
    self.validationSize = validationSize
    self.validationKs = validationKs
  }

  public func train(
    data: Matrix, bits: Int, seed: UInt64, options: TrainingOptions, backend: any Backend,
    onEvent: (TrainingEvent) -> Void = { _ in }
  ) throws -> SiGAHModel {
    var job = TrainingJob(method: configuration.method, bits: bits, seed: seed, epochs: options.epochs)
    (job.sigah, job.schedule, job.timeBudget) = (configuration, schedule, options.timeBudget)
    (job.validationSize, job.validationKs, job.validateEvery) = (validationSize, validationKs, options.validateEvery)
    return try job.trainSiGAH(data: data, backend: backend, onEvent: onEvent)
  }
}

/// METHOD.md §5's reconstruction error: mean `(1/d)‖x̂ − x̃‖²` over given vectors, in the data's
/// own units (the network reconstructs `x/s`: its error is scaled back by `s²`).
public enum ReconstructionError {
  public static func mean(_ model: SiGAHModel, vectors: Matrix, backend: any Backend) throws -> Double {
    let scale = model.weights.inputScale
    let vectors = InputScale.apply(scale, to: vectors)
    let capacity = min(500, vectors.rows)
    let network = try SiGAHNetwork(
      weights: model.weights, configuration: model.configuration, backend: backend, capacity: capacity)
    var total = 0.0
    let scratch = try backend.makeBuffer(Float.self, count: 1)
    for block in vectors.rowBlocks(capacity) {
      let n = block.count
      try network.loadBatch(vectors.values(ofRows: block), count: n)
      try network.forward(rows: n)
      try backend.linearCombination(
        alpha: 1, network.xHat, beta: -1, network.x, into: network.dXHat, count: n * network.d)
      try backend.reduceRows(network.dXHat, rows: 1, columns: n * network.d, .sumOfSquares, into: scratch)
      total += Double(try backend.download(scratch, offset: 0, count: 1)[0])
    }
    return total / Double(vectors.rows * vectors.columns) * Double(scale) * Double(scale)
  }
}
