// The CPU backend against the naive Float64 reference, on every parity case.

import Backend
import Parity
import Testing

@Suite struct CPUBackendParityTests {
  @Test(arguments: ParitySuite.cases())
  func matchesFloat64Reference(_ parityCase: ParityCase) throws {
    let backend = try CPUBackend()
    let result = try parityCase.check(backend)
    #expect(result.passed, "\(result)")
  }
}

extension ParityCase: CustomTestStringConvertible {
  public var testDescription: String { name }
}
