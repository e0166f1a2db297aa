// `sigah bench`: device versus host throughput, on the same data and seed in one run.

import ArgumentParser
import Backend
import CommandOptions
import Foundation
import OpenCL
import SiGAH

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure GEMM, training, encoding, search and ground-truth throughput on each backend.",
    discussion: """
      Runs on the CPU backend and on every OpenCL device (or only those named with \
      --backend/--device), with the same seeded data: GEMM GFLOP/s at the model's shapes \
      (500×1568·784, 500×64·784, 500×500·784), with CLBlast's SGEMM beside it on OpenCL \
      devices when libclblast is installed; operations, kernel launches, blocking waits and \
      host↔device bytes of one steady-state training step of sigah and sigah-dm, and on \
      OpenCL devices each kernel's device time in that step with the step's span, from \
      profiling events (idle span is launch overhead); SiGAH training samples/s at batch sizes \
      100–1000 and its achieved GFLOP/s as a fraction of the GEMM rate; every GEMM shape of a \
      SiGAH step timed alone (beside CLBlast's on OpenCL devices) and the training rate as a \
      fraction of the rate those products alone would allow; on OpenCL devices, training \
      with a step's graph term on a second queue and in order; encoding vectors/s (a \
      linear hash, its uint8 input, and SiGAH-DM's hash with its ranking residual); \
      Hamming top-100 queries/s over 10k, 100k and 1M random 64-bit codes, and radius-2 \
      queries/s over the largest (beside a multi-index hash's on the host); exact \
      ground-truth queries/s; training samples/s of hashgan, gmans, sgh and ba (an epoch's \
      whole cost, from runs of 1 and 1 + runs epochs). Warm-up runs are excluded; medians are quoted.
      """)

  @Flag(help: "Smaller sizes: seconds instead of minutes.") var quick = false
  @Flag(help: "Print the results as JSON.") var json = false
  @Option(help: "Timed runs of each measurement.") var runs: Int?
  @Option(help: "Only this backend (auto: the one auto chooses; default: the CPU and every OpenCL device).")
  var backend: BackendChoice?
  @Option(help: "Only this OpenCL device.") var device: Int?
  @Option(help: "CPU backend threads.") var threads: Int?
  @Option(
    help: "Measure ground truth on this data file (e.g. MNIST's 60,000 training images) instead of random vectors.")
  var groundtruthData: String?
  @Option(help: "Queries of the ground-truth measurement (the first rows of the data).") var groundtruthQueries: Int?
  @OptionGroup var output: OutputOptions

  func run() throws {
    var settings = quick ? BenchSettings.quick : BenchSettings()
    if let runs { settings.runs = max(runs, 1) }
    if let groundtruthData { settings.groundTruthData = try Dataset.load(groundtruthData).vectors }
    if let groundtruthQueries { settings.groundTruthQueries = max(groundtruthQueries, 1) }
    let console = Console(quiet: output.quiet || json)
    var backends: [any Backend] = []
    if backend == .auto { backends.append(try BackendSelector.make(.auto, device: device, threads: threads).backend) }
    if backend == nil || backend == .cpu { backends.append(try CPUBackend(threads: threads)) }
    if backend == nil || backend == .opencl {
      let devices: [OpenCLDeviceInfo]
      do {
        devices = try OpenCLDevices.all()
      } catch {
        // Asked for OpenCL, a driver error is the answer; otherwise the CPU is measured alone.
        if backend == .opencl { throw error }
        console.line("skipping OpenCL: \(error)")
        devices = []
      }
      for info in devices where device == nil || info.index == device {
        do {
          backends.append(try OpenCLBackend(deviceIndex: info.index))
        } catch {
          console.line("skipping OpenCL device \(info.index): \(error)")
        }
      }
      if backend == .opencl && backends.isEmpty { throw CLIError("no OpenCL device could be opened") }
    }
    var results: [BackendBench] = []
    let clblast = CLBlastReference.load()
    for backend in backends {
      console.line("== \(backend.summary)")
      if backend is CPUBackend { console.line("  OpenBLAS core: \(OpenBLASRuntime.core.description)") }
      var result = try Throughput.run(on: backend, settings: settings) { console.line("  " + $0) }
      if let clblast, let device = backend as? OpenCLBackend {
        result.clblastGemm = try Throughput.gemmRates(on: device, settings: settings) { a, b, c, shape in
          try clblast.gemm(
            on: device, a, transposeA: false, b, transposeB: false, into: c, m: shape.m, n: shape.n, k: shape.k,
            alpha: 1, beta: 0)
        }
        for gemm in result.clblastGemm! {
          console.line(
            String(format: "  CLBlast gemm %d×%d·%d: %.1f GFLOP/s (median)", gemm.m, gemm.n, gemm.k, gemm.gflops.median)
          )
        }
        if let shapes = result.stepGemms?.map(\.shape) {
          let rates = try Throughput.shapeRates(shapes, on: device, settings: settings) { a, b, c, shape in
            try clblast.gemm(
              on: device, a, transposeA: shape.transposeA, b, transposeB: shape.transposeB, into: c, m: shape.m,
              n: shape.n, k: shape.k, alpha: 1, beta: 0)
          }
          for (index, rate) in rates.enumerated() {
            result.stepGemms?[index].clblastGflops = rate
            console.line(
              String(format: "  CLBlast step gemm %@: %.1f GFLOP/s (median)", shapes[index].description, rate.median))
          }
        }
      }
      if let device = backend as? OpenCLBackend {
        result.stepGemms = result.stepGemms?.map { gemm in
          var gemm = gemm
          gemm.setting = device.gemmSetting(for: gemm.shape).description
          return gemm
        }
        result.sideQueueTraining = try sideQueueTraining(on: device, settings: settings)
        for (name, rate) in result.sideQueueTraining!.sorted(by: { $0.key < $1.key }) {
          console.line(String(format: "  training %@, batch 500: %.0f samples/s", name, rate.median))
        }
        result.stepProfiles = try stepProfiles(on: device, settings: settings)
        for (method, profile) in result.stepProfiles!.sorted(by: { $0.key < $1.key }) {
          console.line(
            String(
              format: "  %@ step: %.0f µs of kernels, the device busy %.0f µs of a %.0f µs span", method,
              profile.busySeconds * 1e6, profile.occupiedSeconds * 1e6, profile.spanSeconds * 1e6))
        }
      }
      results.append(result)
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      print(String(decoding: try encoder.encode(results), as: UTF8.self))
      return
    }
    print(table(results, settings: settings))
    for result in results {
      for (method, profile) in (result.stepProfiles ?? [:]).sorted(by: { $0.key < $1.key }) {
        print("\n" + profileTable(profile, title: "\(method) step (batch 500) on \(result.backend)"))
      }
    }
  }

  /// SiGAH and SiGAH-DM at batch 500 on two backends of the device that differ only in
  /// whether the graph term runs on the side queue, in turn: whether it pays here.
  func sideQueueTraining(on device: OpenCLBackend, settings: BenchSettings) throws -> [String: Rate] {
    let backends: [(name: String, backend: any Backend)] = try OpenCLBackend.withAndWithoutSideQueue(
      deviceIndex: device.device.index, tuning: device.tuning
    ).map { ($0.sideQueue ? "side queue" : "in order", $0.backend) }
    return try Throughput.stepMethodRates(on: backends, settings: settings, seed: 29)
  }

  /// Each kernel's device time in one step of sigah and sigah-dm, on a queue of its own
  /// that records profiling events (the timed runs above use one that does not).
  func stepProfiles(on device: OpenCLBackend, settings: BenchSettings) throws -> [String: KernelProfile] {
    let profiled = try OpenCLBackend(deviceIndex: device.device.index, tuning: device.tuning, profiling: true)
    var generator = SeededGenerator(seed: settings.seed)
    let data = Throughput.stepData(settings: settings, generator: &generator)
    var profiles: [String: KernelProfile] = [:]
    for configuration in Throughput.stepConfigurations(settings: settings) {
      try StepCounts.observeStep(
        configuration: configuration, data: data, backend: profiled, begin: { try profiled.startProfile() },
        end: { profiles[configuration.method.rawValue] = try profiled.stopProfile() })
    }
    return profiles
  }

  func profileTable(_ profile: KernelProfile, title: String) -> String {
    var lines = [
      "| \(title): kernel | launches | µs | share of span |", "| --- | ---: | ---: | ---: |",
    ]
    for kernel in profile.kernels {
      lines.append(
        String(
          format: "| %@ | %d | %.1f | %.1f %% |", kernel.kernel, kernel.launches, kernel.seconds * 1e6,
          100 * kernel.seconds / max(profile.spanSeconds, 1e-12)))
    }
    if profile.busySeconds > profile.occupiedSeconds * (1 + 1e-9) {
      lines.append(
        String(
          format: "| kernel time beside other kernels (side queue) | | %.1f | |",
          (profile.busySeconds - profile.occupiedSeconds) * 1e6))
    }
    lines.append(
      String(
        format: "| idle between kernels | | %.1f | %.1f %% |", (profile.spanSeconds - profile.occupiedSeconds) * 1e6,
        100 * (1 - profile.occupiedSeconds / max(profile.spanSeconds, 1e-12))))
    return lines.joined(separator: "\n")
  }

  func table(_ results: [BackendBench], settings: BenchSettings) -> String {
    var lines = [
      "| measurement | " + results.map(\.backend).joined(separator: " | ") + " |",
      "| --- |" + String(repeating: " ---: |", count: results.count),
    ]
    func row(_ name: String, _ value: (BackendBench) -> String) {
      lines.append("| \(name) | " + results.map(value).joined(separator: " | ") + " |")
    }
    for (index, shape) in settings.gemmShapes.enumerated() {
      row("GEMM \(shape.m)×\(shape.n)·\(shape.k), GFLOP/s") { String(format: "%.1f", $0.gemm[index].gflops.median) }
    }
    if results.contains(where: { $0.clblastGemm != nil }) {
      for (index, shape) in settings.gemmShapes.enumerated() {
        row("CLBlast GEMM \(shape.m)×\(shape.n)·\(shape.k), GFLOP/s (ours ÷ CLBlast)") { result in
          guard let clblast = result.clblastGemm?[index].gflops.median else { return "–" }
          return String(format: "%.1f (%.2f×)", clblast, result.gemm[index].gflops.median / clblast)
        }
      }
    }
    for batch in settings.batchSizes {
      row("training, batch \(batch), samples/s") { String(format: "%.0f", $0.training["\(batch)"]!.median) }
    }
    for method in ["hashgan", "gmans", "sgh", "ba"] {
      row("training \(method), samples/s") { result in
        result.methodTraining?[method].map { String(format: "%.0f", $0.median) } ?? "–"
      }
    }
    row("training GFLOP/s (fraction of GEMM)") {
      String(format: "%.1f (%.0f %%)", $0.trainingGflops, 100 * $0.trainingFractionOfGemm)
    }
    row("training ÷ largest GEMM in pairs, median (min–max)") { result in
      guard let fractions = result.pairedTrainingFractionsOfGemm, !fractions.isEmpty else { return "–" }
      return String(
        format: "%.1f %% (%.1f–%.1f)", 100 * fractions[fractions.count / 2], 100 * fractions.first!,
        100 * fractions.last!)
    }
    let stepShapes = Array(Set(results.flatMap { $0.stepGemms?.map(\.shape) ?? [] })).sorted()
    for shape in stepShapes {
      let withCLBlast = results.contains {
        $0.stepGemms?.contains { $0.shape == shape && $0.clblastGflops != nil } ?? false
      }
      row("sigah step GEMM \(shape), GFLOP/s" + (withCLBlast ? " (CLBlast; ours ÷ CLBlast)" : "")) { result in
        guard let gemm = result.stepGemms?.first(where: { $0.shape == shape }) else { return "–" }
        let ours = String(format: "×%d: %.1f", gemm.perStep, gemm.gflops.median)
        let setting = gemm.setting.map { " [\($0)]" } ?? ""
        guard let clblast = gemm.clblastGflops?.median else { return ours + setting }
        return ours + String(format: " (%.1f; %.2f×)", clblast, gemm.gflops.median / clblast) + setting
      }
    }
    row("training at batch 500 ÷ its step's GEMMs alone (GEMM-bound samples/s)") { result in
      guard let bound = result.stepGemmBoundSamplesPerSecond, let fraction = result.trainingFractionOfStepGemms else {
        return "–"
      }
      return String(format: "%.0f %% (%.0f)", 100 * fraction, bound)
    }
    for method in ["sigah", "sigah-dm"] {
      row("\(method) step (batch 500): launches / waits / bytes in / bytes out") {
        guard let counts = $0.stepCounts[method] else { return "–" }
        return
          "\(counts.launches) / \(counts.blockingWaits) / \(counts.hostToDeviceBytes) / \(counts.deviceToHostBytes)"
      }
    }
    row("encoding, vectors/s") { String(format: "%.0f", $0.encodingVectorsPerSecond.median) }
    row("encoding input GB/s ÷ a plain upload's GB/s") { result in
      guard let upload = result.uploadBytesPerSecond, let fraction = result.encodingFractionOfUpload else { return "–" }
      return String(format: "%.0f %% of %.2f", 100 * fraction, upload.median / 1e9)
    }
    row("encoding uint8 vectors (kept encoder), vectors/s; input ÷ a plain upload") { result in
      guard let rate = result.byteEncodingVectorsPerSecond, let fraction = result.byteEncodingFractionOfUpload else {
        return "–"
      }
      return String(format: "%.0f; %.0f %%", rate.median, 100 * fraction)
    }
    row("encoding, SiGAH-DM's hash with its ranking residual (an MLP), vectors/s") { result in
      result.mlpEncodingVectorsPerSecond.map { String(format: "%.0f", $0.median) } ?? "–"
    }
    for size in settings.searchDatabase {
      row("top-\(settings.searchK) in \(size) codes, queries/s") {
        String(format: "%.0f", $0.search["\(size)"]!.median)
      }
    }
    row("code comparisons/s (largest database)") { String(format: "%.2e", $0.comparisonsPerSecond) }
    row("within radius 2 of \(settings.searchDatabase.max()!) codes, queries/s; a host multi-index's") { result in
      guard let scan = result.radiusSearchQueriesPerSecond, let index = result.multiIndexRadiusQueriesPerSecond else {
        return "–"
      }
      return String(format: "%.0f; %.0f", scan.median, index.median)
    }
    row(
      "ground truth, queries/s (\(results.first.map { "\($0.groundTruthShape[0])×\($0.groundTruthShape[1])" } ?? ""))"
    ) {
      String(format: "%.0f", $0.groundTruthQueriesPerSecond.median)
    }
    row("ground truth GFLOP/s (fraction of GEMM)") {
      String(format: "%.1f (%.0f %%)", $0.groundTruthGflops, 100 * $0.groundTruthFractionOfGemm)
    }
    return lines.joined(separator: "\n")
  }
}
