// What one steady-state training step asks of a backend: its launches, waits and bytes
// (`StepCounts.measure`), or any other reading taken around the same step (`observeStep`,
// which `sigah bench` uses for OpenCL's per-kernel times). The step is the third of the
// second epoch, where nothing but steps runs.

import Backend

public enum StepCounts {
  /// The counts of one step of `configuration` on `data` (at least three full batches).
  public static func measure(
    configuration: SiGAHConfiguration, data: Matrix, backend: any Backend, options: TrainingOptions = TrainingOptions()
  ) throws -> BackendCounts {
    var readings: [BackendCounts] = []
    try observeStep(
      configuration: configuration, data: data, backend: backend, options: options,
      begin: { readings.append(backend.counts) }, end: { readings.append(backend.counts) })
    return readings[1] - readings[0]
  }

  /// Trains `configuration` on `data` for two epochs and calls `begin` once the second
  /// epoch's second step is queued and `end` once its third is.
  public static func observeStep(
    configuration: SiGAHConfiguration, data: Matrix, backend: any Backend, options: TrainingOptions = TrainingOptions(),
    begin: () throws -> Void, end: () throws -> Void
  ) throws {
    var options = options
    options.epochs = 2
    // The steps of the epochs are observed; the ranking stage after them is not a step.
    var configuration = configuration
    configuration.ranking = nil
    let batches = data.rows / configuration.batchSize
    guard batches >= 3 else {
      throw TrainingError.invalidData("a step needs at least three full batches to observe, got \(data.rows) rows")
    }
    var failure: (any Error)?
    _ = try SiGAHTrainer(configuration: configuration, data: data, backend: backend, options: options).train {
      event in
      guard case .batch(let epoch, let done, _) = event, epoch == 2, failure == nil else { return }
      do {
        switch done / configuration.batchSize {
        case 2: try begin()
        case 3: try end()
        default: break
        }
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
  }
}
