// The per-kernel profile accounts for every launch of the window it covers: a step's
// profile lists as many launches as its counts, each kernel's time is positive, and the
// kernels' sum never exceeds the span they ran in.

import Backend
import OpenCL
import SiGAH
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct KernelProfileTests {
  @Test func aWindowListsEachLaunchUnderItsKernel() throws {
    let backend = try OpenCLBackend(profiling: true)
    let (a, c) = (
      try backend.makeBuffer(Array(repeating: Float(1), count: 64)), try backend.makeBuffer(Float.self, count: 64)
    )
    try backend.fill(c, value: 0, count: 64)
    try backend.startProfile()
    try backend.gemm(a, transposeA: false, a, transposeB: true, into: c, m: 8, n: 8, k: 8, alpha: 1, beta: 0)
    try backend.fill(c, value: 2, count: 64)
    try backend.fill(c, value: 3, count: 64)
    let profile = try backend.stopProfile()
    #expect(Set(profile.kernels.map(\.kernel)) == ["gemm 8×8·8 Bᵀ", "fill"])
    #expect(profile.kernels.first { $0.kernel == "fill" }?.launches == 2)
    #expect(profile.kernels.allSatisfy { $0.seconds > 0 })
    #expect(profile.busySeconds <= profile.spanSeconds * (1 + 1e-9))
    // One queue: the kernels never overlap, so the device was busy for their sum.
    #expect(abs(profile.occupiedSeconds - profile.busySeconds) <= 1e-9 * max(profile.busySeconds, 1))
    #expect(try backend.download(c) == Array(repeating: 3, count: 64))
  }

  @Test func aStepsProfileHasAsManyLaunchesAsItsCounts() throws {
    var generator = SeededGenerator(seed: 23)
    let data = Matrix(rows: 400, columns: 16, values: generator.gaussians(count: 400 * 16))
    for configuration in [SiGAHConfiguration(), .distanceMatchingPreset] {
      var configuration = configuration
      (configuration.bits, configuration.batchSize) = (16, 100)
      let (profile, counts) = try OpenCLUnderTest.profiledStep(
        configuration, data: data, backend: try OpenCLBackend(profiling: true))
      let launches = profile.kernels.reduce(0) { $0 + $1.launches }
      #expect(launches == counts.launches, "\(configuration.method.rawValue)")
      #expect(launches > 10)
    }
  }

  @Test func profilingNeedsAProfilingQueue() throws {
    let backend = try OpenCLBackend()
    #expect(throws: BackendError.self) { try backend.startProfile() }
  }
}

extension OpenCLUnderTest {
  /// The profile and the counts of one steady-state step (`StepCounts.observeStep`) on a
  /// backend made with `profiling: true`.
  static func profiledStep(_ configuration: SiGAHConfiguration, data: Matrix, backend: OpenCLBackend) throws -> (
    KernelProfile, BackendCounts
  ) {
    var (before, after) = (BackendCounts(), BackendCounts())
    var profile: KernelProfile?
    try StepCounts.observeStep(
      configuration: configuration, data: data, backend: backend,
      begin: {
        try backend.startProfile()
        before = backend.counts
      },
      end: {
        after = backend.counts
        profile = try backend.stopProfile()
      })
    return (try #require(profile), after - before)
  }
}
