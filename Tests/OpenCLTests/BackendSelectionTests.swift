// Run-time backend choice from the option, SIGAH_BACKEND, or the default.

import Backend
import OpenCL
import Testing

@Suite struct BackendSelectionTests {
  @Test func optionBeatsEnvironment() throws {
    #expect(try BackendSelector.choice(option: .cpu, environment: ["SIGAH_BACKEND": "opencl"]) == .cpu)
  }

  @Test func environmentIsUsedWithoutOption() throws {
    #expect(try BackendSelector.choice(option: nil, environment: ["SIGAH_BACKEND": "OpenCL"]) == .opencl)
  }

  @Test func defaultIsAuto() throws {
    #expect(try BackendSelector.choice(option: nil, environment: [:]) == .auto)
    #expect(try BackendSelector.choice(option: nil, environment: ["SIGAH_BACKEND": ""]) == .auto)
  }

  @Test func unknownNamesAreRejectedWithTheChoices() {
    #expect(
      throws: BackendError.invalidArgument(
        operation: "SIGAH_BACKEND", message: "unknown backend 'cuda'; expected one of auto, cpu, opencl")
    ) { try BackendSelector.choice(option: nil, environment: ["SIGAH_BACKEND": "cuda"]) }
  }

  /// A device number is never dropped silently: with the CPU it is an error, and one that
  /// names no device is an error rather than a fall-back.
  @Test func aDeviceNumberThatCannotBeUsedIsAnError() throws {
    #expect(throws: BackendError.self) { try BackendSelector.make(.cpu, device: 0) }
    #expect(throws: BackendError.self) { try BackendSelector.make(.auto, device: 99) }
  }

  @Test func cpuIsAlwaysAvailable() throws {
    let selected = try BackendSelector.make(.cpu, threads: 1)
    #expect(selected.backend is CPUBackend)
    #expect(selected.backend.summary.contains("1 threads"))
  }
}
