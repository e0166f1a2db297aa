// The measurements of `sigah bench` on one backend: GEMM at the model's shapes, training,
// encoding, Hamming top-k search over a million codes, and exact ground truth, with the
// sweeps over database and batch size. Each is timed as the user pays for it: uploads of
// queries and batches are inside the timed region; a resident database is not.

import Backend
import Foundation

public struct BenchSettings: Sendable {
  public var runs = 5
  public var gemmShapes = [(m: 500, n: 1568, k: 784), (m: 500, n: 64, k: 784), (m: 500, n: 500, k: 784)]
  public var trainingSamples = 4000
  public var dimension = 784
  public var bits = 64
  public var batchSizes = [100, 250, 500, 1000]
  public var encodeVectors = 20_000
  public var searchDatabase = [10_000, 100_000, 1_000_000]
  public var searchQueries = 1000
  public var searchK = 100
  public var groundTruthDatabase = 20_000
  public var groundTruthQueries = 500
  /// Real vectors for the ground-truth measurement (its first rows are the queries);
  /// random vectors of `groundTruthDatabase × dimension` when nil.
  public var groundTruthData: Matrix?
  public var seed: UInt64 = 0

  public init() {}

  /// A small configuration that runs in seconds (tests, a first look).
  public static var quick: BenchSettings {
    var settings = BenchSettings()
    settings.runs = 2
    settings.trainingSamples = 1000
    settings.batchSizes = [250, 500]
    settings.encodeVectors = 2000
    settings.searchDatabase = [10_000, 100_000]
    settings.searchQueries = 100
    settings.groundTruthDatabase = 2000
    settings.groundTruthQueries = 100
    return settings
  }
}

public struct GemmResult: Sendable, Codable, Equatable {
  public var m: Int, n: Int, k: Int
  public var gflops: Rate
}

/// One GEMM shape of a training step: how often a step runs it and its rate alone.
public struct StepGemm: Sendable, Codable, Equatable {
  public var shape: GemmShape
  public var perStep: Int
  public var gflops: Rate
  /// CLBlast's SGEMM at the same shape on the same device, when libclblast is present.
  public var clblastGflops: Rate?
  /// The kernel setting our GEMM ran at this shape (OpenCL devices: the tuning's own
  /// setting for the shape, or its default).
  public var setting: String?

  /// Seconds a step spends in this shape at its own rate.
  public var secondsPerStep: Double { Double(perStep) * shape.flops / (gflops.median * 1e9) }
}

