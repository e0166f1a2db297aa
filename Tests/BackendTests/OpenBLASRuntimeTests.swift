// OpenBLAS's core choice and thread ownership (Backend/OpenBLASRuntime).

import Backend
import CCPUFeatures
import Foundation
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

  /// This process loaded OpenBLAS through sigah: its idle threads' timeout is sigah's
  /// unless the environment set one, and the variable is left as it was.
  @Test func theThreadTimeoutIsSigahsUnlessTheEnvironmentSetsOne() {
    let user = ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"].flatMap { Int($0) }
    let timeout = OpenBLASRuntime.threadTimeout
    if let user {
      #expect(timeout?.log2Cycles == min(max(user, 4), 30) && timeout?.chosenBySigah == false)
    } else {
      #expect(timeout?.log2Cycles == Int(SIGAH_OPENBLAS_THREAD_TIMEOUT) && timeout?.chosenBySigah == true)
      #expect(getenv("OPENBLAS_THREAD_TIMEOUT") == nil)
    }
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

  /// Set in the fresh process that `theFirstCallFixesTheCount` runs itself in: "backend" or
  /// "lapack", the first call of that process.
  static let firstCallVariable = "SIGAH_TEST_FIRST_BLAS_CALL"

  /// In a fresh process, the first backend that takes OpenBLAS's own count, or the first
  /// LAPACK call, fixes the count: a later backend asking for another changes nothing, so
  /// two products of one process never run at different counts (their sums would differ).
  @Test(arguments: ["backend", "lapack"])
  func theFirstCallFixesTheCount(firstCall: String) throws {
    if let call = ProcessInfo.processInfo.environment[Self.firstCallVariable] {
      guard call == firstCall else { return }
      let started = OpenBLASRuntime.threadsNow
      if call == "backend" {
        _ = try CPUBackend()
      } else {
        _ = try LinearAlgebra.svd([1, 2, 3, 4], m: 2, n: 2)
      }
      let later = try CPUBackend(threads: started + 1)
      #expect(later.blasThreads == started)
      #expect(later.threads == started + 1)
      return
    }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--testing-library", "swift-testing", "--filter", "theFirstCallFixesTheCount"]
    child.environment = ProcessInfo.processInfo.environment.merging([Self.firstCallVariable: firstCall]) { $1 }
    let output = Pipe()
    (child.standardOutput, child.standardError) = (output, output)
    try child.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    child.waitUntilExit()
    #expect(child.terminationStatus == 0, "\(text)")
    #expect(text.contains("passed"), "\(text)")
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
