// The graph term on a second queue (Backend+SideWork.swift): a step whose graph term ran
// beside the discriminator's step gives the bits of the step that ran it in order, for
// SiGAH's term and SiGAH-DM's distance matching, with the launches and waits of before.

import Backend
import OpenCL
import SiGAH
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct SideQueueTests {
  static func backend(sideQueue: Bool) throws -> OpenCLBackend {
    var tuning = try OpenCLUnderTest.backend().tuning
    tuning.sideQueue = sideQueue
    let backend = try OpenCLBackend(tuning: tuning)
    #expect(backend.usesSideQueue == sideQueue)
    return backend
  }

  static func configuration(_ base: SiGAHConfiguration) -> SiGAHConfiguration {
    var configuration = base
    (configuration.bits, configuration.batchSize, configuration.seed) = (16, 100, 3)
    configuration.ranking = nil
    return configuration
  }

  /// The side work starts after what was queued before it, what is queued after the join
  /// starts after it, and a read joins first: a slow product on the side queue between a
  /// fill and a copy on the main one.
  @Test func sideWorkIsOrderedByItsEvents() throws {
    let backend = try Self.backend(sideQueue: true)
    let n = 384
    let (a, product, copied) = (
      try backend.makeBuffer(Float.self, count: n * n), try backend.makeBuffer([Float](repeating: 0, count: n * n)),
      try backend.makeBuffer(Float.self, count: n * n)
    )
    for round in 1...3 {
      try backend.fill(a, value: Float(round), count: n * n)
      try backend.beginSideWork()
      try backend.gemm(a, transposeA: false, a, transposeB: false, into: product, m: n, n: n, k: n, alpha: 1, beta: 0)
      try backend.endSideWork()
      try backend.joinSideWork()
      try backend.copy(product, sourceOffset: 0, to: copied, destinationOffset: 0, count: n * n)
      let expected = Float(round * round * n)
      #expect(try backend.download(copied).allSatisfy { $0 == expected }, "round \(round): the copy ran too early")
      try backend.beginSideWork()
      try backend.fill(product, value: -1, count: n * n)
      try backend.endSideWork()
      #expect(try backend.download(product).allSatisfy { $0 == -1 }, "round \(round): the read did not join")
    }
    #expect(backend.sideSpans == 6)
  }

  /// A profiled step with the graph term beside: every launch under its kernel, and the
  /// device's occupied time the union of the kernels', at most their sum and the span.
  @Test func aProfiledStepCountsItsSideWorkOnce() throws {
    var generator = SeededGenerator(seed: 33)
    let data = Matrix(rows: 400, columns: 16, values: generator.gaussians(count: 400 * 16))
    var tuning = try OpenCLUnderTest.backend().tuning
    tuning.sideQueue = true
    let backend = try OpenCLBackend(tuning: tuning, profiling: true)
    let (step, counts) = try OpenCLUnderTest.profiledStep(
      Self.configuration(SiGAHConfiguration()), data: data, backend: backend)
    #expect(backend.sideSpans > 0)
    #expect(step.kernels.reduce(0) { $0 + $1.launches } == counts.launches)
    #expect(step.occupiedSeconds <= step.busySeconds * (1 + 1e-9), "\(step)")
    #expect(step.occupiedSeconds <= step.spanSeconds * (1 + 1e-9), "\(step)")
  }

  /// 430 rows: four full batches an epoch with the term beside, and a short one with it in order.
  @Test(arguments: [SiGAHConfiguration(), .distanceMatchingPreset])
  func theGraphTermBesideGivesTheSameBits(_ base: SiGAHConfiguration) throws {
    var generator = SeededGenerator(seed: 31)
    let data = Matrix(rows: 430, columns: 24, values: generator.gaussians(count: 430 * 24))
    var options = TrainingOptions()
    options.epochs = 3
    let configuration = Self.configuration(base)
    let backends = [try Self.backend(sideQueue: false), try Self.backend(sideQueue: true)]
    let models = try backends.map { backend in
      try SiGAHTrainer(configuration: configuration, data: data, backend: backend, options: options).train()
    }
    #expect(backends[0].sideSpans == 0)
    #expect(backends[1].sideSpans == 12, "one span a full batch: \(backends[1].sideSpans)")
    let name = configuration.method.rawValue
    for (tensor, inOrder) in models[0].weights.tensors {
      #expect(models[1].weights.tensors[tensor] == inOrder, "\(name): \(tensor) differs")
    }
    let terms = models.map { $0.summary!.epochs.map { $0.terms.map(\.value) } }
    #expect(terms[0] == terms[1], "\(name): the loss terms differ")
  }

  @Test(arguments: [SiGAHConfiguration(), .distanceMatchingPreset])
  func aStepWithItsGraphTermBesideLaunchesAndWaitsAsBefore(_ base: SiGAHConfiguration) throws {
    var generator = SeededGenerator(seed: 32)
    let data = Matrix(rows: 400, columns: 16, values: generator.gaussians(count: 400 * 16))
    var options = TrainingOptions()
    options.residentData = true
    let counts = try [false, true].map { sideQueue in
      try StepCounts.measure(
        configuration: Self.configuration(base), data: data, backend: try Self.backend(sideQueue: sideQueue),
        options: options)
    }
    #expect(counts[1].launches == counts[0].launches, "\(counts)")
    #expect(counts[1].blockingWaits == 0, "\(counts[1])")
  }
}
