// `sigah-mpi` under `mpirun` on this machine writes the files `sigah` writes with one
// process: encode, search (ids and distances) and ground truth, with 2 ranks and with 3
// (uneven shares of the rows); its training, of the linear methods and data-parallel of the
// learned ones, fits the one-process model up to the order of the sums.

import Backend
import Foundation
import SiGAH
import Testing

/// Runs `sigah-mpi` on `ranks` processes through mpirun.
enum MPIRun {
  static var binary: URL { SigahBinary.url.deletingLastPathComponent().appendingPathComponent("sigah-mpi") }
  /// Whether this build has `sigah-mpi` (Open MPI was installed).
  static var built: Bool { FileManager.default.fileExists(atPath: binary.path) }

  /// Runs under `timeout` when given a limit in seconds (exit 124 past it).
  static func run(ranks: Int, _ arguments: [String], timeLimit: Int? = nil) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let limit = timeLimit.map { ["timeout", "--kill-after=5", "\($0)"] } ?? []
    process.arguments =
      limit + ["mpirun", "--oversubscribe", "--allow-run-as-root", "-np", "\(ranks)", binary.path] + arguments
    var environment = ProcessInfo.processInfo.environment
    // Containers often forbid the cross-memory attach of Open MPI's shared-memory transport.
    environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
    process.environment = environment
    let (out, err) = (Pipe(), Pipe())
    (process.standardOutput, process.standardError) = (out, err)
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, output: output, stderr: String(decoding: errors, as: UTF8.self))
  }
}

@Suite(.serialized) struct MPITests {
  /// CI installs Open MPI, so there `sigah-mpi` must have been built and run.
  @Test func builtWhereCIRuns() {
    if ProcessInfo.processInfo.environment["CI"] != nil {
      #expect(FileManager.default.fileExists(atPath: MPIRun.binary.path), "CI must build sigah-mpi (libopenmpi-dev)")
    }
  }

