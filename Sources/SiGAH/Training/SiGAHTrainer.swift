// The training loop of METHOD.md §3: per epoch a seeded shuffle, batches of N_B (the last
// short one kept), one discriminator and one generator step per batch, Adam with L2
// decay on weights; a fixed number of epochs or a time budget; atomic checkpoints;
// resume; a guard that stops on the first non-finite loss or weight; then, when
// configured, the ranking stage (METHOD.md §3c) on the kept hash layer. With a `DataShare`
// the data are one process's share of the rows and each step trains on that share's part
// of the global batch (METHOD.md §12).

import Backend
import Foundation

/// The learning rate over epochs.
public enum LearningRateSchedule: String, Sendable, Equatable, CaseIterable {
  case constant
  /// `lr·(1 + cos(π·(epoch − 1)/epochs))/2` (METHOD.md §3b).
  case cosine

  func rate(base: Float, epoch: Int, epochs: Int) -> Float {
    switch self {
    case .constant: return base
    case .cosine: return base * Float(0.5 * (1 + cos(Double.pi * Double(epoch - 1) / Double(max(epochs, 1)))))
    }
  }
}

public struct TrainingOptions {
  public var epochs: Int = 30
  /// Stop at the first epoch boundary after this many seconds.
  public var timeBudget: Double?
  /// Write a checkpoint every this many epochs (and at the end) to `checkpointPath`.
  public var checkpointEvery: Int?
  public var checkpointPath: String?
  public var schedule: LearningRateSchedule = .constant
  /// Measures a hash function's validation mAP; when set, the best epoch is kept, the
  /// starting weights (epoch 0) included. In a data-parallel run it must be set on every
  /// process (they all take part in sharing the mAP), and only the writer's is called.
  public var validate: ((SiGAHHash) throws -> Double)?
  public var validateEvery: Int = 1
  /// Keep the training set on the device and gather batches there (`true`), or stream
  /// each batch from host memory (`false`); nil decides by the device's largest buffer.
  public var residentData: Bool?

  public init() {}
}

public final class SiGAHTrainer {
  public let configuration: SiGAHConfiguration
  public let data: Matrix
  public let backend: any Backend
  public let options: TrainingOptions
  public let share: DataShare?
  /// Rows of the whole training set, over every share.
  var totalRows: Int { share?.total ?? data.rows }

  public init(
    configuration: SiGAHConfiguration, data: Matrix, backend: any Backend, options: TrainingOptions,
    share: DataShare? = nil
  ) throws {
    guard data.rows >= 1, data.columns >= 1 else { throw TrainingError.invalidData("the training set is empty") }
    if let share {
      try share.requireRows(of: data)
    }
    do {
      try configuration.check()
    } catch let error as ConfigurationError {
      throw TrainingError.invalidData("the configuration's \(error)")
    }
    guard options.epochs >= 0 else {
      throw TrainingError.invalidData("epochs must not be negative, got \(options.epochs)")
    }
    // Before any work: the epoch loop checks it again only when it is made.
    try EpochLoop.check(timeBudget: options.timeBudget)
    // The widest buffers, checked before anything is allocated: Ψ (d × m), W3 (d_l × d) and
    // the batch's activations (N_B × m, N_B × d_l), m = width multiple × d.
    let d = data.columns
    let (m, overflowM) = configuration.generatorWidthMultiple.multipliedReportingOverflow(by: d)
    let width = max(m, configuration.discriminatorWidth)
    let widest = overflowM ? nil : CheckedSize.product([max(d, min(configuration.batchSize, data.rows)), width, 4])
    guard let widest, widest <= backend.largestBuffer else {
      throw TrainingError.invalidData(
        "a generator of width \(configuration.generatorWidthMultiple) × \(d) and a discriminator of width "
          + "\(configuration.discriminatorWidth) need buffers of "
          + (widest.map { String(format: "%.1f GiB", Double($0) / Double(1 << 30)) } ?? "more than \(Int.max) bytes")
          + ", more than the \(String(format: "%.1f GiB", Double(backend.largestBuffer) / Double(1 << 30))) "
          + "one buffer may take on \(backend.summary)")
    }
    self.configuration = configuration
    self.data = data
    self.backend = backend
    self.options = options
    self.share = share
  }

