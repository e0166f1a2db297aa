// Steps of the other papers' methods on OpenCL read nothing back: with GMANs' schedule
// decided on the device (METHOD.md §9) and for BA's SVM steps, a training's blocking waits
// (and GMANs' bytes read) do not grow with its steps; the reads left are the epochs'.

import Backend
import OpenCL
import SiGAH
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct GenerativeStepCountsTests {
  static func training(rows: Int, method: HashMethod = .gmans, backend: OpenCLBackend) throws -> BackendCounts {
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
    options.batchSize = 16
    _ = try GenerativeTraining.train(
      method, data: data, bits: 16, configurations: configurations, options: options, backend: backend)
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

  /// BA's SVM steps read nothing either: its reads are the alternations' (an epoch each),
  /// whose f and Z steps run on the host from the projections read back once.
  @Test func aBAStepReadsNothingBack() throws {
    let backend = try OpenCLUnderTest.backend()
    let short = try Self.training(rows: 64, method: .ba, backend: backend)
    let long = try Self.training(rows: 192, method: .ba, backend: backend)
    #expect(long.blockingWaits == short.blockingWaits, "short \(short), long \(long)")
    #expect(long.launches > short.launches + 8 * 5, "the longer training measured more steps")
  }
}
