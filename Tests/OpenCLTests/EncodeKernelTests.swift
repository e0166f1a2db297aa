// The fused encoding kernel (kernels/encode.cl) in both of its variants on this device:
// the direct one CPU devices run and the local-memory one GPUs run.

import Backend
import OpenCL
import Parity
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct EncodeKernelTests {
  static func backend(localMemory: Bool) throws -> OpenCLBackend {
    var tuning = OpenCLTuning()
    tuning.gemmVariant = localMemory ? .tiled : .direct
    if localMemory { (tuning.gemmGroupRows, tuning.gemmGroupColumns, tuning.gemmRowsPerItem) = (16, 16, 4) }
    let backend = try OpenCLBackend(tuning: tuning)
    #expect(backend.tuning.encodeInLocalMemory == localMemory)
    return backend
  }

  @Test(arguments: [false, true])
  func matchesTheCPUBackend(localMemory: Bool) throws {
    let backend = try Self.backend(localMemory: localMemory)
    for parityCase in ParitySuite.cases() where parityCase.operation == "projectSignPack" {
      let result = try parityCase.check(backend, against: try CPUBackend())
      #expect(result.passed, "\(localMemory ? "local" : "direct"): \(result)")
    }
  }

  /// Each bit's sum runs over the columns in order whatever the block: a row's code is the
  /// same encoded alone, in a block of 7 from any row, or with all 100 (Gaussian data,
  /// where a change of order would move some sums across 0).
  @Test(arguments: [false, true])
  func aRowsCodeDoesNotDependOnItsBlock(localMemory: Bool) throws {
    let backend = try Self.backend(localMemory: localMemory)
    let (rows, columns, bits) = (100, 93, 130)
    let words = codeWords(bits: bits)
    var generator = SeededGenerator(seed: 170)
    let x = try backend.makeBuffer(generator.gaussians(count: rows * columns))
    let mean = try backend.makeBuffer(generator.gaussians(count: columns))
    let transposed = try backend.makeBuffer(generator.gaussians(count: columns * bits))
    let offset = try backend.makeBuffer(generator.gaussians(count: bits))
    let workspace = SignProjectionWorkspace(
      rows: rows, centred: try backend.makeBuffer(Float.self, count: rows * columns),
      projections: try backend.makeBuffer(Float.self, count: rows * bits),
      codes: try backend.makeBuffer(UInt64.self, count: rows * words),
      identity: try backend.makeBuffer((0..<Int32(rows)).map { $0 }))
    func codes(blockRows: Int) throws -> [UInt64] {
      let codes = try backend.makeBuffer(UInt64.self, count: rows * words)
      for first in stride(from: 0, to: rows, by: blockRows) {
        try backend.projectSignPack(
          x, firstRow: first, rows: min(blockRows, rows - first), columns: columns, subtracting: mean,
          transposedProjection: transposed, offset: offset, bits: bits, into: codes, firstCode: first,
          workspace: workspace)
      }
      return try backend.download(codes)
    }
    let whole = try codes(blockRows: rows)
    #expect(try codes(blockRows: 1) == whole)
    #expect(try codes(blockRows: 7) == whole)
  }
}
