// Validation on OpenCL: the same mAP as the CPU backend, and per measurement only the hash
// function goes up, one number a query comes back, after one wait.

import Backend
import OpenCL
import SiGAH
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct ValidationCountsTests {
  @Test func validationStaysOnTheDevice() throws {
    var generator = SeededGenerator(seed: 41)
    let (rows, dimension, bits, queries) = (900, 24, 16, 60)
    let data = Matrix(rows: rows, columns: dimension, values: generator.gaussians(count: rows * dimension))
    let hash = LinearBaselines.lsh(data, bits: bits, seed: 4)
    let cpu = try ValidationSplit(training: data, size: queries, k: 40, seed: 2, backend: try CPUBackend())
    let backend = try OpenCLUnderTest.backend()
    let validation = try ValidationSplit(training: data, size: queries, k: 40, seed: 2, backend: backend)
    let expected = try cpu.meanAveragePrecision(hash)
    let first = try validation.meanAveragePrecision(hash)
    #expect(abs(first - expected) < 1e-5, "OpenCL \(first), CPU \(expected)")

    let before = backend.counts
    let second = try validation.meanAveragePrecision(hash)
    let after = backend.counts
    #expect(second == first)
    #expect(after.blockingWaits - before.blockingWaits == 1)
    #expect(after.deviceToHostBytes - before.deviceToHostBytes == queries * 4)
    #expect(after.hostToDeviceBytes - before.hostToDeviceBytes == (bits * dimension + dimension + bits) * 4)
  }
}
