// A few full SiGAH training iterations on the OpenCL backend agree with the CPU backend
// from the same seed: same losses and weights within Float32 reordering error.

import Backend
import OpenCL
import SiGAH
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct TrainingParityTests {
  @Test func fewIterationsMatchTheCPU() throws {
    var generator = SeededGenerator(seed: 8)
    let data = Matrix(rows: 93, columns: 24, values: generator.gaussians(count: 93 * 24))
    var configuration = SiGAHConfiguration()
    configuration.bits = 16
    configuration.batchSize = 40  // 40 + 40 + 13: the short batch too
    configuration.seed = 2
    var options = TrainingOptions()
    options.epochs = 2  // 6 iterations of both players
    let cpu = try SiGAHTrainer(configuration: configuration, data: data, backend: try CPUBackend(), options: options)
      .train()
    let gpu = try SiGAHTrainer(
      configuration: configuration, data: data, backend: try OpenCLUnderTest.backend(), options: options
    ).train()
    for (name, expected) in cpu.weights.tensors {
      let got = gpu.weights.tensors[name]!
      let scale = max(expected.map(abs).max()!, 1e-6)
      let error = zip(got, expected).map { abs($0 - $1) }.max()! / scale
      // Adam divides by √v: early steps amplify tiny differences, hence 1e-3, not 1e-5.
      #expect(error < 1e-3, "\(name): relative error \(error)")
    }
    for (a, b) in zip(cpu.summary!.epochs, gpu.summary!.epochs) {
      #expect(a.terms.map(\.name) == b.terms.map(\.name))
      for (p, q) in zip(a.terms, b.terms) {
        let (name, x, y) = (p.name, p.value, q.value)
        #expect(abs(x - y) <= 1e-4 * max(abs(x), 1e-3), "epoch \(a.epoch) \(name): \(x) vs \(y)")
      }
    }
  }

  /// SiGAH-DM's ranking stage with its residual (METHOD.md §3c) on the device: the codes of
  /// the CPU's stage. Adam's first steps on the residual follow the signs of gradients near
  /// zero, so its weights are compared through their codes: at most 1 bit in 100 differs
  /// (0 of 6,400 on PoCL).
  @Test func theRankingStageWithItsResidualMatchesTheCPU() throws {
    var generator = SeededGenerator(seed: 10)
    let data = Matrix(rows: 400, columns: 24, values: generator.gaussians(count: 400 * 24))
    var configuration = SiGAHConfiguration.distanceMatchingPreset
    (configuration.bits, configuration.batchSize, configuration.seed) = (16, 100, 5)
    (configuration.ranking!.steps, configuration.ranking!.anchors) = (60, 32)
    configuration.ranking!.residualWidth = 16
    var options = TrainingOptions()
    options.epochs = 1
    let models = try [try CPUBackend() as any Backend, try OpenCLUnderTest.backend()].map { backend in
      try SiGAHTrainer(configuration: configuration, data: data, backend: backend, options: options).train()
    }
    let residuals = models.compactMap(\.weights.residual)
    #expect(residuals.count == 2 && residuals.allSatisfy { $0.width == 16 })
    let codes = try models.map { try $0.hashFunction.encode(data, backend: try CPUBackend()) }
    let differing = zip(codes[0].words, codes[1].words).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
    #expect(differing <= data.rows * 16 / 100, "\(differing) of \(data.rows * 16) bits differ")
  }

  /// Split sums, per-row loss slots and tree reductions all run in a fixed order: the same
  /// training twice gives the same bits, weights and loss terms alike.
  @Test(arguments: [SiGAHConfiguration(), .distanceMatchingPreset])
  func theSameTrainingTwiceGivesTheSameBits(_ configuration: SiGAHConfiguration) throws {
    var generator = SeededGenerator(seed: 9)
    let data = Matrix(rows: 120, columns: 24, values: generator.gaussians(count: 120 * 24))
    var configuration = configuration
    (configuration.bits, configuration.batchSize, configuration.seed) = (16, 40, 4)
    configuration.ranking = nil
    var options = TrainingOptions()
    options.epochs = 2
    let runs = try (0..<2).map { _ in
      try SiGAHTrainer(
        configuration: configuration, data: data, backend: try OpenCLUnderTest.backend(), options: options
      ).train()
    }
    #expect(runs[0].weights.tensors == runs[1].weights.tensors, "\(configuration.method.rawValue)")
    #expect(
      runs[0].summary!.epochs.map { $0.terms.map(\.value) } == runs[1].summary!.epochs.map { $0.terms.map(\.value) })
  }
}
