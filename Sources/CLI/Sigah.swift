// The `sigah` command: learns binary codes with SiGAH and searches them by Hamming distance.

import ArgumentParser

@main
struct Sigah: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sigah",
    abstract: "Learn compact binary codes with SiGAH and search them by Hamming distance.",
    discussion: """
      Training and search run on an OpenCL device or on the CPU (OpenBLAS). The backend is \
      chosen with --backend auto|cpu|opencl or the SIGAH_BACKEND environment variable; auto \
      takes an OpenCL GPU when there is one and otherwise the CPU.
      """,
    subcommands: [
      Demo.self, Train.self, Encode.self, Search.self, GroundTruthCommand.self, Eval.self, Devices.self, Check.self,
      Bench.self, Tune.self, AblationCommand.self,
    ])
}