  /// `validate(hash)`; in a data-parallel run measured by the writer alone and given to
  /// every process, so that all keep the same epoch.
  private func validated(_ hash: SiGAHHash, _ validate: (SiGAHHash) throws -> Double) throws -> Double {
    guard let share else { return try validate(hash) }
    return try share.measuredByWriter { try validate(hash) }
  }

  /// Trains from the seed, or from `resume`, and returns the model.
  public func train(resume: Checkpoint? = nil, onEvent: (TrainingEvent) -> Void = { _ in }) throws -> SiGAHModel {
    let started = Date()
    let d = data.columns
    // The network trains on the data in its own units (InputScale), the model keeps the scale.
    let reduction = share?.reduction ?? .local
    let scale = InputScale.of(data, reduction: reduction)
    let data = InputScale.apply(scale, to: self.data)
    var weights =
      resume?.model.weights
      ?? SiGAHWeights.initial(
        inputDimension: d, configuration: configuration, mean: reduction.columnMeans(data).mean)
    if resume == nil && configuration.itqStart {
      weights.tensors["W"] = try ITQStart.projection(
        data, bits: configuration.bits, seed: configuration.seed, backend: backend, reduction: reduction)
      weights.tensors["c"] = Array(repeating: 0, count: configuration.bits)
    }
    guard weights.inputDimension == d else {
      throw TrainingError.invalidData("the checkpoint is for dimension \(weights.inputDimension), the data has \(d)")
    }
    if let resume, resume.model.weights.inputScale != scale {
      throw TrainingError.invalidData(
        "the checkpoint was trained with input scale \(resume.model.weights.inputScale), this data needs \(scale): "
          + "resume with the data it was trained on")
    }
    weights.inputScale = scale
    let capacity = min(configuration.batchSize, totalRows)
    let network = try SiGAHNetwork(weights: weights, configuration: configuration, backend: backend, capacity: capacity)
    let shareStep = share.map { ShareStep(reduction: $0.reduction) }
    network.share = shareStep
    var history = resume?.model.summary?.epochs ?? []
    var best = resume?.best
    if let resume {
      try network.restoreMoments(first: resume.firstMoments, second: resume.secondMoments)
      network.discriminatorSteps = resume.discriminatorSteps
      network.generatorSteps = resume.generatorSteps
    }
    // The starting weights are a model too (with the ITQ start, ITQ's codes exactly):
    // selection keeps them when no training epoch validates better.
    var startValidationMAP = resume?.model.summary?.startValidationMAP
    if resume == nil, let validate = options.validate {
      let start = try network.weights(inputScale: scale)
      let map = try validated(
        SiGAHModel(configuration: configuration, weights: start, summary: nil).hashFunction, validate)
      best = (0, map, start)
      startValidationMAP = map
    }
    let firstEpoch = (resume?.epoch ?? 0) + 1
    let loop = try EpochLoop(
      data: data, mean: (network.meanBuffer, negated: network.negatedMean), batch: network.x,
      batchSize: configuration.batchSize, seed: configuration.seed, salt: 0, share: share,
      resident: options.residentData, timeBudget: options.timeBudget, started: started, backend: backend)
    if firstEpoch <= options.epochs {
      var learningRate = configuration.learningRate
      try loop.run(
        epochs: firstEpoch...options.epochs, losses: NetworkLosses(network),
        onEvent: onEvent,
        step: { rows, epoch in
          learningRate = options.schedule.rate(base: configuration.learningRate, epoch: epoch, epochs: options.epochs)
          shareStep?.begin(loop.part)
          try network.trainStep(rows: rows, learningRate: learningRate)
        },
        ended: { epoch, losses, epochStart, last in
          let current = try network.weights(inputScale: scale)
          if let name = current.tensors.first(where: { !$0.value.allSatisfy(\.isFinite) })?.key {
            throw TrainingError.diverged(epoch: epoch, term: "weight \(name)", lastCheckpoint: loop.lastCheckpoint)
          }
          try backend.synchronize()
          let seconds = Date().timeIntervalSince(epochStart)
          var report = EpochReport(
            epoch: epoch, terms: losses.named, seconds: seconds,
            samplesPerSecond: Double(totalRows) / max(seconds, 1e-9), learningRate: learningRate)
          if let validate = options.validate, epoch % max(options.validateEvery, 1) == 0 || epoch == options.epochs {
            let model = SiGAHModel(configuration: configuration, weights: current, summary: nil)
            let map = try validated(model.hashFunction, validate)
            report.validationMAP = map
            if best == nil || map > best!.map { best = (epoch, map, current) }
          }
          history.append(report)
          onEvent(.epoch(report))
          if let path = options.checkpointPath, let every = options.checkpointEvery, share?.writer ?? true,
            epoch % max(every, 1) == 0 || last
          {
            let moments = try network.moments()
            let summary = TrainingSummary(
              backend: backend.summary, samples: totalRows, epochs: history, keptEpoch: epoch,
              startValidationMAP: startValidationMAP, totalSeconds: Date().timeIntervalSince(started))
            try Checkpoint(
              model: SiGAHModel(configuration: configuration, weights: current, summary: summary), epoch: epoch,
              discriminatorSteps: network.discriminatorSteps, generatorSteps: network.generatorSteps,
              firstMoments: moments.first, secondMoments: moments.second,
              best: best
            ).write(to: path)
            loop.lastCheckpoint = path
            onEvent(.checkpoint(path: path, epoch: epoch))
          }
        })
    }
    var finalWeights = try network.weights(inputScale: scale)
    var keptEpoch = history.last?.epoch ?? 0
    if let best {
      finalWeights = best.weights
      keptEpoch = best.epoch
    }
    var rankingSummary: RankingSummary?
    let deadline = options.timeBudget.map { started.addingTimeInterval($0) }
    // A budget spent by the epochs leaves the stage out (every process agrees).
    let outOfTime = deadline.map { deadline in (share?.reduction ?? .local).any(Date() >= deadline) } ?? false
    if let ranking = configuration.ranking, !outOfTime {
      // From the kept epoch's hash layer, scored by its validation mAP so that the stage
      // keeps it unless a step validates better.
      let start = SiGAHModel(configuration: configuration, weights: finalWeights, summary: nil).hash
      let refined = try RankingRefinement.refine(
        start, data: self.data, options: ranking, neighbourhoods: ranking.positiveNeighbourhoods,
        seed: configuration.seed,
        backend: backend, validate: options.validate, startValidationMAP: best?.map, share: share,
        deadline: deadline, onEvent: onEvent)
      // Back to the network's units (exact: the scale is a power of two).
      finalWeights.tensors["mu"] = refined.hash.mean.map { $0 / scale }
      finalWeights.tensors["W"] = refined.hash.projection.map { $0 * scale }
      finalWeights.tensors["c"] = refined.hash.offset
      finalWeights.residual = refined.residual?.scalingInput(by: scale)
      rankingSummary = refined.summary
    }
    let summary = TrainingSummary(
      backend: backend.summary, samples: totalRows, epochs: history, keptEpoch: keptEpoch,
      startValidationMAP: startValidationMAP, totalSeconds: Date().timeIntervalSince(started), ranking: rankingSummary)
    return SiGAHModel(configuration: configuration, weights: finalWeights, summary: summary)
  }
}

/// SiGAH's network as the epoch loop's loss sums (its six slots, METHOD.md §3).
private final class NetworkLosses: EpochLosses {
  let network: SiGAHNetwork
  init(_ network: SiGAHNetwork) { self.network = network }
  func reset() throws { try network.resetLosses() }
  func snapshot() throws -> [Float] { try network.backend.download(network.losses) }
  func restore(_ sums: [Float]) throws { try network.backend.upload(sums, to: network.losses) }
  func read(rows: Int, reduction: ShardReduction) throws -> LossTerms {
    try network.readLosses(rows: rows, reduction: reduction)
  }
  static func firstNonFinite(in terms: LossTerms) -> String? { terms.firstNonFinite }
}
