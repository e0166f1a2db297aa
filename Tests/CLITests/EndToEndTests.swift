// The whole chain from the command line on a small real file (2,000 SIFT10K vectors):
// train → encode → search → eval, for SiGAH and a baseline, on the CPU backend.

import Backend
import Foundation
import OpenCL
import SiGAH
import Testing

@Suite(.serialized) struct EndToEndTests {
  /// 2,000 SIFT descriptors and 20 of the official queries, written as .fvecs.
  static func smallSIFT(in folder: URL) throws -> (base: String, queries: String) {
    let base = try TexmexFormat.readVectors(
      repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_base.fvecs").path)
    let queries = try TexmexFormat.readVectors(
      repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path)
    let basePath = folder.appendingPathComponent("base.fvecs").path
    let queryPath = folder.appendingPathComponent("queries.fvecs").path
    try TexmexFormat.writeVectors(base.rows(0..<2000), to: basePath)
    try TexmexFormat.writeVectors(queries.rows(0..<20), to: queryPath)
    return (basePath, queryPath)
  }

  /// The .fvecs file at `path` as a .bvecs file beside it (its values must be bytes).
  static func bvecs(_ path: String) throws -> String {
    let vectors = try TexmexFormat.readVectors(path)
    var bytes: [UInt8] = []
    for row in 0..<vectors.rows {
      bytes += withUnsafeBytes(of: Int32(vectors.columns).littleEndian) { Array($0) }
      bytes += vectors[row].map { UInt8(exactly: $0)! }
    }
    let out = path.replacingOccurrences(of: ".fvecs", with: ".bvecs")
    try Data(bytes).write(to: URL(fileURLWithPath: out))
    return out
  }

  /// MNIST's images stay bytes up to the backend in `sigah encode`: the codes of their
  /// Floats, for a linear and an MLP model.
  @Test func mnistImagesEncodeAsTheirFloats() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let images = repositoryRoot.appendingPathComponent("data/mnist/t10k-images-idx3-ubyte.gz").path
    let vectors = try Dataset.load(images).vectors
    for method in ["itq", "sgh"] {
      let model = folder.appendingPathComponent("\(method).safetensors").path
      let codes = folder.appendingPathComponent("\(method).npy").path
      let train = try SigahBinary.run(
        ["train", images, "--method", method, "--bits", "32", "--epochs", "1", "--backend", "cpu", "--out", model])
      #expect(train.status == 0, "\(train.stderr)")
      let encode = try SigahBinary.run(["encode", "--model", model, images, "--out", codes, "--backend", "cpu"])
      #expect(encode.status == 0, "\(encode.stderr)")
      let expected = try HashModel.read(from: model).encode(vectors, backend: try CPUBackend())
      #expect(try NPYFormat.readCodes(codes, bits: 32) == expected, "\(method)")
    }
  }

  @Test func trainEncodeSearchEval() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (base, queries) = try Self.smallSIFT(in: folder)
    let model = folder.appendingPathComponent("model.safetensors").path
    let log = folder.appendingPathComponent("train.jsonl").path

    let train = try SigahBinary.run([
      "train", base, "--bits", "32", "--epochs", "2", "--batch-size", "250", "--backend", "cpu", "--out", model,
      "--log-json", log, "--checkpoint-every", "1",
    ])
    #expect(train.status == 0, "\(train.stderr)")
    #expect(train.stderr.contains("epoch   2") && !train.stdout.contains("epoch"))
    #expect(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count == 2)
    #expect(FileManager.default.fileExists(atPath: model + ".checkpoint"))

    let codes = folder.appendingPathComponent("base-codes.npy").path
    let encode = try SigahBinary.run(["encode", "--model", model, base, "--out", codes, "--backend", "cpu"])
    #expect(encode.status == 0, "\(encode.stderr)")
    let packed = try NPYFormat.readCodes(codes, bits: 32)
    #expect(packed.count == 2000)
    // The codes are the model's: encoding in-process gives the same bits.
    let expected = try HashModel.read(from: model).encode(try TexmexFormat.readVectors(base), backend: try CPUBackend())
    #expect(packed == expected)

