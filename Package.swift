// swift-tools-version: 6.0
import Foundation
import PackageDescription

// The CPU loops (Hamming search above all) need hardware POPCNT and gain from AVX2:
// x86-64 builds target Haswell-level processors (2013 on), as every current server does.
#if arch(x86_64)
  let cpuSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
  let cpuSettings: [SwiftSetting] = []
#endif

// `sigah-mpi` is built where Open MPI's headers are (Debian libopenmpi-dev); elsewhere
// the package builds without it, and `sigah` never needs MPI.
let mpiHeaders = [
  "/usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h", "/usr/lib/aarch64-linux-gnu/openmpi/include/mpi.h",
  "/usr/include/mpi.h",
]
let hasMPI = mpiHeaders.contains { FileManager.default.fileExists(atPath: $0) }

let package = Package(
  name: "sigah",
  products: [
    .executable(name: "sigah", targets: ["CLI"]),
    // The readers' fuzz targets (scripts/fuzz.sh builds them with libFuzzer).
    .executable(name: "sigah-fuzz", targets: ["FuzzReaders"]),
    .library(name: "SiGAH", targets: ["SiGAH"]),
    .library(name: "Backend", targets: ["Backend"]),
    // The C API (include/sigah.h) as libsigahc.so, which the Python package loads.
    .library(name: "sigahc", type: .dynamic, targets: ["CAPI"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // MARK: C shims (not API: thin module maps over system libraries)
    .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
    .systemLibrary(name: "COpenCL", path: "Sources/COpenCL"),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

    // The Hamming scan of the CPU search and the multi-index probe (AVX-512 or AVX2,
    // chosen at run time).
    .target(name: "CHamming"),
    // The processor's instruction sets, for choosing OpenBLAS's kernels.
    .target(name: "CCPUFeatures"),

    // MARK: Backends
    // The integer operation codes shared by the Swift enums and the kernels.
    .target(name: "OperationCodes"),
    // The Backend protocol, device buffers, the seeded generator and the OpenBLAS backend.
    .target(
      name: "Backend", dependencies: ["COpenBLAS", "CCPUFeatures", "OperationCodes", "CHamming"],
      swiftSettings: cpuSettings),
    // The OpenCL backend: runtime, one launcher per kernels/*.cl file, the embedded
    // sources, and run-time backend selection.
    .target(
      name: "OpenCL", dependencies: ["Backend", "COpenCL", "OperationCodes"], plugins: ["EmbedKernels"]),
    // Parity cases run on any backend against the CPU one (tests and `sigah check`).
    .target(name: "Parity", dependencies: ["Backend"]),

    // MARK: The method
    .target(name: "SiGAH", dependencies: ["Backend", "CZlib", "CHamming"], swiftSettings: cpuSettings),

    // MARK: The command line
    // The option groups and typed option values that `sigah` and `sigah-mpi` share: the
    // learned methods' options and the one backend policy.
    .target(
      name: "CommandOptions",
      dependencies: ["SiGAH", "Backend", "OpenCL", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    .executableTarget(
      name: "CLI",
      dependencies: [
        "SiGAH", "Backend", "OpenCL", "Parity", "CommandOptions",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: The C API
    // `@_cdecl` entry points over the library, declared in include/sigah.h.
    .target(name: "CAPI", dependencies: ["SiGAH", "Backend", "OpenCL", "CommandOptions"]),

    // MARK: Fuzzing
    // One target per reader; a plain build replays inputs given as arguments.
    .executableTarget(name: "FuzzReaders", dependencies: ["SiGAH", "CommandOptions", "OpenCL"]),

    // MARK: Build tools
    .executableTarget(name: "KernelEmbedder", dependencies: ["OperationCodes"]),
    .plugin(name: "EmbedKernels", capability: .buildTool(), dependencies: ["KernelEmbedder"]),

    // MARK: Tests
    .testTarget(name: "BackendTests", dependencies: ["Backend", "Parity", "CHamming", "CCPUFeatures"]),
    .testTarget(name: "OpenCLTests", dependencies: ["OpenCL", "Backend", "Parity", "SiGAH"]),
    .testTarget(name: "SiGAHTests", dependencies: ["SiGAH", "Backend"]),
    // Runs the built `sigah` binary end to end; depending on CLI makes SwiftPM build it.
    .testTarget(
      name: "CLITests", dependencies: ["CLI", "SiGAH", "Backend", "OpenCL", "CCPUFeatures"] + (hasMPI ? ["MPIRun"] : [])),
  ]
)

if hasMPI {
  package.products.append(.executable(name: "sigah-mpi", targets: ["MPIRun"]))
  package.targets += [
    .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c"),
    // `sigah-mpi`: encode, search and ground truth sharded across MPI ranks.
    .executableTarget(
      name: "MPIRun",
      dependencies: [
        "SiGAH", "Backend", "OpenCL", "CMPI", "CommandOptions",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
  ]
}