public struct BackendBench: Sendable, Codable, Equatable {
  public var backend: String
  public var gemm: [GemmResult]
  /// Samples/s per batch size, and the model GFLOP/s at the default batch.
  public var training: [String: Rate]
  public var trainingGflops: Double
  public var trainingFractionOfGemm: Double
  public var encodingVectorsPerSecond: Rate
  /// Queries/s per database size.
  public var search: [String: Rate]
  public var comparisonsPerSecond: Double
  public var groundTruthQueriesPerSecond: Rate
  /// Database rows × dimension of the ground-truth measurement.
  public var groundTruthShape: [Int]
  public var groundTruthGflops: Double
  public var groundTruthFractionOfGemm: Double
  /// Launches, waits and bytes of one steady-state training step at batch 500, by method.
  public var stepCounts: [String: BackendCounts]
  /// CLBlast's SGEMM at the same shapes on the same device, when libclblast is present.
  public var clblastGemm: [GemmResult]?
  /// Device time per kernel of the same step, by method (OpenCL devices).
  public var stepProfiles: [String: KernelProfile]?
  /// Training samples/s of HashGAN, GMANs, SGH and BA (batch 500; GMANs at its 32), each
  /// epoch's whole cost: the difference between a run of 1 + runs epochs and one of 1.
  public var methodTraining: [String: Rate]?
  /// Every GEMM shape of one SiGAH step at the default batch, each timed alone.
  public var stepGemms: [StepGemm]?
  /// The training rate if a step were its GEMMs alone, each at its own rate; and the
  /// measured rate as a fraction of it (what the step spends beyond its products).
  public var stepGemmBoundSamplesPerSecond: Double?
  public var trainingFractionOfStepGemms: Double?
  /// Bytes/s of a plain upload of the encoding's input into one buffer (the bus's limit
  /// on a GPU), and the encoding's input bytes/s as a fraction of it.
  public var uploadBytesPerSecond: Rate?
  public var encodingFractionOfUpload: Double?
  /// The same vectors as bytes (values 0–255) through a kept `ModelEncoder`, as the C API
  /// and Python encode a uint8 array: vectors/s, and `d` input bytes a vector as a
  /// fraction of the plain upload's rate.
  public var byteEncodingVectorsPerSecond: Rate?
  public var byteEncodingFractionOfUpload: Double?
  /// Vectors/s of an MLP hash from host memory: SiGAH-DM's with its 256-unit ranking
  /// residual and skip (`784 → 256 → r` beside `784 → r`), random weights.
  public var mlpEncodingVectorsPerSecond: Rate?
  /// OpenCL devices: samples/s of SiGAH and SiGAH-DM at batch 500 (their ranking stage
  /// left out) with the graph term on the side queue and in order, measured in turn
  /// ("sigah side queue", "sigah in order", …).
  public var sideQueueTraining: [String: Rate]?
  /// Queries/s of radius-2 search (`hammingWithin`) over the largest search database;
  /// each query is one of its codes with a bit flipped, so each has a match. Beside it,
  /// the same queries answered by a multi-index hash on the host (its build excluded):
  /// the yardstick a device scan must beat to pay on a GPU box.
  public var radiusSearchQueriesPerSecond: Rate?
  public var multiIndexRadiusQueriesPerSecond: Rate?
  /// `trainingFractionOfGemm` measured in pairs, ascending: each of `runs` rounds times
  /// one training epoch at the default batch (after a warm-up epoch) between two timings of
  /// the largest GEMM, and divides. A machine whose speed drifts (a shared VM) moves both
  /// sides of a round alike, so the median of the rounds is the figure to quote there.
  public var pairedTrainingFractionsOfGemm: [Double]?
}

public enum Throughput {
  /// Samples/s of `configuration` on `data`: one run of 1 + runs epochs, the epochs' own
  /// times (batch gathering and uploads included, set-up excluded), the first as warm-up.
  public static func trainingRate(
    _ configuration: SiGAHConfiguration, data: Matrix, backend: any Backend, runs: Int
  ) throws -> Rate {
    var options = TrainingOptions()
    options.epochs = 1 + runs
    let model = try SiGAHTrainer(configuration: configuration, data: data, backend: backend, options: options).train()
    let seconds = model.summary!.epochs.dropFirst().map(\.seconds).sorted()
    let timing = Timing(
      runs: seconds.count, minimum: seconds[0], median: seconds[seconds.count / 2], maximum: seconds.last!)
    return Rate(work: Double(data.rows), timing: timing)
  }

  /// SiGAH and SiGAH-DM at batch 500 (their ranking stage left out), each on every one of
  /// `backends` in turn, on the same uniform data: rates keyed "<method> <backend's name>".
  /// How two settings of one device compare (OpenCL's side queue: `tune`, `bench`).
  public static func stepMethodRates(
    on backends: [(name: String, backend: any Backend)], settings: BenchSettings, seed: UInt64
  ) throws -> [String: Rate] {
    var generator = SeededGenerator(seed: seed)
    let data = uniformMatrix(rows: settings.trainingSamples, columns: settings.dimension, &generator)
    var rates: [String: Rate] = [:]
    for var configuration in stepConfigurations(settings: settings) {
      configuration.ranking = nil
      for (name, backend) in backends {
        rates["\(configuration.method.rawValue) \(name)"] = try trainingRate(
          configuration, data: data, backend: backend, runs: settings.runs)
      }
    }
    return rates
  }

