// Bad calls on the CPU backend throw the typed error that says what was expected.

import Backend
import Parity
import Testing

/// A backend whose buffers no real backend accepts.
final class ForeignStorage {}

func foreignBuffer() -> DeviceBuffer<Float> { DeviceBuffer(count: 8, storage: ForeignStorage()) }

@Suite struct CPUBackendMisuseTests {
  @Test(arguments: MisuseSuite.cases())
  func rejects(_ misuse: MisuseCase) throws {
    let backend = try CPUBackend()
    #expect(throws: misuse.expected) { try misuse.call(backend, foreignBuffer()) }
  }

  @Test func errorsReadAsSentences() {
    let error = BackendError.bufferTooSmall(operation: "gemm", argument: "B", needed: 6, actual: 5)
    #expect(error.description == "gemm: buffer 'B' holds 5 elements but the shape given needs at least 6")
  }

  @Test func rejectsZeroThreads() {
    #expect(throws: BackendError.invalidArgument(operation: "CPUBackend", message: "threads must be at least 1, got 0"))
    {
      try CPUBackend(threads: 0)
    }
  }

  @Test func shorterShapesReuseLongerBuffers() throws {
    // The trainer's last short batch reuses full-batch buffers: only the shape's elements change.
    let backend = try CPUBackend()
    let m = try backend.makeBuffer([1, 2, 3, 4, 5, 6] as [Float])
    try backend.addRowVector(try backend.makeBuffer([10, 20] as [Float]), to: m, rows: 2, columns: 2)
    #expect(try backend.download(m) == [11, 22, 13, 24, 5, 6])
  }
}

extension MisuseCase: CustomTestStringConvertible {
  public var testDescription: String { name }
}