    let results = folder.appendingPathComponent("results.ivecs").path
    let search = try SigahBinary.run([
      "search", "--database", codes, "--queries", queries, "--model", model, "--k", "10", "--out", results,
      "--backend", "cpu",
    ])
    #expect(search.status == 0, "\(search.stderr)")
    let found = try TexmexFormat.readIntegers(results)
    #expect(found.rows == 20 && found.dimension == 10)

    let reranked = folder.appendingPathComponent("reranked.ivecs").path
    let rerank = try SigahBinary.run([
      "search", "--database", codes, "--queries", queries, "--model", model, "--k", "5", "--rerank", "200",
      "--database-vectors", base, "--out", reranked, "--distances-out", reranked + ".fvecs", "--backend", "cpu",
    ])
    #expect(rerank.status == 0, "\(rerank.stderr)")
    let exact = try TexmexFormat.readVectors(reranked + ".fvecs")
    #expect(exact.rows == 20 && exact.columns == 5)
    // Re-ranked results are sorted by exact distance.
    let ids = try TexmexFormat.readIntegers(reranked)
    let baseVectors = try TexmexFormat.readVectors(base)
    let queryVectors = try TexmexFormat.readVectors(queries)
    for q in 0..<20 {
      let distances = (0..<5).map {
        GroundTruth.squaredDistance(queryVectors[q], baseVectors[Int(ids.values[q * 5 + $0])])
      }
      #expect(distances == distances.sorted())
      #expect(zip(distances, exact[q]).allSatisfy { abs($0 - Double($1)) <= 1e-6 * $0 })
    }

    let report = folder.appendingPathComponent("report").path
    let eval = try SigahBinary.run([
      "eval", base, "--queries", "50", "--k", "50", "--methods", "lsh,itq,sigah", "--bits", "16", "--epochs", "1",
      "--out", report, "--json", "--backend", "cpu",
    ])
    #expect(eval.status == 0, "\(eval.stderr)")
    let record = try JSONDecoder().decode(EvaluationRecord.self, from: Data(eval.stdout.utf8))
    let rows = record.rows
    #expect(rows.map(\.method) == ["lsh", "itq", "sigah"])
    #expect(rows.allSatisfy { $0.euclidean.mAP > 0 && $0.euclidean.mAP <= 1 })
    for file in ["report.md", "report.json", "recall.csv", "recall-16bits.svg"] {
      #expect(FileManager.default.fileExists(atPath: report + "/" + file), "\(file)")
    }
    // What was run is recorded beside what it measured.
    let saved = try JSONDecoder().decode(
      EvaluationRecord.self, from: Data(contentsOf: URL(fileURLWithPath: report + "/report.json")))
    #expect(saved.metadata == record.metadata)
    #expect(record.metadata.tool == "sigah \(ModelFile.toolVersion)" && record.metadata.data == base)
    #expect(record.metadata.relevantK == 50 && record.metadata.queries == 50 && record.metadata.seeds == [0])
    #expect(record.metadata.arguments.contains("--epochs") && !record.metadata.labelled)
    let markdown = try String(contentsOfFile: report + "/report.md", encoding: .utf8)
    #expect(markdown.contains("sigah: 1 epochs") && !markdown.contains("semantic"))
    let figure = try String(contentsOfFile: report + "/recall-16bits.svg", encoding: .utf8)
    #expect(figure.contains("<circle") && figure.contains("<rect x=") && figure.contains("<polygon"))