  /// GFLOP/s of `gemm` at each of the settings' shapes, timed as `shapeRates`. Shared by
  /// our GEMM and CLBlast's, so both are timed the same way.
  public static func gemmRates(
    on backend: any Backend, settings: BenchSettings,
    _ gemm: (DeviceBuffer<Float>, DeviceBuffer<Float>, DeviceBuffer<Float>, (m: Int, n: Int, k: Int)) throws -> Void
  ) throws -> [GemmResult] {
    let shapes = settings.gemmShapes.map { GemmShape(m: $0.m, n: $0.n, k: $0.k) }
    let rates = try shapeRates(shapes, on: backend, settings: settings) { a, b, c, shape in
      try gemm(a, b, c, (shape.m, shape.n, shape.k))
    }
    return zip(shapes, rates).map { GemmResult(m: $0.m, n: $0.n, k: $0.k, gflops: $1) }
  }

  /// GFLOP/s of the backend's own GEMM at each of `shapes`, timed as `shapeRates`.
  public static func gemmShapeRates(_ shapes: [GemmShape], on backend: any Backend, settings: BenchSettings) throws
    -> [Rate]
  {
    try shapeRates(shapes, on: backend, settings: settings) { a, b, c, shape in
      try backend.gemm(
        a, transposeA: shape.transposeA, b, transposeB: shape.transposeB, into: c, m: shape.m, n: shape.n, k: shape.k,
        alpha: 1, beta: 0)
    }
  }

  /// GFLOP/s of `gemm` at each of `shapes` (transposes included), on seeded operands: ten
  /// products a timed run, waited for at the end.
  public static func shapeRates(
    _ shapes: [GemmShape], on backend: any Backend, settings: BenchSettings,
    _ gemm: (DeviceBuffer<Float>, DeviceBuffer<Float>, DeviceBuffer<Float>, GemmShape) throws -> Void
  ) throws -> [Rate] {
    var generator = SeededGenerator(seed: settings.seed ^ 0x6E6E)
    return try shapes.map { shape in
      let a = try backend.makeBuffer(generator.gaussians(count: shape.m * shape.k))
      let b = try backend.makeBuffer(generator.gaussians(count: shape.k * shape.n))
      let c = try backend.makeBuffer(Float.self, count: shape.m * shape.n)
      let repeats = 10
      let timing = try Timing.measure(runs: settings.runs) {
        for _ in 0..<repeats { try gemm(a, b, c, shape) }
        try backend.synchronize()
      }
      return Rate(work: Double(repeats) * shape.flops / 1e9, timing: timing)
    }
  }

