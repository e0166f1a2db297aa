// The options every command that computes shares: which backend, which device, threads.

import ArgumentParser
import Backend
import Foundation
import Kernels

struct BackendOptions: ParsableArguments {
  @Option(
    name: .customLong("backend"),
    help: "auto, cpu or opencl (default: $SIGAH_BACKEND, else auto).")
  var backend: String?

  @Option(name: .customLong("device"), help: "OpenCL device number, as `sigah devices` lists them.")
  var device: Int?

  @Option(name: .customLong("threads"), help: "CPU backend threads (default: one per core).")
  var threads: Int?

  func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
    if let device, device < 0 { throw ValidationError("--device must be 0 or more, got \(device).") }
  }

  /// Opens the backend these options name.
  func open() throws -> SelectedBackend {
    let choice = try BackendSelector.choice(option: backend, environment: ProcessInfo.processInfo.environment)
    return try BackendSelector.make(choice, device: device, threads: threads)
  }
}
