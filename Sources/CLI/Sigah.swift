// The `sigah` command: learns binary codes with SiGAH and searches them by Hamming distance.

import ArgumentParser
import Backend
import Foundation
import SiGAH

@main
struct Sigah: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sigah",
    abstract: "Learn compact binary codes with SiGAH and search them by Hamming distance.",
    discussion: """
      Training and search run on an OpenCL device or on the CPU (OpenBLAS). The backend is \
      chosen with --backend auto|cpu|opencl or the SIGAH_BACKEND environment variable; auto \
      takes an OpenCL GPU when there is one and otherwise the CPU.

      Across processes or machines: `mpirun -np N sigah-mpi train|encode|search|groundtruth …` \
      shares the rows out between N ranks and writes the files one process writes; train \
      runs data-parallel (sigah-mpi is built where Open MPI is installed: Debian's \
      libopenmpi-dev).
      """,
    version: "sigah \(ModelFile.toolVersion) (model format \(ModelFile.formatVersion))",
    subcommands: [
      Demo.self, Train.self, Encode.self, Search.self, GroundTruthCommand.self, Eval.self, Devices.self, Check.self,
      Bench.self, Tune.self, AblationCommand.self, IndexCommand.self,
    ])

  /// Runs the command; output that could not be written (a full disk, a closed pipe) is an
  /// error with a non-zero exit, not a silent success.
  static func main() {
    // OpenBLAS's kernels are settled before any command runs a BLAS call.
    _ = OpenBLASRuntime.core
    TemporaryFiles.removeOnSignals()
    atexit {
      // fflush(nil) flushes every stream (naming `stdout` itself is not concurrency-safe):
      // a stream whose last write failed, or fails now, makes it return EOF.
      if fflush(nil) != 0 {
        let message = "Error: standard output: the write failed (\(String(cString: strerror(errno))))\n"
        _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        _exit(1)
      }
    }
    main(nil)
  }
}
