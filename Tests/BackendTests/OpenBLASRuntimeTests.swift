// OpenBLAS's core choice and thread ownership (Backend/OpenBLASRuntime).

import Backend
import CCPUFeatures
import Testing

@Suite struct OpenBLASRuntimeTests {
  static let avx512 = Int32(SIGAH_CPU_AVX | SIGAH_CPU_AVX2_FMA | SIGAH_CPU_AVX512 | SIGAH_CPU_VENDOR_INTEL)
  static let avx2AMD = Int32(SIGAH_CPU_AVX | SIGAH_CPU_AVX2_FMA | SIGAH_CPU_VENDOR_AMD)

  @Test func aGenericFallbackGetsTheCoreOfTheFlags() {
    // The KVM Xeon that hides its model: OpenBLAS 0.3.21 falls back to Prescott.
    #expect(OpenBLASCore.wanted(detected: "Prescott", features: Self.avx512, environment: nil) == "SkylakeX")
    let bf16 = Self.avx512 | Int32(SIGAH_CPU_AVX512_BF16)
    #expect(OpenBLASCore.wanted(detected: "Prescott", features: bf16, environment: nil) == "Cooperlake")
    #expect(OpenBLASCore.wanted(detected: "Prescott", features: Self.avx2AMD, environment: nil) == "Zen")
    let avx2Intel = Int32(SIGAH_CPU_AVX | SIGAH_CPU_AVX2_FMA | SIGAH_CPU_VENDOR_INTEL)
    #expect(OpenBLASCore.wanted(detected: "Nehalem", features: avx2Intel, environment: nil) == "Haswell")
    // A Zen 4 that OpenBLAS takes for a Zen runs AVX2 kernels on an AVX-512 processor.
    #expect(OpenBLASCore.wanted(detected: "Zen", features: Self.avx512, environment: nil) == "SkylakeX")
  }

  @Test func aFittingDetectionOrTheUsersSettingStands() {
    #expect(OpenBLASCore.wanted(detected: "SkylakeX", features: Self.avx512, environment: nil) == nil)
    #expect(OpenBLASCore.wanted(detected: "Cooperlake", features: Self.avx512, environment: nil) == nil)
    #expect(OpenBLASCore.wanted(detected: "Haswell", features: Self.avx2AMD, environment: nil) == nil)
    #expect(OpenBLASCore.wanted(detected: "Prescott", features: Self.avx512, environment: "Prescott") == nil)
    // Nothing beyond SSE: nothing better to choose.
    #expect(OpenBLASCore.wanted(detected: "Prescott", features: 0, environment: nil) == nil)
  }

  @Test func theCoreInEffectFitsThisProcessor() {
    let core = OpenBLASRuntime.core
    guard core.origin != .environment, let fit = OpenBLASCore.fitting(features: sigah_cpu_features()) else { return }
    #expect(
      OpenBLASCore.level(of: core.name) >= fit.level,
      "\(core.description) on a processor with \(fit.level)")
  }

  @Test func reductionsAreTheSameAtEveryThreadCount() throws {
    var generator = SeededGenerator(seed: 11)
    let count = 1_000_003
    let values = generator.gaussians(count: count)
    var sums: [[Float]] = []
    for threads in [1, 2, 3, 8] {
      let backend = try CPUBackend(threads: threads)
      let input = try backend.makeBuffer(values)
      let out = try backend.makeBuffer(Float.self, count: 1)
      var results: [Float] = []
      for reduction in [RowReduction.sum, .sumOfSquares, .sumOfAbsoluteValues] {
        try backend.reduceRows(input, rows: 1, columns: count, reduction, into: out)
        results += try backend.download(out)
      }
      sums.append(results)
    }
    for other in sums.dropFirst() { #expect(other.map(\.bitPattern) == sums[0].map(\.bitPattern)) }
  }

  @Test func aLaterThreadRequestLeavesOpenBLASAlone() throws {
    let first = try CPUBackend(threads: 2)
    let second = try CPUBackend(threads: 1)
    #expect(second.threads == 1)
    #expect(first.blasThreads == second.blasThreads)
  }

  /// LAPACK answers workspace queries as a Float, which rounds 1 + 6n + 2n² below itself
  /// for n = 2,900 (16,837,401 → 16,837,400): the eigen-decomposition must still run.
  @Test func eigenDecompositionPastTheFloatWorkspaceLimit() throws {
    let n = 2_900
    var matrix = [Float](repeating: 0, count: n * n)
    for i in 0..<n { matrix[i * n + i] = Float(i % 7 + 1) }
    matrix[1] = 0.5
    matrix[n] = 0.5
    let (values, _) = try LinearAlgebra.symmetricEigen(matrix, n: n)
    #expect(values.count == n)
    #expect(abs(values[n - 1] - 7) < 1e-3)
  }
}
