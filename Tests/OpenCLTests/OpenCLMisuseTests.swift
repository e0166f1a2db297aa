// Bad calls and failures on the OpenCL backend: the same typed errors as the CPU backend,
// a build failure that carries the compiler's log, and nothing that aborts.

import Backend
import Foundation
import OpenCL
import Parity
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct OpenCLMisuseTests {
  @Test(arguments: MisuseSuite.cases())
  func rejects(_ misuse: MisuseCase) throws {
    let backend = try OpenCLUnderTest.backend()
    let cpuBuffer = try CPUBackend().makeBuffer(Float.self, count: 8)
    #expect(throws: misuse.expected) { try misuse.call(backend, cpuBuffer) }
  }

  @Test func brokenKernelReportsTheBuildLog() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sigah-broken-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try "__kernel void gemm( { this is not C }".write(
      to: folder.appendingPathComponent("matmul.cl"), atomically: true, encoding: .utf8)
    let backend = try OpenCLBackend(kernelFolder: folder.path)
    let x = try backend.makeBuffer([1] as [Float])
    do {
      try backend.gemm(x, transposeA: false, x, transposeB: false, into: x, m: 1, n: 1, k: 1, alpha: 1, beta: 0)
      Issue.record("a kernel that cannot compile was launched")
    } catch let BackendError.kernelBuildFailed(program, log) {
      #expect(program == "matmul.cl")
      #expect(log.contains("CL_BUILD_PROGRAM_FAILURE"))
      #expect(log.lowercased().contains("error"))
    }
  }

  @Test func missingKernelFolderIsAClearError() throws {
    let backend = try OpenCLBackend(kernelFolder: "/nonexistent/sigah-kernels")
    let x = try backend.makeBuffer([1] as [Float])
    #expect(throws: BackendError.self) { try backend.fill(x, value: 0, count: 1) }
    do {
      try backend.fill(x, value: 0, count: 1)
    } catch {
      #expect("\(error)".contains("/nonexistent/sigah-kernels/elementwise.cl cannot be read"))
    }
  }

  @Test func unknownDeviceIsAClearError() {
    #expect(throws: BackendError.self) { try OpenCLBackend(deviceIndex: 999) }
  }

  @Test func tuningThatDoesNotFitIsRejected() {
    var tuning = OpenCLTuning()
    tuning.gemmVectorWidth = 3  // not a vector width OpenCL has
    #expect(throws: BackendError.self) { try OpenCLBackend(tuning: tuning) }
    tuning = OpenCLTuning()
    tuning.gemmGroupRows = 1 << 20  // a work-group no device allows
    #expect(throws: BackendError.self) { try OpenCLBackend(tuning: tuning) }
  }

  /// The #ifndef defaults are overridable: both GEMM variants at other block shapes and
  /// vector widths (the tuner's grid) compute the same products on every parity case.
  static let otherTunings: [OpenCLTuning] = {
    var settings: [OpenCLTuning] = []
    for (variant, rows, width, vectors, groupRows, groupColumns, sliceK) in [
      (OpenCLTuning.GemmVariant.tiled, 4, 4, 1, 16, 16, 16), (.tiled, 2, 1, 2, 4, 8, 8), (.tiled, 8, 8, 1, 2, 2, 32),
      (.direct, 4, 4, 2, 2, 4, 16), (.direct, 3, 16, 1, 1, 1, 16), (.direct, 1, 1, 1, 8, 8, 16),
    ] {
      var tuning = OpenCLTuning()
      (tuning.gemmVariant, tuning.gemmRowsPerItem, tuning.gemmVectorWidth, tuning.gemmVectorsPerItem) = (
        variant, rows, width, vectors
      )
      (tuning.gemmGroupRows, tuning.gemmGroupColumns, tuning.gemmSliceK) = (groupRows, groupColumns, sliceK)
      settings.append(tuning)
    }
    return settings
  }()

  @Test(arguments: otherTunings)
  func otherGemmSettingsGiveTheSameProducts(_ tuning: OpenCLTuning) throws {
    let backend = try OpenCLBackend(tuning: tuning)
    for parityCase in ParitySuite.gemmCases() {
      let result = try parityCase.check(backend, against: try CPUBackend())
      #expect(result.passed, "\(tuning): \(result)")
    }
  }

  @Test(arguments: [1, 8, 32, 256])
  func otherHammingGroupSizesGiveTheSameSearchesAndRanking(_ groupSize: Int) throws {
    var tuning = OpenCLTuning()
    tuning.hammingGroupSize = groupSize
    let backend = try OpenCLBackend(tuning: tuning)
    // BA's code step takes the same group size: lanes sharing each flip's update.
    for parityCase in ParitySuite.cases()
    where ["hammingTopK", "hammingWithin", "averagePrecision", "flipCodeBits"].contains(parityCase.operation) {
      let result = try parityCase.check(backend, against: try CPUBackend())
      #expect(result.passed, "group \(groupSize): \(result)")
    }
  }

  /// Row lanes change the order of each column's sum, never its value beyond the stated
  /// tolerance; one lane is the serial loop, 32 × 8 the GPU default, 7 columns an odd group.
  @Test(arguments: [(1, 1), (32, 8), (16, 16), (7, 4)])
  func otherColumnSumGroupsGiveTheSameSums(_ group: (columns: Int, rows: Int)) throws {
    var tuning = OpenCLTuning()
    (tuning.columnGroupColumns, tuning.columnGroupRows) = group
    let backend = try OpenCLBackend(tuning: tuning)
    for parityCase in ParitySuite.cases()
    where ["sumColumns", "activationBackwardWithBiasGradient"].contains(parityCase.operation) {
      let result = try parityCase.check(backend, against: try CPUBackend())
      #expect(result.passed, "group \(group): \(result)")
    }
  }

  @Test func columnSumGroupsThatCannotRunAreRefused() throws {
    var tuning = OpenCLTuning()
    tuning.columnGroupRows = 3
    #expect(throws: BackendError.self) { try OpenCLBackend(tuning: tuning) }
  }

  @Test func autoFallsBackOrTakesAGPUAndSaysWhy() throws {
    let selected = try BackendSelector.make(.auto)
    let hasGPU = try OpenCLDevices.all().contains(where: \.isGPU)
    if hasGPU {
      #expect(selected.backend is OpenCLBackend)
      #expect(selected.reason.contains("GPU"))
    } else {
      #expect(selected.backend is CPUBackend)
      #expect(selected.reason.contains("no OpenCL GPU"))
    }
  }

  @Test func devicesAreListedWithTheirProperties() throws {
    let devices = try OpenCLDevices.all()
    #expect(!devices.isEmpty)
    for (index, device) in devices.enumerated() {
      #expect(device.index == index)
      #expect(!device.name.isEmpty)
      #expect(device.computeUnits > 0)
      #expect(device.version.hasPrefix("OpenCL"))
    }
  }
}