    // Several seeds: a row a method, length and seed; the table gives mean ± std.
    let seeded = try SigahBinary.run([
      "eval", base, "--queries", "50", "--k", "50", "--methods", "lsh,itq", "--bits", "16", "--seeds", "0,1,2",
      "--out", folder.appendingPathComponent("seeded").path, "--backend", "cpu", "--quiet",
    ])
    #expect(seeded.status == 0, "\(seeded.stderr)")
    #expect(seeded.stdout.contains("mean ± std over seeds 0,1,2"))
    let itqLine = seeded.stdout.split(separator: "\n").first { $0.hasPrefix("| itq |") } ?? ""
    #expect(itqLine.contains(" ± "), "\(seeded.stdout)")
    let seededRecord = try JSONDecoder().decode(
      EvaluationRecord.self,
      from: Data(contentsOf: URL(fileURLWithPath: folder.appendingPathComponent("seeded/report.json").path)))
    #expect(seededRecord.rows.compactMap(\.seed) == [0, 0, 1, 1, 2, 2] && seededRecord.metadata.seeds == [0, 1, 2])
  }

  /// HashGAN, GMANs, SGH and BA from the command line: train, then encode to the codes the
  /// model file gives in-process; and one paper's ablation.
  @Test func trainsAndEncodesTheOtherPapersMethods() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (base, queries) = try Self.smallSIFT(in: folder)
    for method in ["hashgan", "gmans", "sgh", "ba"] {
      let model = folder.appendingPathComponent("\(method).safetensors").path
      let log = folder.appendingPathComponent("\(method).jsonl").path
      let train = try SigahBinary.run([
        "train", base, "--method", method, "--bits", "16", "--epochs", "1", "--gmans-pretrain-epochs", "1",
        "--backend", "cpu", "--out", model, "--log-json", log,
      ])
      #expect(train.status == 0, "\(method): \(train.stderr)")
      #expect(train.stderr.contains("epoch   1") && train.stdout.isEmpty)
      // The log has the epochs the terminal showed, each method's terms by name.
      let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
      let reports = try lines.map { try JSONDecoder().decode(EpochReport.self, from: Data($0.utf8)) }
      #expect(reports.count == (method == "gmans" ? 2 : 1) && reports.allSatisfy { !$0.terms.isEmpty }, "\(method)")
      let codes = folder.appendingPathComponent("\(method).npy").path
      let encode = try SigahBinary.run(["encode", "--model", model, base, "--out", codes, "--backend", "cpu"])
      #expect(encode.status == 0, "\(encode.stderr)")
      let expected = try HashModel.read(from: model).encode(
        try TexmexFormat.readVectors(base), backend: try CPUBackend())
      #expect(try NPYFormat.readCodes(codes, bits: 16) == expected, "\(method)")
      // SIFT's components are bytes: as a .bvecs file they stay bytes up to the backend,
      // with the same codes.
      let byteCodes = folder.appendingPathComponent("\(method)-bytes.npy").path
      let fromBytes = try SigahBinary.run(
        ["encode", "--model", model, try Self.bvecs(base), "--out", byteCodes, "--backend", "cpu"])
      #expect(fromBytes.status == 0, "\(fromBytes.stderr)")
      #expect(try NPYFormat.readCodes(byteCodes, bits: 16) == expected, "\(method), .bvecs")
    }
    let ablation = try SigahBinary.run([
      "ablation", base, "--query-file", queries, "--k", "10", "--method", "sgh", "--bits", "16", "--seeds", "0",
      "--epochs", "1", "--backend", "cpu", "--out", folder.appendingPathComponent("ablation").path,
    ])
    #expect(ablation.status == 0, "\(ablation.stderr)")
    #expect(ablation.stderr.contains("deterministic neurons") && ablation.stderr.contains("ITQ (baseline)"))
    let fitted = try SigahBinary.run([
      "train", base, "--method", "itq", "--bits", "16", "--out", folder.appendingPathComponent("itq").path,
      "--log-json", folder.appendingPathComponent("itq.jsonl").path,
    ])
    #expect(fitted.status != 0 && fitted.stderr.contains("--log-json logs epochs; itq is fitted without them"))
  }

  /// `sigah index` and `search --index` give the linear scan's files, top-k and radius,
  /// with either vector loop.
  @Test func indexedSearchWritesTheLinearScansResults() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (base, queries) = try Self.smallSIFT(in: folder)
    let path = { (name: String) in folder.appendingPathComponent(name).path }
    #expect(
      try SigahBinary.run(["train", base, "--method", "itq", "--bits", "32", "--out", path("itq.safetensors")]).status
        == 0)
    for (input, codes) in [(base, "base.npy"), (queries, "queries.npy")] {
      let run = try SigahBinary.run(["encode", "--model", path("itq.safetensors"), input, "--out", path(codes)])
      #expect(run.status == 0, "\(run.stderr)")
    }
    let index = try SigahBinary.run(["index", "--database", path("base.npy"), "--out", path("base.mih")])
    #expect(index.status == 0 && index.stderr.contains("substrings"), "\(index.stderr)")
    for extra in [["--k", "25"], ["--radius", "6"]] {
      let linear = try SigahBinary.run(
        [
          "search", "--database", path("base.npy"), "--queries", path("queries.npy"), "--out", path("linear.ivecs"),
          "--backend", "cpu",
        ] + extra)
      #expect(linear.status == 0, "\(linear.stderr)")
      // The AVX-512 bucket scan and the AVX2 one (where the processor has both), in the
      // index and in the linear scan alike.
      for environment in [[:], ["SIGAH_NO_AVX512": "1"]] {
        let indexed = try SigahBinary.run(
          ["search", "--index", path("base.mih"), "--queries", path("queries.npy"), "--out", path("indexed.ivecs")]
            + extra, environment: environment)
        let scanned = try SigahBinary.run(
          [
            "search", "--database", path("base.npy"), "--queries", path("queries.npy"), "--out",
            path("scanned.ivecs"), "--backend", "cpu",
          ] + extra, environment: environment)
        #expect(indexed.status == 0 && scanned.status == 0, "\(indexed.stderr) \(scanned.stderr)")
        for file in ["indexed.ivecs", "scanned.ivecs"] {
          #expect(
            try Data(contentsOf: URL(fileURLWithPath: path("linear.ivecs")))
              == Data(contentsOf: URL(fileURLWithPath: path(file))), "\(extra) \(environment) \(file)")
        }
      }
    }
    let both = try SigahBinary.run(
      [
        "search", "--database", path("base.npy"), "--index", path("base.mih"), "--queries", path("queries.npy"),
        "--out", path("x.ivecs"),
      ])
    #expect(both.status != 0 && both.stderr.contains("either --database"))
  }

  @Test func groundtruthCommandReproducesTheShippedFile() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("gt.ivecs").path
    let run = try SigahBinary.run([
      "groundtruth", "--database", repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_base.fvecs").path,
      "--queries", repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path, "--k", "100",
      "--out", out, "--backend", "cpu",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let ours = try TexmexFormat.readIntegers(out)
    let theirs = try TexmexFormat.readIntegers(
      repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_groundtruth.ivecs").path)
    // Equal rows, except where exact ties are ordered differently (9 rows, data README).
    let differing = (0..<100).filter { q in
      ours.values[(q * 100)..<((q + 1) * 100)] != theirs.values[(q * 100)..<((q + 1) * 100)]
    }
    #expect(differing.count <= 9)
  }

  /// `--label-column -1` (the last column, as the help says) is a value, not an option.
  @Test func aNegativeLabelColumnIsAValue() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let csv = folder.appendingPathComponent("l.csv").path
    try "1,2,7\n3,4,8\n5,6,7\n".write(toFile: csv, atomically: true, encoding: .utf8)
    let out = folder.appendingPathComponent("m.safetensors").path
    let run = try SigahBinary.run([
      "train", csv, "--label-column", "-1", "--method", "lsh", "--bits", "4", "--out", out, "--backend", "cpu",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(try HashModel.read(from: out).inputDimension == 2)
  }

  /// `encode --out -` writes the same .npy bytes to standard output as to a file, and
  /// reads `-` from standard input.
  @Test func encodeWritesNPYToStandardOutput() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path
    let model = folder.appendingPathComponent("m.safetensors").path
    let file = folder.appendingPathComponent("codes.npy").path
    #expect(try SigahBinary.run(["train", data, "--method", "itq", "--bits", "24", "--out", model]).status == 0)
    #expect(try SigahBinary.run(["encode", "--model", model, data, "--out", file]).status == 0)
    let piped = try SigahBinary.run(["encode", "--model", model, data, "--out", "-"])
    #expect(piped.status == 0)
    #expect(piped.output == (try Data(contentsOf: URL(fileURLWithPath: file))))
    // And from standard input, with its kind named.
    let vectors = try Data(contentsOf: URL(fileURLWithPath: data))
    let throughPipes = try SigahBinary.run(
      ["encode", "--model", model, "-", "--format", "fvecs", "--out", "-"], standardInput: vectors)
    #expect(throughPipes.status == 0, "\(throughPipes.stderr)")
    #expect(throughPipes.output == piped.output)
    let unnamed = try SigahBinary.run(["encode", "--model", model, "-", "--out", "-"], standardInput: vectors)
    #expect(unnamed.status == 1 && unnamed.stderr.contains("needs --format"))
  }

  @Test func versionIsPrinted() throws {
    let run = try SigahBinary.run(["--version"])
    #expect(run.status == 0 && run.stdout.hasPrefix("sigah ") && run.stdout.contains("model format"))
  }

  @Test func helpReadsAsAManual() throws {
    let help = try SigahBinary.run(["--help"])
    #expect(help.status == 0)
    for command in ["demo", "train", "encode", "search", "groundtruth", "eval", "devices", "check", "index", "mpirun"] {
      #expect(help.stdout.contains(command), "\(command)")
    }
    let trainHelp = try SigahBinary.run(["train", "--help"])
    #expect(trainHelp.stdout.contains("--learning-rate") && trainHelp.stdout.contains("Example:"))
  }
}

@Suite struct BenchAndVariantTests {
  @Test func quickBenchReportsEveryMeasurementAsJSON() throws {
    let run = try SigahBinary.run(["bench", "--quick", "--json", "--backend", "cpu", "--runs", "1"])
    #expect(run.status == 0, "\(run.stderr)")
    let results = try JSONDecoder().decode([BackendBench].self, from: Data(run.stdout.utf8))
    #expect(results.count == 1)
    let cpu = results[0]
    #expect(cpu.backend.hasPrefix("cpu"))
    #expect(cpu.gemm.count == 3 && cpu.gemm.allSatisfy { $0.gflops.median > 0 })
    // The keys hold rates: GFLOP/s and vectors/s themselves, beside the seconds they came from.
    let raw = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [[String: Any]]
    let gemmRate = ((raw[0]["gemm"] as! [[String: Any]])[0]["gflops"] as! [String: Any])["perSecond"] as! Double
    #expect(abs(gemmRate - cpu.gemm[0].gflops.median) <= 1e-9 * gemmRate)
    let encoding = raw[0]["encodingVectorsPerSecond"] as! [String: Any]
    #expect(abs((encoding["perSecond"] as! Double) - cpu.encodingVectorsPerSecond.median) <= 1e-6)
    // The encoding beside the bus's limit (on the CPU a memory copy).
    #expect((cpu.uploadBytesPerSecond?.median ?? 0) > 0 && (cpu.encodingFractionOfUpload ?? 0) > 0)
    #expect((cpu.byteEncodingVectorsPerSecond?.median ?? 0) > 0 && (cpu.byteEncodingFractionOfUpload ?? 0) > 0)
    #expect((cpu.mlpEncodingVectorsPerSecond?.median ?? 0) > 0)
    #expect(Set(cpu.training.keys) == ["250", "500"])
    #expect(cpu.search.count == 2 && cpu.comparisonsPerSecond > 0)
    #expect((cpu.radiusSearchQueriesPerSecond?.median ?? 0) > 0)
    // A round's fraction is a ratio of two positive rates, one a round, ascending.
    let paired = cpu.pairedTrainingFractionsOfGemm ?? []
    #expect(paired.count == 1 && paired.allSatisfy { $0 > 0 } && paired == paired.sorted())
    #expect((cpu.multiIndexRadiusQueriesPerSecond?.median ?? 0) > 0)
    #expect(cpu.trainingGflops > 0 && cpu.groundTruthQueriesPerSecond.median > 0)
    #expect(Set(cpu.stepCounts.keys) == ["sigah", "sigah-dm"])
    #expect(cpu.stepCounts.values.allSatisfy { $0.operations > 10 && $0.launches == 0 })
    #expect(cpu.clblastGemm == nil)
    // Every product of SiGAH's step, timed alone: X̂ = GΨᵀ among them. The fraction is
    // the training rate over the products' bound (both timed under a parallel test run,
    // so only their relation is asserted, not a range of speeds).
    let stepGemms = cpu.stepGemms ?? []
    #expect(stepGemms.contains { $0.shape == GemmShape(m: 500, n: 784, k: 1568, transposeB: true) })
    #expect(stepGemms.count >= 8 && stepGemms.allSatisfy { $0.perStep >= 1 && $0.gflops.median > 0 })
    #expect(stepGemms.map(\.shape) == stepGemms.map(\.shape).sorted())
    let bound = 500 / stepGemms.reduce(0) { $0 + $1.secondsPerStep }
    #expect(abs((cpu.stepGemmBoundSamplesPerSecond ?? 0) - bound) <= 1e-9 * bound)
    let fraction = cpu.trainingFractionOfStepGemms ?? 0
    #expect(fraction > 0 && abs(fraction - cpu.training["500"]!.median / bound) <= 1e-9 * fraction, "\(fraction)")
    #expect(Set(cpu.methodTraining?.keys ?? [:].keys) == ["hashgan", "gmans", "sgh", "ba"])
    #expect(cpu.methodTraining?.values.allSatisfy { $0.median > 0 && $0.median.isFinite } == true)
  }

  /// CI installs libclblast-dev and PoCL, so there the OpenCL bench must put CLBlast's
  /// SGEMM beside ours and show a step that neither waits nor reads back.
  @Test(
    .enabled(
      if: ProcessInfo.processInfo.environment["CI"] != nil
        || FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/libclblast.so.1"),
      "skipped: no CLBlast here and CI is not set"))
  func openCLBenchShowsCLBlastStepCountsAndProfiles() throws {
    let run = try SigahBinary.run(["bench", "--quick", "--json", "--backend", "opencl", "--runs", "1"])
    #expect(run.status == 0, "\(run.stderr)")
    let results = try JSONDecoder().decode([BackendBench].self, from: Data(run.stdout.utf8))
    let device = try #require(results.first)
    // The graph term on the side queue and in order, each method timed both ways.
    let sideQueue = try #require(device.sideQueueTraining, "no side-queue comparison")
    #expect(
      Set(sideQueue.keys) == ["sigah side queue", "sigah in order", "sigah-dm side queue", "sigah-dm in order"])
    #expect(sideQueue.values.allSatisfy { $0.median > 0 })
    let clblast = try #require(device.clblastGemm, "no CLBlast column")
    #expect(clblast.count == 3 && clblast.allSatisfy { $0.gflops.median > 0 })
    for method in ["sigah", "sigah-dm"] {
      let counts = try #require(device.stepCounts[method])
      #expect(counts.blockingWaits == 0 && counts.deviceToHostBytes == 0 && counts.hostToDeviceBytes == 0, "\(counts)")
      // The profile covers the same step: every launch the counts saw, under its kernel.
      let profile = try #require(device.stepProfiles?[method], "no profile of \(method)")
      #expect(profile.kernels.reduce(0) { $0 + $1.launches } == counts.launches, "\(method)")
      #expect(profile.kernels.contains { $0.kernel.hasPrefix("gemm 500×") })
      #expect(profile.busySeconds > 0 && profile.busySeconds <= profile.spanSeconds * (1 + 1e-9))
    }
    let table = try SigahBinary.run(["bench", "--quick", "--backend", "opencl", "--runs", "1", "--quiet"])
    #expect(table.stdout.contains("CLBlast GEMM 500×1568·784"))
    #expect(table.stdout.contains("| idle between kernels |"))
  }

  /// `sigah tune` records a setting for every product shape of a SiGAH and SiGAH-DM step,
  /// transposed ones included, with its rate beside the default's (and CLBlast's on CI);
  /// a later bench runs each shape at the setting recorded for it.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["CI"] != nil, "skipped: CI runs it (PoCL, a minute)"))
  func tuneRecordsASettingForEveryStepShapeAndBenchUsesIt() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let cache = folder.appendingPathComponent("tuning.json").path
    let tune = try SigahBinary.run(["tune", "--quick"], environment: ["SIGAH_TUNING_CACHE": cache])
    #expect(tune.status == 0, "\(tune.stderr)")
    #expect(tune.stdout.contains("| step shape | chosen setting |"))
    let entries = try JSONDecoder().decode(
      [String: OpenCLTuning].self, from: Data(contentsOf: URL(fileURLWithPath: cache)))
    let tuning = try #require(entries.values.first)
    let shapes = try #require(tuning.gemmShapes)
    // The side queue was timed against the step in order, and the choice recorded.
    #expect(tuning.sideQueue != nil)
    #expect(
      tune.stdout.contains("training sigah on the side queue, batch 500")
        && tune.stdout.contains("training sigah-dm in order, batch 500"))
    let expected = try Throughput.stepGemmShapes()
    #expect(Set(shapes.map(\.shape)) == Set(expected.keys))
    #expect(shapes.contains { $0.shape.transposeA } && shapes.contains { $0.shape.transposeB })
    #expect(shapes.allSatisfy { $0.gflops > 0 && $0.defaultGflops > 0 })
    // A shape that kept the default setting reports the default's own rate.
    #expect(shapes.filter { $0.setting == tuning.gemm }.allSatisfy { $0.gflops == $0.defaultGflops })
    if FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/libclblast.so.1") {
      #expect(shapes.allSatisfy { ($0.clblastGflops ?? 0) > 0 })
    }
    let bench = try SigahBinary.run(
      ["bench", "--quick", "--json", "--backend", "opencl", "--runs", "1"], environment: ["SIGAH_TUNING_CACHE": cache])
    #expect(bench.status == 0, "\(bench.stderr)")
    let device = try #require(try JSONDecoder().decode([BackendBench].self, from: Data(bench.stdout.utf8)).first)
    for gemm in try #require(device.stepGemms) {
      let recorded = shapes.first { $0.shape == gemm.shape }?.setting.description
      #expect(gemm.setting != nil && gemm.setting == recorded, "\(gemm.shape)")
    }
  }

  @Test func trainsSiGAHDMWithValidationSelection() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (base, _) = try EndToEndTests.smallSIFT(in: folder)
    let model = folder.appendingPathComponent("dm.safetensors").path
    let run = try SigahBinary.run([
      "train", base, "--method", "sigah-dm", "--bits", "16", "--epochs", "2", "--batch-size", "250", "--val-size",
      "200", "--val-k", "50", "--ranking-steps", "60", "--ranking-anchors", "64",
      "--backend", "cpu", "--out", model,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("val mAP"))
    guard case .sigah(let trained) = try HashModel.read(from: model) else {
      Issue.record("not a SiGAH model")
      return
    }
    #expect(trained.configuration.method == .sigahDM)
    #expect(trained.configuration.itqStart && trained.configuration.graphTerm == .distanceMatching)
    #expect(try HashModel.read(from: model).method == .sigahDM)
    // Kept: the best validation mAP among the start (epoch 0) and every epoch.
    let summary = trained.summary!
    let start = try #require(summary.startValidationMAP)
    let scores = [(0, start)] + summary.epochs.map { ($0.epoch, $0.validationMAP!) }
    let best = scores.max { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 > $1.0) }!
    #expect(summary.keptEpoch == best.0)
    // Then the ranking stage from the kept epoch: it keeps a step only when it validates
    // better than that epoch did.
    let ranking = try #require(summary.ranking)
    #expect(run.stderr.contains("ranking step"))
    #expect(ranking.neighbours == 50 && ranking.checkpoints.map(\.step) == [60])
    #expect(ranking.startValidationMAP == best.1)
    #expect(ranking.keptStep == (ranking.checkpoints[0].validationMAP! > best.1 ? 60 : 0))
  }
}