  public static func run(on backend: any Backend, settings: BenchSettings, log: (String) -> Void = { _ in }) throws
    -> BackendBench
  {
    var generator = SeededGenerator(seed: settings.seed)
    let runs = settings.runs

    // GEMM at the model's shapes.
    let gemm = try gemmRates(on: backend, settings: settings) { a, b, c, shape in
      try backend.gemm(
        a, transposeA: false, b, transposeB: false, into: c, m: shape.m, n: shape.n, k: shape.k, alpha: 1, beta: 0)
    }
    for result in gemm {
      log(String(format: "gemm %d×%d·%d: %.1f GFLOP/s (median)", result.m, result.n, result.k, result.gflops.median))
    }
    let referenceGemm = gemm.first?.gflops.median ?? 1

    // Training on MNIST-shaped data: one run of 1 + runs epochs; the epochs' own times
    // (batch gathering and uploads included, set-up excluded), the first as warm-up.
    let d = settings.dimension
    let data = uniformMatrix(rows: settings.trainingSamples, columns: d, &generator)
    var training: [String: Rate] = [:]
    for batch in settings.batchSizes {
      var configuration = SiGAHConfiguration()
      configuration.bits = settings.bits
      configuration.batchSize = batch
      training["\(batch)"] = try trainingRate(configuration, data: data, backend: backend, runs: runs)
      log(String(format: "training, batch %d: %.0f samples/s", batch, training["\(batch)"]!.median))
    }
    let defaultBatch = settings.batchSizes.contains(500) ? 500 : settings.batchSizes.last!
    let flopsPerSample = ModelFlops.perSample(d: d, r: settings.bits, m: 2 * d, dl: 50, batch: defaultBatch)
    let trainingGflops = training["\(defaultBatch)"]!.median * flopsPerSample / 1e9
    let pairedFractions = try pairedTrainingFractions(
      data: data, batch: defaultBatch, flopsPerSample: flopsPerSample, settings: settings, backend: backend)
    log(
      String(
        format: "training ÷ largest GEMM in pairs: median %.3f (%.3f–%.3f)", pairedFractions[pairedFractions.count / 2],
        pairedFractions.first!, pairedFractions.last!))

    let methodTraining = try generativeRates(data: data, settings: settings, backend: backend, log: log)

    // What one steady-state step asks of the device, for each method (batch 500, MNIST
    // shape): the counts that decide a step's time on a GPU.
    var stepCounts: [String: BackendCounts] = [:]
    let countData = stepData(settings: settings, generator: &generator)
    for configuration in stepConfigurations(settings: settings) {
      let counts = try StepCounts.measure(configuration: configuration, data: countData, backend: backend)
      stepCounts[configuration.method.rawValue] = counts
      log(
        "\(configuration.method.rawValue) step: \(counts.operations) operations, \(counts.launches) launches, \(counts.blockingWaits) blocking waits, "
          + "\(counts.hostToDeviceBytes) B host→device, \(counts.deviceToHostBytes) B device→host")
    }

    // Each GEMM shape of SiGAH's step alone: the rate the step would reach if it were
    // its products, each at its own speed.
    let stepShapes = (stepCounts[HashMethod.sigah.rawValue]?.gemms ?? [:]).sorted { $0.key < $1.key }
    let stepRates = try gemmShapeRates(stepShapes.map(\.key), on: backend, settings: settings)
    let stepGemms = zip(stepShapes, stepRates).map { StepGemm(shape: $0.0.key, perStep: $0.0.value, gflops: $0.1) }
    for gemm in stepGemms {
      log(
        String(
          format: "step gemm %@ ×%d: %.1f GFLOP/s (median)", gemm.shape.description, gemm.perStep, gemm.gflops.median))
    }
    let stepGemmSeconds = stepGemms.reduce(0) { $0 + $1.secondsPerStep }
    let stepBatch = stepConfigurations(settings: settings).first?.batchSize ?? defaultBatch
    let gemmBound = stepGemmSeconds > 0 ? Double(stepBatch) / stepGemmSeconds : nil

    // Encoding.
    var configuration = SiGAHConfiguration()
    configuration.bits = settings.bits
    let weights = SiGAHWeights.initial(
      inputDimension: d, configuration: configuration, mean: Array(repeating: 0.5, count: d))
    let model = SiGAHModel(configuration: configuration, weights: weights, summary: nil)
    let vectors = uniformMatrix(rows: settings.encodeVectors, columns: d, &generator)
    let encoding = Rate(
      work: Double(settings.encodeVectors),
      timing: try Timing.measure(runs: runs) { _ = try model.hash.encode(vectors, backend: backend) })
    log(String(format: "encoding: %.0f vectors/s", encoding.median))
    // The bus's limit beside it: the same bytes uploaded into one buffer and waited for.
    let inputBytes = Double(vectors.values.count * MemoryLayout<Float>.size)
    let target = try backend.makeBuffer(Float.self, count: vectors.values.count)
    let upload = Rate(
      work: inputBytes,
      timing: try Timing.measure(runs: runs) {
        try backend.upload(vectors.values, to: target)
        try backend.synchronize()
      })
    let encodingBytesPerSecond = encoding.median * inputBytes / Double(vectors.rows)
    log(
      String(
        format: "encoding: %.2f GB/s of input against a plain upload's %.2f GB/s", encodingBytesPerSecond / 1e9,
        upload.median / 1e9))
    let bytes = ByteMatrix(
      rows: vectors.rows, columns: d, values: vectors.values.map { UInt8(min($0 * 256, 255)) })
    let kept = try ModelEncoder(.sigah(model), backend: backend)
    let byteEncoding = Rate(
      work: Double(settings.encodeVectors), timing: try Timing.measure(runs: runs) { _ = try kept.encode(bytes: bytes) }
    )
    let byteFraction = byteEncoding.median * Double(d) / upload.median
    log(
      String(
        format: "encoding uint8 vectors (kept encoder): %.0f vectors/s, %.0f %% of the upload's rate",
        byteEncoding.median, 100 * byteFraction))
    // An MLP hash: SiGAH-DM's with its default ranking residual (METHOD.md §3c).
    let width = 256
    let residual = RankingResidual(
      hiddenWeight: generator.gaussians(count: width * d, standardDeviation: 1 / Double(d).squareRoot()),
      hiddenBias: Array(repeating: 0, count: width),
      outputWeight: generator.gaussians(
        count: settings.bits * width, standardDeviation: 1 / Double(width).squareRoot()),
      width: width
    ).hash(
      mean: Array(repeating: 0.5, count: d),
      projection: generator.gaussians(count: settings.bits * d, standardDeviation: 1 / Double(d).squareRoot()),
      offset: Array(repeating: 0, count: settings.bits))
    let mlpEncoding = Rate(
      work: Double(settings.encodeVectors),
      timing: try Timing.measure(runs: runs) { _ = try residual.encode(vectors, backend: backend) })
    log(String(format: "encoding, SiGAH-DM's hash with its ranking residual: %.0f vectors/s", mlpEncoding.median))

    // Hamming top-k over resident databases of random codes.
    var search: [String: Rate] = [:]
    let words = codeWords(bits: settings.bits)
    let queryWords = (0..<(settings.searchQueries * words)).map { _ in generator.next() }
    for size in settings.searchDatabase {
      let database = try backend.makeBuffer((0..<(size * words)).map { _ in generator.next() })
      let timing = try Timing.measure(runs: runs) {
        let queries = try backend.makeBuffer(queryWords)
        _ = try backend.hammingTopK(
          queries: queries, queryCount: settings.searchQueries, database: database, databaseCount: size,
          bits: settings.bits,
          k: settings.searchK)
      }
      search["\(size)"] = Rate(work: Double(settings.searchQueries), timing: timing)
      log(
        String(format: "search top-%d in %d codes: %.0f queries/s", settings.searchK, size, search["\(size)"]!.median))
    }
    let largest = settings.searchDatabase.max()!
    let comparisons = search["\(largest)"]!.median * Double(largest)
    let radiusSearch = try radiusSearchRates(
      databaseCount: largest, settings: settings, backend: backend, runs: runs, &generator)
    log(
      String(
        format: "search within radius 2 of %d codes: %.0f queries/s (a multi-index on the host: %.0f)", largest,
        radiusSearch.scan.median, radiusSearch.multiIndex.median))

    // Exact ground truth.
    let base =
      settings.groundTruthData
      ?? uniformMatrix(rows: settings.groundTruthDatabase, columns: d, &generator)
    let queries = base.rows(0..<min(settings.groundTruthQueries, base.rows))
    let truth = Rate(
      work: Double(settings.groundTruthQueries),
      timing: try Timing.measure(runs: max(runs / 2, 1)) {
        _ = try GroundTruth.compute(queries: queries, database: base, k: 100, backend: backend)
      })
    let truthGflops = truth.median * 2 * Double(base.rows * base.columns) / 1e9
    log(String(format: "ground truth: %.0f queries/s", truth.median))

    return BackendBench(
      backend: backend.summary, gemm: gemm, training: training, trainingGflops: trainingGflops,
      trainingFractionOfGemm: trainingGflops / referenceGemm, encodingVectorsPerSecond: encoding, search: search,
      comparisonsPerSecond: comparisons, groundTruthQueriesPerSecond: truth,
      groundTruthShape: [base.rows, base.columns],
      groundTruthGflops: truthGflops,
      groundTruthFractionOfGemm: truthGflops / referenceGemm, stepCounts: stepCounts, clblastGemm: nil,
      stepProfiles: nil, methodTraining: methodTraining, stepGemms: stepGemms.isEmpty ? nil : stepGemms,
      stepGemmBoundSamplesPerSecond: gemmBound,
      trainingFractionOfStepGemms: gemmBound.flatMap { bound in
        training["\(stepBatch)"].map { $0.median / bound }
      },
      uploadBytesPerSecond: upload,
      encodingFractionOfUpload: encodingBytesPerSecond / upload.median, byteEncodingVectorsPerSecond: byteEncoding,
      byteEncodingFractionOfUpload: byteFraction, mlpEncodingVectorsPerSecond: mlpEncoding,
      radiusSearchQueriesPerSecond: radiusSearch.scan, multiIndexRadiusQueriesPerSecond: radiusSearch.multiIndex,
      pairedTrainingFractionsOfGemm: pairedFractions)
  }

