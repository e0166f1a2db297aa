// Launches, waits and bytes of one steady-state training step: the counts between two
// consecutive batches in the middle of the second epoch, where nothing but steps runs.

import Backend

public enum StepCounts {
  /// The counts of one step of `configuration` on `data` (at least three full batches).
  public static func measure(
    configuration: SiGAHConfiguration, data: Matrix, backend: any Backend, options: TrainingOptions = TrainingOptions()
  ) throws -> BackendCounts {
    var options = options
    options.epochs = 2
    // The steps of the epochs are measured; the ranking stage after them is not a step.
    var configuration = configuration
    configuration.ranking = nil
    let batches = data.rows / configuration.batchSize
    guard batches >= 3 else {
      throw TrainingError.invalidData("step counts need at least three full batches, got \(data.rows) rows")
    }
    var readings: [BackendCounts] = []
    _ = try SiGAHTrainer(configuration: configuration, data: data, backend: backend, options: options).train {
      event in
      if case .batch(let epoch, let done, _) = event, epoch == 2, done / configuration.batchSize <= 3 {
        readings.append(backend.counts)
      }
    }
    return readings[2] - readings[1]
  }
}
