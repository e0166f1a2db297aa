// Bad calls and failures on the OpenCL backend: the same typed errors as the CPU backend,
// a build failure that carries the compiler's log, and nothing that aborts.

import Backend
import Foundation
import Kernels
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
    tuning.matmulWorkPerThread = 5  // does not divide the 32-wide tile
    #expect(throws: BackendError.self) { try OpenCLBackend(tuning: tuning) }
  }

  @Test func otherTileSizesGiveTheSameProducts() throws {
    // The #ifndef defaults are overridable: a 16-wide tile must compute the same GEMM.
    var tuning = OpenCLTuning()
    tuning.matmulTile = 16
    tuning.matmulWorkPerThread = 4
    let backend = try OpenCLBackend(tuning: tuning)
    for parityCase in ParitySuite.gemmCases() {
      let result = try parityCase.check(backend, against: try CPUBackend())
      #expect(result.passed, "\(result)")
    }
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