  /// SiGAH's training GFLOP/s over the largest GEMM's, a round at a time (see
  /// `pairedTrainingFractionsOfGemm`), ascending.
  static func pairedTrainingFractions(
    data: Matrix, batch: Int, flopsPerSample: Double, settings: BenchSettings, backend: any Backend
  ) throws -> [Double] {
    let shape = GemmShape(m: settings.gemmShapes[0].m, n: settings.gemmShapes[0].n, k: settings.gemmShapes[0].k)
    var generator = SeededGenerator(seed: settings.seed ^ 0x9A1D)
    let a = try backend.makeBuffer(generator.gaussians(count: shape.m * shape.k))
    let b = try backend.makeBuffer(generator.gaussians(count: shape.k * shape.n))
    let c = try backend.makeBuffer(Float.self, count: shape.m * shape.n)
    let repeats = 10
    func gemmGflops() throws -> Double {
      let timing = try Timing.measure(runs: 1) {
        for _ in 0..<repeats {
          try backend.gemm(
            a, transposeA: false, b, transposeB: false, into: c, m: shape.m, n: shape.n, k: shape.k, alpha: 1, beta: 0)
        }
        try backend.synchronize()
      }
      return Double(repeats) * shape.flops / 1e9 / timing.median
    }
    var configuration = SiGAHConfiguration()
    configuration.bits = settings.bits
    configuration.batchSize = batch
    var fractions: [Double] = []
    for _ in 0..<max(settings.runs, 1) {
      let before = try gemmGflops()
      let training = try trainingRate(configuration, data: data, backend: backend, runs: 1)
      let after = try gemmGflops()
      fractions.append(training.median * flopsPerSample / 1e9 / ((before + after) / 2))
    }
    return fractions.sorted()
  }

