// A steady-state training step on OpenCL never waits for the device and reads nothing
// back, for both methods; with the data resident it uploads nothing either, and when
// streamed it uploads exactly its batch.

import Backend
import OpenCL
import SiGAH
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct StepCountsTests {
  static let (rows, dimension, batch) = (400, 16, 100)

  static func counts(_ configuration: SiGAHConfiguration, resident: Bool) throws -> BackendCounts {
    var generator = SeededGenerator(seed: 21)
    let data = Matrix(rows: rows, columns: dimension, values: generator.gaussians(count: rows * dimension))
    var configuration = configuration
    configuration.bits = 16
    configuration.batchSize = batch
    var options = TrainingOptions()
    options.residentData = resident
    return try StepCounts.measure(
      configuration: configuration, data: data, backend: try OpenCLUnderTest.backend(), options: options)
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
}
