// The OpenCL backend against the CPU backend on every parity case. On CI (CI set) a
// missing OpenCL device is a failure; elsewhere the suite is skipped with the reason.

import Backend
import Foundation
import OpenCL
import Parity
import Testing

/// Whether the OpenCL tests run here. A backend is not thread-safe and tests run in
/// parallel, so each test opens its own (the context and built programs are shared).
enum OpenCLUnderTest {
  /// Why no OpenCL backend opens here, or nil when one does.
  static let unavailableReason: String? = {
    do {
      _ = try OpenCLBackend()
      return nil
    } catch {
      return "\(error)"
    }
  }()

  /// On CI a missing device must fail the run, not skip it.
  static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

  static var shouldRun: Bool { unavailableReason == nil || isRequired }

  static func backend() throws -> OpenCLBackend { try OpenCLBackend() }
}

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct OpenCLParityTests {
  @Test(arguments: ParitySuite.cases())
  func matchesCPUBackend(_ parityCase: ParityCase) throws {
    let backend = try OpenCLUnderTest.backend()
    let result = try parityCase.check(backend, against: try CPUBackend())
    #expect(result.passed, "\(result)")
  }
}
