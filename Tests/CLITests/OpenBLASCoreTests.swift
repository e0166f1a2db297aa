// The OpenBLAS core that `sigah` runs: OpenBLAS's detection where it fits the processor,
// the core of the processor's instruction sets where it falls short (emulated here the way
// a VM that hides its model makes OpenBLAS 0.3.21 fall back to SSE3 "Prescott"), and the
// user's OPENBLAS_CORETYPE always.

import Backend
import CCPUFeatures
import Foundation
import Testing

@Suite struct OpenBLASCoreTests {
  static func coreLine(_ environment: [String: String]) throws -> String {
    let run = try SigahBinary.run(["devices"], environment: environment)
    #expect(run.status == 0, "\(run.stderr)")
    return run.stdout.split(separator: "\n").first { $0.contains("OpenBLAS core:") }.map(String.init) ?? ""
  }

  @Test func aFallbackToPrescottIsReplacedByTheProcessorsCore() throws {
    let line = try Self.coreLine([OpenBLASRuntime.emulatedDetectionVariable: "Prescott", "OPENBLAS_CORETYPE": ""])
    guard let fit = OpenBLASCore.fitting(features: sigah_cpu_features()) else {
      #expect(line.contains("Prescott (detected by OpenBLAS)"), "\(line)")
      return
    }
    #expect(
      line.contains("\(fit.name) (chosen by sigah: OpenBLAS detected Prescott, the CPU has \(fit.level))"), "\(line)")
    // The chosen kernels train and encode.
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model = folder.appendingPathComponent("m.safetensors").path
    let data = repositoryRoot.appendingPathComponent("Tests/FuzzSeeds/fvecs").path
    let seed = try FileManager.default.contentsOfDirectory(atPath: data).sorted().first!
    let run = try SigahBinary.run(
      ["train", "\(data)/\(seed)", "--method", "itq", "--bits", "4", "--out", model, "--backend", "cpu", "-q"],
      environment: [OpenBLASRuntime.emulatedDetectionVariable: "Prescott"])
    #expect(run.status == 0, "\(run.stderr)")
  }

  /// OpenBLAS's idle threads sleep after 2^16 cycles of spinning unless the user says
  /// otherwise (cpu_features.c).
  @Test func theThreadTimeoutIsShortUnlessTheUserSetsIt() throws {
    func timeoutLine(_ environment: [String: String]) throws -> String {
      let run = try SigahBinary.run(["devices"], environment: environment)
      #expect(run.status == 0, "\(run.stderr)")
      return run.stdout.split(separator: "\n").first { $0.contains("before they sleep") }.map(String.init) ?? ""
    }
    let chosen = try timeoutLine(["OPENBLAS_THREAD_TIMEOUT": ""])
    #expect(
      chosen.contains("spin 2^\(SIGAH_OPENBLAS_THREAD_TIMEOUT) cycles") && chosen.contains("chosen by sigah"),
      "\(chosen)")
    let users = try timeoutLine(["OPENBLAS_THREAD_TIMEOUT": "20"])
    #expect(users.contains("spin 2^20 cycles") && !users.contains("chosen by sigah"), "\(users)")
  }

  @Test func theUsersCoreTypeWins() throws {
    let line = try Self.coreLine([OpenBLASRuntime.emulatedDetectionVariable: "", "OPENBLAS_CORETYPE": "Prescott"])
    #expect(line.contains("Prescott (set by OPENBLAS_CORETYPE)"), "\(line)")
  }
}
