// `sigah tune`: times a grid of kernel parameters on one OpenCL device at the model's
// shapes, keeps the fastest setting that passes the parity cases, and caches it for the
// device and driver (CLBlast's tuner, for our kernels).

import ArgumentParser
import Backend
import Foundation
import OpenCL
import Parity
import SiGAH

struct Tune: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Choose the OpenCL kernels' tile sizes and vector widths for a device, and cache them.",
    discussion: """
      Times each GEMM setting of a grid (both variants: direct and local-memory tiles; rows \
      per work-item, vector widths, work-group shapes, k-slices) at the model's shapes \
      500×1568·784, 500×64·784 and 500×500·784, the Hamming top-k work-group size on \
      100,000 codes, and the column-sum work-group (bias gradients) at 500×1568 and 500×64. \
      Then every distinct product shape of a SiGAH and a SiGAH-DM step (batch 500, MNIST's \
      784 dimensions, 64 bits; transposed operands included) is timed at each setting that \
      passed, beside CLBlast, and the fastest is recorded for that shape: a training run \
      uses it for exactly that shape and transposes. Last, SiGAH and SiGAH-DM are trained \
      with a step's graph term on a second queue and in order, and the faster is kept. \
      A setting must pass every GEMM (top-k, column-sum) parity case against the CPU \
      before it can be chosen: a failing tuning is never cached. The choice is written to \
      the cache file (\(TuningCache.path)) under the device's name and driver version; \
      every later run on that device uses it. CLBlast's SGEMM is timed beside it when \
      libclblast is installed.
      """)

  @Option(help: "OpenCL device number, as `sigah devices` lists them (default: the one `auto` takes).")
  var device: Int?
  @Flag(help: "A small grid: seconds, for a first look and the tests.") var quick = false
  @Flag(help: "Time and report, but do not write the cache.") var dryRun = false
  @OptionGroup var output: OutputOptions

  func run() throws {
    let console = Console(quiet: output.quiet)
    let probe = try OpenCLBackend(deviceIndex: device, tuning: OpenCLTuning())
    let info = probe.device
    let shapes = [(m: 500, n: 1568, k: 784), (m: 500, n: 64, k: 784), (m: 500, n: 500, k: 784)]
    var generator = SeededGenerator(seed: 3)
    let operands = shapes.map { shape in
      (generator.gaussians(count: shape.m * shape.k), generator.gaussians(count: shape.k * shape.n))
    }
    let defaults = OpenCLTuning.defaults(for: info)
    print("tuning \(probe.summary)")
    print("| GEMM setting | " + shapes.map { "\($0.m)×\($0.n)·\($0.k) GFLOP/s" }.joined(separator: " | ") + " |")
    print("| --- |" + String(repeating: " ---: |", count: shapes.count))

    /// GFLOP/s of each shape with `gemm`, the median of three timed runs of five products.
    func rates(
      _ backend: OpenCLBackend,
      _ gemm: (DeviceBuffer<Float>, DeviceBuffer<Float>, DeviceBuffer<Float>, (m: Int, n: Int, k: Int)) throws -> Void
    ) throws -> [Double] {
      try zip(shapes, operands).map { shape, values in
        let (a, b) = (try backend.makeBuffer(values.0), try backend.makeBuffer(values.1))
        let c = try backend.makeBuffer(Float.self, count: shape.m * shape.n)
        let timing = try Timing.measure(runs: 3) {
          for _ in 0..<5 { try gemm(a, b, c, shape) }
          try backend.synchronize()
        }
        return 5 * 2 * Double(shape.m * shape.n * shape.k) / timing.median / 1e9
      }
    }

    var best: (tuning: OpenCLTuning, score: Double)?
    var passed: [GemmSetting] = []
    for candidate in Self.gemmGrid(for: info, quick: quick) where candidate.problem(on: info) == nil {
      let backend: OpenCLBackend
      do {
        backend = try OpenCLBackend(deviceIndex: info.index, tuning: candidate)
        let failed = try ParitySuite.gemmCases().map { try $0.check(backend, against: try CPUBackend()) }
          .filter { !$0.passed }
        if let first = failed.first {
          console.line("rejected (parity): \(candidate): \(first)")
          continue
        }
      } catch {
        console.line("rejected (does not run): \(candidate): \(error)")
        continue
      }
      let gflops = try rates(backend) { a, b, c, shape in
        try backend.gemm(
          a, transposeA: false, b, transposeB: false, into: c, m: shape.m, n: shape.n, k: shape.k, alpha: 1, beta: 0)
      }
      passed.append(candidate.gemm)
      // The geometric mean: no one shape may carry the choice.
      let score = exp(gflops.map { log($0) }.reduce(0, +) / Double(gflops.count))
      print(
        "| \(candidate.gemm)\(candidate == defaults ? " (default)" : "") | "
          + gflops.map { String(format: "%.1f", $0) }.joined(separator: " | ") + " |")
      if best == nil || score > best!.score { best = (candidate, score) }
    }
    guard var chosen = best?.tuning else { throw CLIError("no GEMM setting passed the parity cases on \(info.name)") }
    if let clblast = CLBlastReference.load() {
      let gflops = try rates(probe) { a, b, c, shape in
        try clblast.gemm(
          on: probe, a, transposeA: false, b, transposeB: false, into: c, m: shape.m, n: shape.n, k: shape.k, alpha: 1,
          beta: 0)
      }
      print(
        "| CLBlast (\(clblast.library), its own tuning) | "
          + gflops.map { String(format: "%.1f", $0) }.joined(separator: " | ") + " |")
    }

    // The Hamming top-k's work-group size, on the chosen GEMM setting.
    let words = 1
    let database = (0..<(100_000 * words)).map { _ in generator.next() }
    let queries = (0..<(200 * words)).map { _ in generator.next() }
    var bestGroup: (size: Int, seconds: Double)?
    for size in [1, 8, 32, 64, 128, 256] where size <= info.maxWorkGroupSize {
      var candidate = chosen
      candidate.hammingGroupSize = size
      let backend = try OpenCLBackend(deviceIndex: info.index, tuning: candidate)
      let failed = try ParitySuite.cases().filter { $0.operation == "hammingTopK" }
        .map { try $0.check(backend, against: try CPUBackend()) }.filter { !$0.passed }
      guard failed.isEmpty else {
        console.line("rejected (parity): hamming group \(size): \(failed[0])")
        continue
      }
      let (q, db) = (try backend.makeBuffer(queries), try backend.makeBuffer(database))
      let timing = try Timing.measure(runs: 3) {
        _ = try backend.hammingTopK(queries: q, queryCount: 200, database: db, databaseCount: 100_000, bits: 64, k: 100)
      }
      print(String(format: "hamming top-100, group %d: %.0f queries/s", size, 200 / timing.median))
      if bestGroup == nil || timing.median < bestGroup!.seconds { bestGroup = (size, timing.median) }
    }
    if let bestGroup { chosen.hammingGroupSize = bestGroup.size }
    if let columns = try columnSumGroups(on: info, from: chosen, console: console) {
      (chosen.columnGroupColumns, chosen.columnGroupRows) = columns
    }
    chosen.gemmShapes = try stepShapeSettings(on: info, default: chosen, candidates: passed, console: console)
    chosen.sideQueue = try sideQueueChoice(on: info, tuning: chosen)
    print("chosen: \(chosen)")
    if dryRun { return }
    try TuningCache.save(chosen, for: info)
    print("cached in \(TuningCache.path) for \(TuningCache.key(for: info))")
  }

  /// Whether a step's graph term runs on the side queue: SiGAH and SiGAH-DM trained at
  /// batch 500 both ways, in turn, with the setting chosen so far; the faster in total.
  func sideQueueChoice(on info: OpenCLDeviceInfo, tuning chosen: OpenCLTuning) throws -> Bool {
    var settings = quick ? BenchSettings.quick : BenchSettings()
    settings.runs = 3
    let names = [true: "on the side queue", false: "in order"]
    let backends: [(name: String, backend: any Backend)] = try OpenCLBackend.withAndWithoutSideQueue(
      deviceIndex: info.index, tuning: chosen
    ).map { (names[$0.sideQueue]!, $0.backend) }
    let rates = try Throughput.stepMethodRates(on: backends, settings: settings, seed: 37)
    for (name, rate) in rates.sorted(by: { $0.key < $1.key }) {
      print(String(format: "training %@, batch 500: %.0f samples/s", name, rate.median))
    }
    // The faster in total time over both methods.
    let seconds = [true, false].map { sideQueue in
      rates.filter { $0.key.hasSuffix(names[sideQueue]!) }.values.reduce(0) { $0 + 1 / $1.median }
    }
    return seconds[0] < seconds[1]
  }

  /// For every product shape of a SiGAH and a SiGAH-DM step, the fastest setting of
  /// `candidates` (each passed the GEMM parity cases), timed beside the default and CLBlast.
  func stepShapeSettings(
    on info: OpenCLDeviceInfo, default chosen: OpenCLTuning, candidates: [GemmSetting], console: Console
  ) throws -> [GemmShapeSetting] {
    let shapes = try Throughput.stepGemmShapes().keys.sorted()
    var settings = BenchSettings()
    settings.runs = 3
    /// GFLOP/s of each shape under `tuning` (one backend, so each setting's program is
    /// built once).
    func rates(_ tuning: OpenCLTuning) throws -> [Double] {
      let backend = try OpenCLBackend(deviceIndex: info.index, tuning: tuning)
      return try Throughput.gemmShapeRates(shapes, on: backend, settings: settings).map(\.median)
    }
    let defaultRates = try rates(chosen)
    var best = shapes.indices.map { (setting: chosen.gemm, gflops: defaultRates[$0]) }
    for candidate in candidates where candidate != chosen.gemm {
      var tuning = chosen
      tuning.gemm = candidate
      for (index, rate) in try rates(tuning).enumerated() where rate > best[index].gflops {
        best[index] = (candidate, rate)
      }
    }
    // Split-K for the deep products: each one's best setting with k split 2, 4 or 8 ways,
    // once the split passes every GEMM parity case.
    var splitPasses: [GemmSetting: Bool] = [:]
    for index in shapes.indices {
      for parts in [2, 4, 8] where shapes[index].k / parts >= 64 {
        var split = best[index].setting
        split.splitK = parts
        if splitPasses[split] == nil {
          var tuning = chosen
          tuning.gemmShapes = ParitySuite.gemmCaseShapes.map {
            GemmShapeSetting(shape: $0, setting: split, gflops: 0, defaultGflops: 0)
          }
          let backend = try OpenCLBackend(deviceIndex: info.index, tuning: tuning)
          let failed = try (ParitySuite.gemmCases() + ParitySuite.fusedGemmCases())
            .map { try $0.check(backend, against: try CPUBackend()) }.filter { !$0.passed }
          if let first = failed.first { console.line("rejected (parity): \(split): \(first)") }
          splitPasses[split] = failed.isEmpty
        }
        guard splitPasses[split] == true else { continue }
        var tuning = chosen
        tuning.gemmShapes = [GemmShapeSetting(shape: shapes[index], setting: split, gflops: 0, defaultGflops: 0)]
        let backend = try OpenCLBackend(deviceIndex: info.index, tuning: tuning)
        var incumbentTuning = chosen
        incumbentTuning.gemmShapes = [
          GemmShapeSetting(shape: shapes[index], setting: best[index].setting, gflops: 0, defaultGflops: 0)
        ]
        let incumbent = try OpenCLBackend(deviceIndex: info.index, tuning: incumbentTuning)
        func rate(_ backend: OpenCLBackend) throws -> Double {
          try Throughput.gemmShapeRates([shapes[index]], on: backend, settings: settings)[0].median
        }
        // A split costs a second launch and a workspace: it must beat the incumbent by 5 %
        // in two rounds timed side by side, not once by noise.
        let rounds = try (0..<2).map { _ in (split: try rate(backend), incumbent: try rate(incumbent)) }
        if rounds.allSatisfy({ $0.split > 1.05 * $0.incumbent }) { best[index] = (split, rounds[1].split) }
      }
    }
    var clblastRates: [Double]?
    if let clblast = CLBlastReference.load() {
      let backend = try OpenCLBackend(deviceIndex: info.index, tuning: chosen)
      clblastRates = try Throughput.shapeRates(shapes, on: backend, settings: settings) { a, b, c, shape in
        try clblast.gemm(
          on: backend, a, transposeA: shape.transposeA, b, transposeB: shape.transposeB, into: c, m: shape.m,
          n: shape.n, k: shape.k, alpha: 1, beta: 0)
      }.map(\.median)
    }
    print("| step shape | chosen setting | GFLOP/s | default's GFLOP/s | CLBlast GFLOP/s | ÷ CLBlast |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    return shapes.indices.map { index in
      let entry = GemmShapeSetting(
        shape: shapes[index], setting: best[index].setting, gflops: best[index].gflops,
        defaultGflops: defaultRates[index], clblastGflops: clblastRates?[index])
      let clblast = entry.clblastGflops.map { String(format: "%.1f | %.2f", $0, entry.gflops / $0) } ?? "– | –"
      print(
        String(
          format: "| %@ | %@ | %.1f | %.1f | %@ |", entry.shape.description, entry.setting.description, entry.gflops,
          entry.defaultGflops, clblast))
      return entry
    }
  }

  /// The fastest column-sum work-group (columns × row lanes) that passes the column-sum
  /// parity cases, timed on the bias gradients of one SiGAH step's widest and narrowest
  /// layers at batch 500 (500 × 1568 and 500 × 64).
  func columnSumGroups(on info: OpenCLDeviceInfo, from chosen: OpenCLTuning, console: Console) throws
    -> (columns: Int, rows: Int)?
  {
    var generator = SeededGenerator(seed: 5)
    let shapes = [(rows: 500, columns: 1568), (rows: 500, columns: 64)]
    let inputs = shapes.map { generator.gaussians(count: $0.rows * $0.columns) }
    let groups =
      info.isGPU ? [(32, 1), (32, 4), (32, 8), (32, 16), (64, 4), (16, 16)] : [(1, 1), (16, 1), (64, 1), (16, 2)]
    var best: (group: (columns: Int, rows: Int), seconds: Double)?
    for group in groups {
      var candidate = chosen
      (candidate.columnGroupColumns, candidate.columnGroupRows) = group
      guard candidate.problem(on: info) == nil else { continue }
      let backend = try OpenCLBackend(deviceIndex: info.index, tuning: candidate)
      let failed = try ParitySuite.cases()
        .filter { ["sumColumns", "activationBackwardWithBiasGradient"].contains($0.operation) }
        .map { try $0.check(backend, against: try CPUBackend()) }.filter { !$0.passed }
      guard failed.isEmpty else {
        console.line("rejected (parity): column sums \(group.0)×\(group.1): \(failed[0])")
        continue
      }
      let buffers = try zip(shapes, inputs).map { shape, values in
        (
          try backend.makeBuffer(values), try backend.makeBuffer(Float.self, count: values.count),
          try backend.makeBuffer(Float.self, count: shape.columns)
        )
      }
      let timing = try Timing.measure(runs: 3) {
        for _ in 0..<10 {
          for (shape, (x, dx, bias)) in zip(shapes, buffers) {
            try backend.activationBackwardWithBiasGradient(
              .leakyReLU(slope: 0.2), output: x, outputGradient: x, into: dx, rows: shape.rows, columns: shape.columns,
              biasGradient: bias)
          }
        }
        try backend.synchronize()
      }
      print(
        String(
          format: "column sums, %d columns × %d row lanes: %.1f µs a pair", group.0, group.1, timing.median / 10 * 1e6))
      if best == nil || timing.median < best!.seconds { best = ((group.0, group.1), timing.median) }
    }
    return best?.group
  }

  /// The GEMM settings tried: both variants over the knobs that matter on each kind of
  /// device (wide work-groups on GPUs, single work-items with wide vectors on CPUs).
  static func gemmGrid(for device: OpenCLDeviceInfo, quick: Bool) -> [OpenCLTuning] {
    var grid: [OpenCLTuning] = [OpenCLTuning.defaults(for: device)]
    func add(
      _ variant: OpenCLTuning.GemmVariant, _ rows: Int, _ width: Int, _ vectors: Int, _ group: (Int, Int), _ sliceK: Int
    ) {
      var tuning = OpenCLTuning.defaults(for: device)
      (tuning.gemmVariant, tuning.gemmRowsPerItem, tuning.gemmVectorWidth, tuning.gemmVectorsPerItem) = (
        variant, rows, width, vectors
      )
      (tuning.gemmGroupRows, tuning.gemmGroupColumns, tuning.gemmSliceK) = (group.0, group.1, sliceK)
      if !grid.contains(tuning) { grid.append(tuning) }
    }
    if quick {
      add(.direct, 4, 8, 1, (1, 1), 16)
      add(.tiled, 4, 4, 1, (8, 8), 16)
      return grid
    }
    let groups = device.isGPU ? [(8, 8), (16, 16), (8, 32)] : [(1, 1), (2, 2)]
    for rows in [4, 6, 8] {
      for width in [4, 8] {
        for vectors in [1, 2] {
          for group in groups { add(.direct, rows, width, vectors, group, 16) }
        }
      }
    }
    for rows in [2, 4, 8] {
      for width in [2, 4] {
        for group in (device.isGPU ? [(8, 8), (16, 16), (16, 8)] : [(4, 4), (8, 8)]) {
          for sliceK in [16, 32] { add(.tiled, rows, width, 1, group, sliceK) }
        }
      }
    }
    return grid
  }
}
