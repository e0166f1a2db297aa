// Per-shape GEMM settings: a tuning's setting for one shape is used for exactly that
// shape and its transposes, gives the same products as the default on the parity cases,
// and tuning caches written before per-shape settings still load.

import Backend
import Foundation
import OpenCL
import Parity
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct GemmShapeTuningTests {
  static let tiled = GemmSetting(
    variant: .tiled, rowsPerItem: 2, vectorWidth: 4, vectorsPerItem: 1, groupRows: 4, groupColumns: 8, sliceK: 8)

  /// A tuning whose only per-shape setting is the tiled one, at `shape`.
  static func tuning(with setting: GemmSetting, at shape: GemmShape) -> OpenCLTuning {
    var tuning = OpenCLTuning()
    tuning.gemmShapes = [GemmShapeSetting(shape: shape, setting: setting, gflops: 1, defaultGflops: 1)]
    return tuning
  }

  @Test func aShapesOwnSettingRunsExactlyThatShapeAndTransposes() throws {
    let shape = GemmShape(m: 7, n: 93, k: 64, transposeA: false, transposeB: true)
    let backend = try OpenCLBackend(tuning: Self.tuning(with: Self.tiled, at: shape))
    #expect(backend.gemmSetting(for: shape) == Self.tiled)
    #expect(backend.gemmSetting(for: GemmShape(m: 7, n: 93, k: 64)) == OpenCLTuning().gemm)
    #expect(backend.gemmSetting(for: GemmShape(m: 7, n: 93, k: 64, transposeA: true, transposeB: true)) != Self.tiled)
    // The profile names the launch; the parity cases at that shape (and every other) hold.
    for parityCase in ParitySuite.gemmCases() + ParitySuite.fusedGemmCases() {
      let result = try parityCase.check(backend, against: try CPUBackend())
      #expect(result.passed, "\(result)")
    }
  }

  @Test func everyTunedShapeIsChecked() {
    var broken = Self.tiled
    broken.vectorWidth = 3
    let shape = GemmShape(m: 500, n: 64, k: 784, transposeA: false, transposeB: true)
    #expect {
      try OpenCLBackend(tuning: Self.tuning(with: broken, at: shape))
    } throws: { error in
      "\(error)".contains("500×64·784 NT") && "\(error)".contains("vector width 3")
    }
  }

  @Test func aCacheWithoutShapeSettingsStillLoadsAndShapesRoundTrip() throws {
    var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(OpenCLTuning())) as! [String: Any]
    old["gemmShapes"] = nil
    let decoded = try JSONDecoder().decode(OpenCLTuning.self, from: JSONSerialization.data(withJSONObject: old))
    #expect(decoded == OpenCLTuning() && decoded.gemmShapes == nil)
    let tuned = Self.tuning(with: Self.tiled, at: GemmShape(m: 1000, n: 50, k: 784, transposeA: true))
    #expect(try JSONDecoder().decode(OpenCLTuning.self, from: JSONEncoder().encode(tuned)) == tuned)
  }

  /// Split-K at every shape of the GEMM parity cases (both transposes, every epilogue, the
  /// row sums, k = 1 where slices are empty): the same products as the CPU, two launches a
  /// product, and the same bits on a second run.
  @Test(arguments: [
    GemmSetting(
      variant: .direct, rowsPerItem: 8, vectorWidth: 8, vectorsPerItem: 1, groupRows: 1, groupColumns: 1, sliceK: 16,
      splitK: 3),
    GemmSetting(
      variant: .tiled, rowsPerItem: 2, vectorWidth: 4, vectorsPerItem: 1, groupRows: 4, groupColumns: 8, sliceK: 8,
      splitK: 4),
  ])
  func splitKGivesTheSameProductsInTwoLaunches(_ split: GemmSetting) throws {
    var tuning = OpenCLTuning()
    tuning.gemmShapes = ParitySuite.gemmCaseShapes.map {
      GemmShapeSetting(shape: $0, setting: split, gflops: 1, defaultGflops: 1)
    }
    let backend = try OpenCLBackend(tuning: tuning)
    for parityCase in ParitySuite.gemmCases() + ParitySuite.fusedGemmCases() {
      let result = try parityCase.check(backend, against: try CPUBackend())
      #expect(result.passed, "\(split): \(result)")
    }
    let case64 = try #require(ParitySuite.fusedGemmCases().first { $0.shape.hasPrefix("64×50·257 Aᵀ, none") })
    let before = backend.counts.launches
    let (first, second) = (try case64.run(backend), try case64.run(backend))
    #expect(first == second)
    #expect(backend.counts.launches - before == 4)
  }
}