  @Test(
    .enabled(
      if: FileManager.default.fileExists(atPath: MPIRun.binary.path), "skipped: sigah-mpi was not built (no MPI)"),
    arguments: [2, 3])
  func shardedRunsWriteTheSingleProcessFiles(ranks: Int) throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (base, queries) = try EndToEndTests.smallSIFT(in: folder)
    let path = { (name: String) in folder.appendingPathComponent(name).path }
    func same(_ a: String, _ b: String) throws -> Bool {
      try Data(contentsOf: URL(fileURLWithPath: path(a))) == Data(contentsOf: URL(fileURLWithPath: path(b)))
    }
    #expect(
      try SigahBinary.run(["train", base, "--method", "itq", "--bits", "40", "--out", path("m.safetensors")]).status
        == 0)
    for (input, name) in [(base, "base"), (queries, "queries")] {
      #expect(
        try SigahBinary.run(["encode", "--model", path("m.safetensors"), input, "--out", path("\(name)-1.npy")]).status
          == 0)
    }
    let encode = try MPIRun.run(
      ranks: ranks, ["encode", "--model", path("m.safetensors"), base, "--out", path("base-n.npy")])
    #expect(encode.status == 0, "\(encode.stderr)")
    #expect(try same("base-1.npy", "base-n.npy"))

    let search = ["--database", path("base-1.npy"), "--queries", path("queries-1.npy"), "--k", "30"]
    #expect(
      try SigahBinary.run(
        ["search"] + search + ["--out", path("ids-1.ivecs"), "--distances-out", path("d-1.ivecs"), "--backend", "cpu"]
      ).status == 0)
    let sharded = try MPIRun.run(
      ranks: ranks, ["search"] + search + ["--out", path("ids-n.ivecs"), "--distances-out", path("d-n.ivecs")])
    #expect(sharded.status == 0, "\(sharded.stderr)")
    #expect(try same("ids-1.ivecs", "ids-n.ivecs") && same("d-1.ivecs", "d-n.ivecs"))
    // Radius search: the (query, id, distance) rows of one scan, matches from every rank.
    let within = ["--database", path("base-1.npy"), "--queries", path("queries-1.npy"), "--radius", "9"]
    #expect(try SigahBinary.run(["search"] + within + ["--out", path("r-1.npy"), "--backend", "cpu"]).status == 0)
    let shardedWithin = try MPIRun.run(ranks: ranks, ["search"] + within + ["--out", path("r-n.npy")])
    #expect(shardedWithin.status == 0, "\(shardedWithin.stderr)")
    #expect(try same("r-1.npy", "r-n.npy"))
    let matches = try NPYFormat.readIntegers(path("r-n.npy"))
    #expect(matches.columns == 3 && matches.rows >= 20, "radius 9 should find matches: \(matches.rows)")

    let truth = ["--database", base, "--queries", queries, "--k", "50"]
    #expect(
      try SigahBinary.run(["groundtruth"] + truth + ["--out", path("gt-1.ivecs"), "--backend", "cpu"]).status == 0)
    let shardedTruth = try MPIRun.run(ranks: ranks, ["groundtruth"] + truth + ["--out", path("gt-n.ivecs")])
    #expect(shardedTruth.status == 0, "\(shardedTruth.stderr)")
    #expect(try same("gt-1.ivecs", "gt-n.ivecs"))
  }

  /// LSH's model is the one-process model exactly; PCAH's differs by summation order
  /// (its codes by at most 1 bit in 10,000); ITQ's 50 alternations can turn such a
  /// difference into a few flipped signs of B and so a slightly other rotation (its codes
  /// by at most 2 %, about 0.9 % measured).
  @Test(.enabled(if: MPIRun.built, "skipped: sigah-mpi was not built (no MPI)"), arguments: [2, 3])
  func shardedTrainingFitsTheSingleProcessModel(ranks: Int) throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (base, _) = try EndToEndTests.smallSIFT(in: folder)
    let path = { (name: String) in folder.appendingPathComponent(name).path }
    let vectors = try TexmexFormat.readVectors(base)
    for (method, allowed) in [("lsh", 0.0), ("pcah", 1e-4), ("itq", 0.02)] {
      let one = try SigahBinary.run([
        "train", base, "--method", method, "--bits", "32", "--out", path("\(method)-1.st"),
      ])
      let shared = try MPIRun.run(
        ranks: ranks, ["train", base, "--method", method, "--bits", "32", "--out", path("\(method)-n.st")])
      #expect(one.status == 0 && shared.status == 0, "\(shared.stderr)")
      let backend = try CPUBackend()
      let a = try HashModel.read(from: path("\(method)-1.st")).encode(vectors, backend: backend)
      let b = try HashModel.read(from: path("\(method)-n.st")).encode(vectors, backend: backend)
      let differing = zip(a.words, b.words).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
      #expect(
        Double(differing) <= allowed * Double(vectors.rows * 32), "\(method), \(ranks) ranks: \(differing) bits differ")
    }
  }

  /// The learned methods trained data-parallel: every step each rank takes its rows of the
  /// one process's batch and the gradients are summed (SiGAH's graph terms on the gathered
  /// batch), so the weights are the one process's up to the order of the sums:
  /// `max |a − b| / max |a|` per tensor, measured 3e-7 for SGH, 1.5e-6 for SiGAH and
  /// SiGAH-DM, 7e-4 for HashGAN and GMANs. Adam turns rounding in near-zero gradients into
  /// steps of up to the learning rate, so the GANs, with terms whose gradient is a small
  /// difference (HashGAN's uniform frequency, `log(f/(1 − f))` near f = ½), drift most. The
  /// batch of 333 leaves a last batch of 2 rows, so with 3 ranks one steps on a stand-in.
  /// SiGAH-DM starts without ITQ here: BA, which starts from ITQ, whose codes may differ by
  /// 2 % (above), is held to that on its codes.
  @Test(.enabled(if: MPIRun.built, "skipped: sigah-mpi was not built (no MPI)"), arguments: [2, 3])
  func dataParallelTrainingFitsTheSingleProcessWeights(ranks: Int) throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (base, _) = try EndToEndTests.smallSIFT(in: folder)
    let path = { (name: String) in folder.appendingPathComponent(name).path }
    let runs: [(method: String, options: [String], tolerance: Float)] = [
      ("sgh", ["--epochs", "3", "--batch-size", "333"], 1e-5),
      ("hashgan", ["--epochs", "2", "--hashgan-warm-up", "0"], 2e-3),
      ("gmans", ["--epochs", "2", "--gmans-pretrain-epochs", "1", "--gmans-batch-size", "500"], 1e-2),
      ("ba", ["--epochs", "3"], 0),
      ("sigah", ["--epochs", "2", "--batch-size", "333"], 1e-4),
      (
        "sigah-dm",
        ["--epochs", "2", "--batch-size", "333", "--itq-start", "false", "--val-size", "0", "--ranking-steps", "0"],
        1e-4
      ),
      // With its ranking stage and residual over 1 epoch and 50 steps. Since half the
      // anchors of a 24-bit code take the widest neighbourhood, the stage's offset `c`
      // differs by 2.2e-4 (2 ranks) to 2.6e-4 (3 ranks), about ten times what every
      // neighbourhood alike gave, and `W` by 6e-6: Adam's first steps on an offset whose
      // gradient sums to nearly 0 follow the rounding of that sum, which the ranks change.
      (
        "sigah-dm",
        ["--epochs", "1", "--batch-size", "333", "--itq-start", "false", "--val-size", "0", "--ranking-steps", "50"],
        1e-3
      ),
    ]
    for run in runs {
      let arguments = ["train", base, "--method", run.method, "--bits", "24"] + run.options
      let one = try SigahBinary.run(arguments + ["--backend", "cpu", "--out", path("\(run.method)-1.st")])
      let shared = try MPIRun.run(ranks: ranks, arguments + ["--out", path("\(run.method)-n.st")])
      #expect(one.status == 0 && shared.status == 0, "\(run.method): \(one.stderr) \(shared.stderr)")
      let (a, b) = (
        try HashModel.read(from: path("\(run.method)-1.st")), try HashModel.read(from: path("\(run.method)-n.st"))
      )
      switch (a, b) {
      case (.linear(let a, let method), .linear(let b, _)) where method == .sgh:
        #expect(relativeDifference(a.projection, b.projection) <= run.tolerance, "sgh, \(ranks) ranks")
        #expect(relativeDifference(a.offset, b.offset) <= run.tolerance, "sgh, \(ranks) ranks")
        #expect(a.mean == b.mean)
      case (.linear, .linear):
        let vectors = try TexmexFormat.readVectors(base)
        let backend = try CPUBackend()
        let (x, y) = (try a.encode(vectors, backend: backend), try b.encode(vectors, backend: backend))
        let differing = zip(x.words, y.words).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
        #expect(Double(differing) <= 0.02 * Double(vectors.rows * 24), "ba, \(ranks) ranks: \(differing) bits differ")
      case (.deep(let a, _), .deep(let b, _)):
        #expect(a.layers.count == b.layers.count && a.mean == b.mean)
        for (x, y) in zip(a.layers, b.layers) {
          #expect(relativeDifference(x.weight, y.weight) <= run.tolerance, "\(run.method), \(ranks) ranks")
          #expect(relativeDifference(x.bias, y.bias) <= run.tolerance, "\(run.method), \(ranks) ranks")
        }
      case (.sigah(let a), .sigah(let b)):
        #expect(a.weights.tensors.keys.sorted() == b.weights.tensors.keys.sorted())
        for (name, x) in a.weights.tensors {
          let difference = relativeDifference(x, b.weights.tensors[name] ?? [])
          #expect(difference <= run.tolerance, "\(run.method) \(name), \(ranks) ranks")
        }
        // The residual starts at U = 0, where Adam's first steps on V follow the signs of
        // gradients within rounding of 0: its weights move apart by ~0.5 % across thread and
        // process counts, its codes hardly (1 bit of 48,000 measured with 2 ranks).
        #expect((a.weights.residual == nil) == (b.weights.residual == nil))
        if a.weights.residual != nil {
          let vectors = try TexmexFormat.readVectors(base)
          let backend = try CPUBackend()
          let (x, y) = (
            try a.hashFunction.encode(vectors, backend: backend), try b.hashFunction.encode(vectors, backend: backend)
          )
          let differing = zip(x.words, y.words).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
          #expect(Double(differing) <= 0.01 * Double(vectors.rows * 24), "sigah-dm: \(differing) bits differ")
        }
      default: Issue.record("\(run.method): not the model kinds expected")
      }
    }
  }

  /// Rank 0 writes SiGAH's checkpoints; every rank resumes from one, and the resumed run
  /// is the uninterrupted one bit for bit. A checkpoint rank 0 cannot write is one clear
  /// error that stops every rank (the others would wait in the next sum).
  @Test(.enabled(if: MPIRun.built, "skipped: sigah-mpi was not built (no MPI)"))
  func checkpointsAreRankZerosAndResumeExactly() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (base, _) = try EndToEndTests.smallSIFT(in: folder)
    let path = { (name: String) in folder.appendingPathComponent(name).path }
    let train = ["train", base, "--method", "sigah-dm", "--bits", "16", "--val-size", "100"]
    let whole = try MPIRun.run(ranks: 2, train + ["--epochs", "2", "--out", path("whole.st")])
    #expect(whole.status == 0, "\(whole.stderr)")
    #expect(whole.stderr.contains("validation mAP"))
    let first = try MPIRun.run(
      ranks: 2, train + ["--epochs", "1", "--checkpoint", path("c.ck"), "--out", path("first.st")])
    #expect(first.status == 0, "\(first.stderr)")
    let resumed = try MPIRun.run(ranks: 2, train + ["--epochs", "2", "--resume", path("c.ck"), "--out", path("r.st")])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    guard case .sigah(let a) = try HashModel.read(from: path("whole.st")),
      case .sigah(let b) = try HashModel.read(from: path("r.st"))
    else {
      Issue.record("not SiGAH models")
      return
    }
    #expect(a.weights.tensors == b.weights.tensors)

    let unwritable = try MPIRun.run(
      ranks: 2, train + ["--epochs", "1", "--checkpoint", "/nonexistent/c.ck", "--out", path("x.st")])
    #expect(unwritable.status != 0)
    #expect(unwritable.stderr.contains("/nonexistent/c.ck"), "\(unwritable.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("x.st")))
  }

  /// `max |a − b| / max |a|`.
  private func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    let largest = a.map { abs($0) }.max() ?? 0
    let difference = zip(a, b).map { abs($0 - $1) }.max() ?? 0
    return difference / max(largest, .leastNormalMagnitude)
  }

  /// With --backend opencl each rank opens the OpenCL device its local rank names (PoCL
  /// in CI): the codes are those one process writes on the same device.
  @Test(.enabled(if: MPIRun.built, "skipped: sigah-mpi was not built (no MPI)"))
  func ranksOnOpenCLWriteTheSingleProcessFile() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (base, _) = try EndToEndTests.smallSIFT(in: folder)
    let path = { (name: String) in folder.appendingPathComponent(name).path }
    #expect(try SigahBinary.run(["train", base, "--method", "itq", "--bits", "48", "--out", path("m.st")]).status == 0)
    let one = try SigahBinary.run(
      ["encode", "--model", path("m.st"), base, "--out", path("one.npy"), "--backend", "opencl"])
    if one.status != 0 {
      // No OpenCL device here: allowed only off CI, where PoCL is installed.
      #expect(ProcessInfo.processInfo.environment["CI"] == nil, "\(one.stderr)")
      return
    }
    let shared = try MPIRun.run(
      ranks: 2, ["encode", "--model", path("m.st"), base, "--out", path("two.npy"), "--backend", "opencl"])
    #expect(shared.status == 0, "\(shared.stderr)")
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: path("one.npy")))
        == Data(contentsOf: URL(fileURLWithPath: path("two.npy"))))

    // Data-parallel training with the ranks' buffers on the device (SGH: 3e-7 measured).
    let train = ["train", base, "--method", "sgh", "--bits", "16", "--epochs", "2", "--backend", "opencl"]
    #expect(try SigahBinary.run(train + ["--out", path("sgh-1.st")]).status == 0)
    let trained = try MPIRun.run(ranks: 2, train + ["--out", path("sgh-2.st")])
    #expect(trained.status == 0, "\(trained.stderr)")
    guard case .linear(let a, _) = try HashModel.read(from: path("sgh-1.st")),
      case .linear(let b, _) = try HashModel.read(from: path("sgh-2.st"))
    else {
      Issue.record("not linear models")
      return
    }
    #expect(relativeDifference(a.projection, b.projection) <= 1e-5)
  }

  @Test(
    .enabled(
      if: FileManager.default.fileExists(atPath: MPIRun.binary.path), "skipped: sigah-mpi was not built (no MPI)"))
  func aBadInputIsOneClearErrorNotAHang() throws {
    let run = try MPIRun.run(
      ranks: 2, ["search", "--database", "/nonexistent.npy", "--queries", "/nonexistent.npy", "--out", "/tmp/x.ivecs"])
    #expect(run.status != 0)
    #expect(run.stderr.contains("/nonexistent.npy"))
  }
  /// A bad record that only rank 2 reads: every rank ends, every time, with rank 2's
  /// message and no output (before, 3–4 runs in 10 hung or crashed in MPI_Abort).
  @Test(.enabled(if: MPIRun.built, "skipped: sigah-mpi was not built (no MPI)"))
  func aBadRecordOnlyAnotherRankReadsEndsEveryRankEveryTime() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var good = Data()
    var generator = SeededGenerator(seed: 5)
    for _ in 0..<30 {
      withUnsafeBytes(of: Int32(4).littleEndian) { good.append(contentsOf: $0) }
      for _ in 0..<4 {
        withUnsafeBytes(of: Float(generator.uniform()).bitPattern.littleEndian) { good.append(contentsOf: $0) }
      }
    }
    let goodPath = folder.appendingPathComponent("good.fvecs").path
    try good.write(to: URL(fileURLWithPath: goodPath))
    var bad = good
    bad[29 * 20] = 5  // record 29's dimension: in rank 2's share of 3
    let badPath = folder.appendingPathComponent("bad.fvecs").path
    try bad.write(to: URL(fileURLWithPath: badPath))
    let model = folder.appendingPathComponent("m.safetensors").path
    #expect(try SigahBinary.run(["train", goodPath, "--method", "lsh", "--bits", "8", "--out", model]).status == 0)
    let out = folder.appendingPathComponent("codes.npy").path
    for attempt in 0..<20 {
      let run = try MPIRun.run(
        ranks: 3, ["encode", "--model", model, badPath, "--out", out, "--backend", "cpu"], timeLimit: 60)
      #expect(run.status != 0 && run.status != 124, "attempt \(attempt): \(run.status)")
      #expect(run.stderr.contains("rank 2:") && run.stderr.contains("bad.fvecs"), "attempt \(attempt): \(run.stderr)")
      #expect(!run.stderr.contains("MPI_ABORT") && !run.stderr.contains("Segmentation"), "\(run.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out))
    }
  }

}