  /// Queries/s of radius-2 search over `databaseCount` random codes, the queries codes of
  /// the database with one bit flipped: by the backend's scan, and by a multi-index hash.
  static func radiusSearchRates(
    databaseCount: Int, settings: BenchSettings, backend: any Backend, runs: Int, _ generator: inout SeededGenerator
  ) throws -> (scan: Rate, multiIndex: Rate) {
    let words = codeWords(bits: settings.bits)
    let codes = (0..<(databaseCount * words)).map { _ in generator.next() }
    var queries: [UInt64] = []
    for _ in 0..<settings.searchQueries {
      let row = Int(generator.next() % UInt64(databaseCount))
      var query = Array(codes[(row * words)..<((row + 1) * words)])
      query[0] ^= 1 << (generator.next() % UInt64(min(settings.bits, 64)))
      queries += query
    }
    let database = try backend.makeBuffer(codes)
    let timing = try Timing.measure(runs: runs) {
      _ = try backend.hammingWithin(
        queries: try backend.makeBuffer(queries), queryCount: settings.searchQueries, database: database,
        databaseCount: databaseCount, bits: settings.bits, radius: 2)
    }
    let index = try MultiIndexHash(codes: PackedCodes(count: databaseCount, bits: settings.bits, words: codes))
    let queryCodes = PackedCodes(count: settings.searchQueries, bits: settings.bits, words: queries)
    let indexTiming = try Timing.measure(runs: runs) { _ = try index.within(2, queries: queryCodes) }
    return (
      Rate(work: Double(settings.searchQueries), timing: timing),
      Rate(work: Double(settings.searchQueries), timing: indexTiming)
    )
  }

