// Ground truth on OpenCL: each block's candidates are chosen on the device, so only they
// are read back, once a query block for all its database blocks, and the ids are the
// CPU's (integer coordinates make exact ties common).

import Backend
import OpenCL
import SiGAH
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct GroundTruthOnDeviceTests {
  @Test func onlyCandidatesCrossTheBusAndTheIdsAreTheCPUs() throws {
    var generator = SeededGenerator(seed: 31)
    let (rows, queryCount, dimension, k) = (3000, 40, 12, 20)
    let database = Matrix(
      rows: rows, columns: dimension, values: (0..<(rows * dimension)).map { _ in Float(Int(generator.next() % 5)) })
    let queries = Matrix(
      rows: queryCount, columns: dimension,
      values: (0..<(queryCount * dimension)).map { _ in Float(Int(generator.next() % 5)) })
    let backend = try OpenCLUnderTest.backend()
    let before = backend.counts
    // Two query blocks and three database blocks, so blocks are merged both ways.
    let device = try GroundTruth.compute(
      queries: queries, database: database, k: k, backend: backend, queryBlock: 32, databaseBlock: 1024)
    let cpu = try GroundTruth.compute(queries: queries, database: database, k: k, backend: try CPUBackend())
    #expect(device == cpu)
    // A pool of k + 16 ids and distances a query a block, 8 bytes each, and at most a
    // slice alignment of padding between blocks' pools.
    let pool = k + 16
    let spent = backend.counts - before
    let read = spent.deviceToHostBytes
    #expect(read >= queryCount * 3 * pool * 8, "read \(read) bytes")
    #expect(read <= queryCount * 3 * pool * 8 + 2 * 2 * 2 * backend.sliceAlignment, "read \(read) bytes")
    #expect(read < queryCount * rows * 4 / 10, "a tenth of the distances")
    // One read of ids and one of distances a query block, not a database block.
    #expect(spent.blockingWaits == 2 * 2, "\(spent)")
  }
}
