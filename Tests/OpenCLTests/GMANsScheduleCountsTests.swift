// GMANs' self-controlled schedule decided on the device (METHOD.md §9): a training's
// blocking waits and bytes read do not grow with its steps (the reads left are the
// epochs' loss reports and the model's download).

import Backend
import OpenCL
import SiGAH
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct GMANsScheduleCountsTests {
  static func training(rows: Int, backend: OpenCLBackend) throws -> BackendCounts {
    var generator = SeededGenerator(seed: 12)
    let data = Matrix(rows: rows, columns: 24, values: generator.gaussians(count: rows * 24))
    var options = GenerativeOptions()
    options.epochs = 2
    options.seed = 3
    var configurations = GenerativeConfigurations()
    configurations.gmans.pretrainEpochs = 1
    configurations.gmans.batchSize = 16
    configurations.gmans.scheduleOnDevice = true
    let before = backend.counts
    _ = try GenerativeTraining.train(
      .gmans, data: data, bits: 16, configurations: configurations, options: options, backend: backend)
    return backend.counts - before
  }

  @Test func aStepReadsNothingBack() throws {
    let backend = try OpenCLUnderTest.backend()
    // 4 and 12 steps an epoch: the same waits and reads.
    let short = try Self.training(rows: 64, backend: backend)
    let long = try Self.training(rows: 192, backend: backend)
    #expect(long.blockingWaits == short.blockingWaits, "short \(short), long \(long)")
    #expect(long.launches > short.launches + 8 * 20, "the longer training measured more steps")
    // Model download and loss reads, not 4 bytes a step.
    #expect(long.deviceToHostBytes - short.deviceToHostBytes == 0, "short \(short), long \(long)")
  }
}