  /// Samples/s of each of the other papers' methods on `data` at `settings.bits`.
  static func generativeRates(
    data: Matrix, settings: BenchSettings, backend: any Backend, log: (String) -> Void
  ) throws -> [String: Rate] {
    var rates: [String: Rate] = [:]
    var configurations = GenerativeConfigurations()
    configurations.gmans.pretrainEpochs = 0
    for method in [HashMethod.hashgan, .gmans, .sgh, .ba] {
      func seconds(epochs: Int) throws -> Double {
        var options = GenerativeOptions()
        options.epochs = epochs
        let started = Date()
        _ = try GenerativeTraining.train(
          method, data: data, bits: settings.bits, configurations: configurations, options: options, backend: backend)
        try backend.synchronize()
        return Date().timeIntervalSince(started)
      }
      _ = try seconds(epochs: 1)  // warm-up: kernels compiled, buffers first touched
      let one = try seconds(epochs: 1)
      let many = try seconds(epochs: 1 + settings.runs)
      let perEpoch = max(many - one, 1e-9) / Double(settings.runs)
      let rate = Rate(
        work: Double(data.rows),
        timing: Timing(runs: settings.runs, minimum: perEpoch, median: perEpoch, maximum: perEpoch))
      rates[method.rawValue] = rate
      log(String(format: "training %@: %.0f samples/s", method.rawValue, rate.median))
    }
    return rates
  }

  /// The methods whose steps are counted and profiled: sigah and sigah-dm at batch 500.
  public static func stepConfigurations(settings: BenchSettings) -> [SiGAHConfiguration] {
    [SiGAHConfiguration(), SiGAHConfiguration.distanceMatchingPreset].map { configuration in
      var configuration = configuration
      configuration.bits = settings.bits
      configuration.batchSize = 500
      return configuration
    }
  }

  /// Every GEMM shape of one steady step of SiGAH and of SiGAH-DM at batch 500 on MNIST's
  /// shape (what `sigah tune` tunes one by one), with how often a step of either runs it.
  public static func stepGemmShapes(settings: BenchSettings = BenchSettings()) throws -> [GemmShape: Int] {
    var generator = SeededGenerator(seed: settings.seed)
    let data = stepData(settings: settings, generator: &generator)
    var shapes: [GemmShape: Int] = [:]
    for configuration in stepConfigurations(settings: settings) {
      let counts = try StepCounts.measure(configuration: configuration, data: data, backend: try CPUBackend())
      shapes.merge(counts.gemms) { max($0, $1) }
    }
    return shapes
  }

  /// MNIST-shaped uniform data for the observed steps: four batches of 500.
  public static func stepData(settings: BenchSettings, generator: inout SeededGenerator) -> Matrix {
    uniformMatrix(rows: 2000, columns: settings.dimension, &generator)
  }

  /// `rows × columns` draws from U[0, 1), row by row.
  static func uniformMatrix(rows: Int, columns: Int, _ generator: inout SeededGenerator) -> Matrix {
    Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in Float(generator.uniform()) })
  }
}
