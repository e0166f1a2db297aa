// Steps of the other papers' methods on OpenCL read nothing back: with GMANs' schedule
// decided on the device (METHOD.md §9) and for BA's SVM steps, a training's blocking waits
// (and GMANs' bytes read) do not grow with its steps; the reads left are the epochs'.

import Backend
import OpenCL
import Testing

@testable import SiGAH

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct GenerativeStepCountsTests {
  static func training(
    rows: Int, method: HashMethod = .gmans, pretrainEpochs: Int = 1, selfControlled: Bool = true,
    scheduleOnDevice: Bool = true, backend: OpenCLBackend
  ) throws -> BackendCounts {
    var generator = SeededGenerator(seed: 12)
    let data = Matrix(rows: rows, columns: 24, values: generator.gaussians(count: rows * 24))
    var options = GenerativeOptions()
    options.epochs = 2
    options.seed = 3
    var configurations = GenerativeConfigurations()
    configurations.gmans.pretrainEpochs = pretrainEpochs
    configurations.gmans.batchSize = 16
    configurations.gmans.selfControlled = selfControlled
    configurations.gmans.scheduleOnDevice = scheduleOnDevice
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

  /// A GMANs step's launches (batch 16, 2 epochs of 4 and of 12 steps): 82 with the
  /// schedule on the device and 80 with both discriminators every step (98 and 96 before
  /// the halves were stacked in place and the second scoring reused its inputs); with the
  /// host's decision, 82 at most and one wait.
  @Test func aGMANsStepsLaunchesAreCounted() throws {
    let backend = try OpenCLUnderTest.backend()
    func perStep(selfControlled: Bool, onDevice: Bool) throws -> (launches: Double, waits: Double) {
      let short = try Self.training(
        rows: 64, pretrainEpochs: 0, selfControlled: selfControlled, scheduleOnDevice: onDevice, backend: backend)
      let long = try Self.training(
        rows: 192, pretrainEpochs: 0, selfControlled: selfControlled, scheduleOnDevice: onDevice, backend: backend)
      return (Double(long.launches - short.launches) / 16, Double(long.blockingWaits - short.blockingWaits) / 16)
    }
    #expect(try perStep(selfControlled: true, onDevice: true) == (82, 0))
    #expect(try perStep(selfControlled: false, onDevice: false) == (80, 0))
    let host = try perStep(selfControlled: true, onDevice: false)
    #expect(host.launches <= 82 && host.waits == 1, "\(host)")
  }

  /// BA's SVM steps read nothing either: its reads are the alternations' (an epoch each).
  @Test func aBAStepReadsNothingBack() throws {
    let backend = try OpenCLUnderTest.backend()
    let short = try Self.training(rows: 64, method: .ba, backend: backend)
    let long = try Self.training(rows: 192, method: .ba, backend: backend)
    #expect(long.blockingWaits == short.blockingWaits, "short \(short), long \(long)")
    #expect(long.launches > short.launches + 8 * 5, "the longer training measured more steps")
  }

  /// An alternation's f and Z steps keep the codes and the decoder on the device: they
  /// write nothing and read back only the Z step's two counts, one wait however many
  /// rows, and give the CPU's decoder and codes.
  @Test func baStepsReadTheSameBytesForAnyRows() throws {
    let (d, k) = (24, 16)
    func alternation(rows n: Int, on backend: any Backend) throws -> (BackendCounts, [Float]) {
      var generator = SeededGenerator(seed: 30)
      let data = Matrix(rows: n, columns: d, values: generator.gaussians(count: n * d))
      let blocks = OneBlock(block: try backend.makeBuffer(data.values), rows: n)
      let codes = try backend.makeBuffer(generator.gaussians(count: n * k).map { $0 < 0 ? Float(-1) : 1 })
      let weight = try backend.makeBuffer(generator.gaussians(count: k * d))
      let bias = try backend.makeBuffer(generator.gaussians(count: k))
      let decoder = try LeastSquaresDecoder(rows: n, dimension: d, bits: k, blockRows: n, backend: backend)
      let before = backend.counts
      try decoder.fit(codes: codes, data: blocks)
      _ = try decoder.codeStep(codes, weight: weight, bias: bias, penalty: 0.5, passes: 4, data: blocks)
      return (backend.counts - before, try backend.download(codes))
    }
    let backend = try OpenCLUnderTest.backend()
    let (short, _) = try alternation(rows: 64, on: backend)
    let (long, codes) = try alternation(rows: 640, on: backend)
    #expect(long.blockingWaits == short.blockingWaits && long.deviceToHostBytes == short.deviceToHostBytes, "\(long)")
    #expect(long.deviceToHostBytes == 2 * 4 && long.blockingWaits == 1, "\(long)")
    #expect(long.hostToDeviceBytes == 0, "\(long)")
    // The solve's and the products' sums differ only by contraction; the codes agree bit
    // for bit where they do (random data: few scores or targets at a rounding boundary).
    let (_, cpu) = try alternation(rows: 640, on: try CPUBackend())
    #expect(zip(codes, cpu).filter { $0 != $1 }.count <= 640 * k / 1000)
  }
}

/// A training set resident in one buffer, as BA's loop hands it over.
private struct OneBlock: RowBlocks {
  let block: DeviceBuffer<Float>
  let rows: Int
  func forEachBlock(_ body: (DeviceBuffer<Float>, Int, Int) throws -> Void) throws { try body(block, 0, rows) }
}
