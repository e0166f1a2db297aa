// A steady-state training step on OpenCL never waits for the device and reads nothing
// back, for both methods; with the data resident it uploads nothing either, and when
// streamed it uploads exactly its batch. Its launches are held to the fused step's count
// (71 for SiGAH and 67 for SiGAH-DM before the step's operations were fused).

import Backend
import OpenCL
import SiGAH
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct StepCountsTests {
  static let (rows, dimension, batch) = (400, 16, 100)

  static func counts(_ configuration: SiGAHConfiguration, resident: Bool, defaultTuning: Bool = false) throws
    -> BackendCounts
  {
    var generator = SeededGenerator(seed: 21)
    let data = Matrix(rows: rows, columns: dimension, values: generator.gaussians(count: rows * dimension))
    var configuration = configuration
    configuration.bits = 16
    configuration.batchSize = batch
    var options = TrainingOptions()
    options.residentData = resident
    var backend = try OpenCLUnderTest.backend()
    if defaultTuning { backend = try OpenCLBackend(tuning: .defaults(for: backend.device)) }
    return try StepCounts.measure(configuration: configuration, data: data, backend: backend, options: options)
  }

  @Test(arguments: [SiGAHConfiguration(), .distanceMatchingPreset])
  func residentStepNeitherWaitsNorTransfers(_ configuration: SiGAHConfiguration) throws {
    let counts = try Self.counts(configuration, resident: true)
    #expect(counts.blockingWaits == 0, "\(configuration.method.rawValue): \(counts)")
    #expect(counts.deviceToHostBytes == 0, "\(configuration.method.rawValue): \(counts)")
    #expect(counts.hostToDeviceBytes == 0, "\(configuration.method.rawValue): \(counts)")
    #expect(counts.launches > 10, "\(configuration.method.rawValue): a step that launches nothing measured nothing")
  }

  @Test(arguments: [SiGAHConfiguration(), .distanceMatchingPreset])
  func streamedStepUploadsOnlyItsBatch(_ configuration: SiGAHConfiguration) throws {
    let counts = try Self.counts(configuration, resident: false)
    #expect(counts.deviceToHostBytes == 0, "\(configuration.method.rawValue): \(counts)")
    #expect(counts.hostToDeviceBytes == Self.batch * Self.dimension * 4, "\(configuration.method.rawValue): \(counts)")
  }

  /// The most launches a step may take: SiGAH's 29 are 3 for the forward pass, 7 for the
  /// discriminator's step, 18 for the generator's and the batch's gather; SiGAH-DM's near
  /// sets and its own Gram product of the codes make 31. At the device's default tuning: a
  /// tuned split-K product adds its second launch, a trade `sigah tune` made by timing it.
  @Test(arguments: [(SiGAHConfiguration(), 29), (.distanceMatchingPreset, 31)])
  func aStepLaunchesNoMoreThanTheFusedCount(_ configuration: SiGAHConfiguration, most: Int) throws {
    let counts = try Self.counts(configuration, resident: true, defaultTuning: true)
    #expect(counts.launches <= most, "\(configuration.method.rawValue): \(counts.launches) launches")
    #expect(counts.launches == counts.operations, "one launch an operation: \(counts)")
  }
}
