// `sigah check`: the parity suite from the built binary, so a GPU box without a Swift
// toolchain can still trust its device.

import ArgumentParser
import Backend
import CommandOptions
import Foundation
import OpenCL
import Parity

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run every backend operation on the chosen device and on the CPU, and compare.",
    discussion: """
      Each operation runs on the same fixed inputs on both backends. Floating-point outputs \
      must agree within the stated relative tolerance; packed codes, Hamming distances and \
      top-k ids must be equal. Exits with status 1 if any case fails.
      """)

  @OptionGroup var backendOptions: BackendOptions

  @Flag(help: "Print every case, not only failures and the per-operation summary.")
  var verbose = false

  func run() throws {
    let selected = try backendOptions.open()
    let oracle = try CPUBackend(threads: backendOptions.threads)
    print("checking \(selected.backend.summary) against \(oracle.summary)")
    var worst: [String: (error: Double, tolerance: Double, passed: Bool, cases: Int)] = [:]
    var order: [String] = []
    var failures = 0
    for parityCase in ParitySuite.cases() {
      let result = try parityCase.check(selected.backend, against: oracle)
      if verbose || !result.passed { print("  \(result)") }
      if !result.passed { failures += 1 }
      if worst[result.operation] == nil { order.append(result.operation) }
      let previous = worst[result.operation] ?? (0, result.tolerance, true, 0)
      worst[result.operation] = (
        max(previous.error, result.error), result.tolerance, previous.passed && result.passed,
        previous.cases + 1
      )
    }
    for operation in order {
      let entry = worst[operation]!
      let bound = entry.tolerance == 0 ? "exact" : "≤ \(entry.tolerance)"
      let name = operation.padding(toLength: 28, withPad: " ", startingAt: 0)
      print("\(entry.passed ? "pass" : "FAIL")  \(name) \(entry.cases) cases, largest error \(entry.error) (\(bound))")
    }
    if failures > 0 {
      print("\(failures) case(s) failed")
      throw ExitCode(1)
    }
    print("all \(ParitySuite.cases().count) cases passed")
  }
}
