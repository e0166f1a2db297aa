// The options every command that computes shares, in both executables: which backend,
// which device, how many threads. One policy: the option, else SIGAH_BACKEND, else auto;
// auto takes an OpenCL GPU and otherwise the CPU (BackendSelector says which and why).

import ArgumentParser
import Backend
import Foundation
import OpenCL
import SiGAH

public struct BackendOptions: ParsableArguments {
  public init() {}

  @Option(
    name: .customLong("backend"),
    help: "The backend (default: $\(BackendSelector.environmentVariable), else auto, which takes an OpenCL GPU if any)."
  )
  public var backend: BackendChoice?

  @Option(name: .customLong("device"), help: "OpenCL device number, as `sigah devices` lists them.")
  public var device: Int?

  @Option(name: .customLong("threads"), help: "CPU backend threads (default: one per core).")
  public var threads: Int?

  public func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
    if let device, device < 0 { throw ValidationError("--device must be 0 or more, got \(device).") }
  }

  /// The choice these options and the environment make.
  public func choice() throws -> BackendChoice {
    try BackendSelector.choice(option: backend, environment: ProcessInfo.processInfo.environment)
  }

  /// Opens the backend these options name.
  public func open() throws -> SelectedBackend {
    let choice = try choice()
    // An OpenCL driver may take signals for itself when it loads (PoCL catches SIGUSR1 and
    // SIGXFSZ and goes on): a terminating signal must still remove the partial files.
    defer { TemporaryFiles.removeOnSignals() }
    return try BackendSelector.make(choice, device: device, threads: threads)
  }

  /// Opens the backend of one MPI rank: the machine's cores shared between its `ranks`
  /// ranks on the CPU, or the OpenCL device that the rank's place on its machine names.
  public func open(localRank: Int, ranksOnMachine ranks: Int) throws -> SelectedBackend {
    let choice = try choice()
    defer { TemporaryFiles.removeOnSignals() }
    return try BackendSelector.make(
      choice, device: device, threads: threads, localRank: localRank, ranksOnMachine: ranks)
  }
}
