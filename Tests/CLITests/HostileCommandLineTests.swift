// The third round of hostile inputs (issue 27): each case crashed, hung, lost a file or
// exited 0 with a wrong answer before its fix; now each is one clear error and a non-zero
// exit, or a right answer.

import Backend
import Foundation
import OpenCL
import SiGAH
import Testing

@Suite struct HostileCommandLineTests {
  let mnist = repositoryRoot.appendingPathComponent("data/mnist/t10k-images-idx3-ubyte.gz").path
  let sift = repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path

  func expectError(_ arguments: [String], contains fragments: [String], status: Int32? = nil) throws {
    let run = try SigahBinary.run(arguments)
    #expect(run.status != 0, "\(arguments) should fail")
    if let status { #expect(run.status == status, "\(arguments): status \(run.status), \(run.stderr)") }
    for fragment in fragments { #expect(run.stderr.contains(fragment), "\(arguments): stderr was: \(run.stderr)") }
    #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Stack dump"), "\(run.stderr)")
  }

  /// Trains `method` on the SIFT queries and encodes them: the path of their codes (.npy).
  func codesOfSIFT(method: String, bits: Int, in folder: URL, encodeOptions: [String] = []) throws -> String {
    let model = folder.appendingPathComponent("m.safetensors").path
    let codes = folder.appendingPathComponent("codes.npy").path
    let trained = try SigahBinary.run(
      ["train", sift, "--method", method, "--bits", "\(bits)", "--out", model, "--backend", "cpu", "-q"])
    #expect(trained.status == 0, "\(trained.stderr)")
    let encoded = try SigahBinary.run(
      ["encode", "--model", model, sift, "--out", codes, "--backend", "cpu", "-q"] + encodeOptions)
    #expect(encoded.status == 0, "\(encoded.stderr)")
    return codes
  }

  /// 64-bit codes read as 16-bit ones had 48 stray bits that overflowed the multi-index
  /// histogram (a segfault) and gave the scan distances above 16.
  /// Spherical Hashing with 4,096 spheres on 300 × 16 (past 300 s before, 45 s now) stops
  /// at the first iteration past --time-budget and writes a model whose spheres each hold
  /// about half the points.
  @Test func sphericalHashingKeepsTheTimeBudget() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var generator = SeededGenerator(seed: 8)
    let data = Matrix(rows: 300, columns: 16, values: (0..<4800).map { _ in Float(generator.uniform()) })
    let path = folder.appendingPathComponent("data.npy").path
    try NPYFormat.write(data, to: path)
    let model = folder.appendingPathComponent("m.safetensors").path
    let started = Date()
    let run = try SigahBinary.run([
      "train", path, "--method", "sph", "--bits", "4096", "--time-budget", "1", "--out", model, "--backend", "cpu",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(Date().timeIntervalSince(started) < 25, "the budget was 1 s")
    #expect(try HashModel.read(from: model).bits == 4096)
  }

  @Test func codesWithBitsPastTheirLengthAreRefused() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let codes = try codesOfSIFT(method: "lsh", bits: 64, in: folder, encodeOptions: ["--words"])
    let index = folder.appendingPathComponent("codes.mih").path
    try expectError(
      ["index", "--database", codes, "--bits", "16", "--substrings", "16", "--out", index],
      contains: [codes, "row 0", "bits set past bit 15"], status: 1)
    #expect(!FileManager.default.fileExists(atPath: index))
    try expectError(
      ["search", "--database", codes, "--queries", codes, "--bits", "16", "--out", "-", "--backend", "cpu"],
      contains: ["bits set past bit 15"], status: 1)
  }

  @Test(arguments: [
    ["--near-fraction", "nan"], ["--near-fraction", "inf"], ["--near-fraction", "1e30"], ["--near-fraction", "-5"],
    ["--learning-rate", "-1"], ["--mu", "-1"], ["--sigma", "-1"], ["--time-budget", "nan"], ["--gamma", "inf"],
    ["--ranking-widest-share", "1.5"], ["--ranking-widest-share", "nan"],
  ])
  func outOfRangeTrainingOptionsAreUsageErrors(_ option: [String]) throws {
    try expectError(
      ["train", sift, "--method", "sigah-dm", "--bits", "8", "--out", "/tmp/unused.safetensors"] + option,
      contains: [option[0]], status: 64)
  }

  @Test func hugeNumbersAreErrorsNotTraps() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let codes = try codesOfSIFT(method: "itq", bits: 16, in: folder)
    let model = folder.appendingPathComponent("m.safetensors").path
    let huge = "9223372036854775807"
    try expectError(["index", "--database", codes, "--bits", huge, "--out", codes + ".mih"], contains: ["--bits"])
    try expectError(
      ["search", "--database", codes, "--queries", codes, "--bits", huge, "--out", "-"], contains: ["--bits"])
    // A radius past the code length reaches every code: the answer, not an overflow.
    let index = folder.appendingPathComponent("codes.mih").path
    #expect(try SigahBinary.run(["index", "--database", codes, "--out", index, "-q"]).status == 0)
    let everything = try SigahBinary.run(
      ["search", "--index", index, "--queries", codes, "--radius", "4294967295", "--out", "-", "-q"])
    #expect(everything.status == 0, "\(everything.stderr)")
    #expect(everything.stdout.split(separator: "\n").count == 100 * 100)
    let csv = folder.appendingPathComponent("data.csv").path
    try "1,2,3\n4,5,6\n".write(toFile: csv, atomically: true, encoding: .utf8)
    try expectError(
      ["train", csv, "--method", "lsh", "--bits", "2", "--label-column", huge, "--out", model],
      contains: [csv, "line 1", "column \(huge)"], status: 1)
    try expectError(["eval", sift, "--methods", "", "--out", folder.path + "/r"], contains: ["--methods"], status: 64)
  }

  /// A K-means Hashing model with an empty mean trapped on `1...Float(0)`; one whose
  /// subspaces add up to 4,800 bits encoded codes that no reader accepts.
  @Test func modelsOutsideTheCodeLengthsAreRefused() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let header = [
      "format": "sigah-model", "method": "kmh", "format_version": "1", "bits": "8",
    ]
    let empty = folder.appendingPathComponent("empty.safetensors").path
    try SafeTensors(
      metadata: header,
      tensors: [
        "mu": .init(shape: [0], values: []), "rotation": .init(shape: [0, 0], values: []),
        "dimensions": .init(shape: [1], values: [1]), "subspace_bits": .init(shape: [1], values: [8]),
        "centres": .init(shape: [256], values: Array(repeating: 0, count: 256)),
      ]
    ).write(to: empty)
    try expectError(["encode", "--model", empty, sift, "--out", "-"], contains: [empty, "kmh model"], status: 1)
    let d = 600
    let long = folder.appendingPathComponent("long.safetensors").path
    try SafeTensors(
      metadata: header,
      tensors: [
        "mu": .init(shape: [d], values: Array(repeating: 0, count: d)),
        "rotation": .init(shape: [d, d], values: Array(repeating: 0, count: d * d)),
        "dimensions": .init(shape: [d], values: Array(repeating: 1, count: d)),
        "subspace_bits": .init(shape: [d], values: Array(repeating: 8, count: d)),
        "centres": .init(shape: [256 * d], values: Array(repeating: 0, count: 256 * d)),
      ]
    ).write(to: long)
    try expectError(["encode", "--model", long, sift, "--out", "-"], contains: [long, "4800 bits"], status: 1)
  }

  /// An output that is an input, or two outputs on one path, destroyed a file with exit 0.
  @Test func anOutputOnAnInputIsRefusedAndTheInputKept() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = folder.appendingPathComponent("data.fvecs").path
    try FileManager.default.copyItem(atPath: sift, toPath: data)
    let before = try Data(contentsOf: URL(fileURLWithPath: data))
    let model = folder.appendingPathComponent("m.safetensors").path
    try expectError(
      ["train", data, "--method", "lsh", "--bits", "8", "--out", data], contains: ["--out", "the data"], status: 1)
    #expect(
      try SigahBinary.run(["train", data, "--method", "lsh", "--bits", "8", "--out", model, "-q"]).status == 0)
    let vectors = folder.appendingPathComponent("vectors.npy").path
    try NPYFormat.write(try Dataset.load(data).vectors, to: vectors)
    let vectorBytes = try Data(contentsOf: URL(fileURLWithPath: vectors))
    try expectError(
      ["encode", "--model", model, vectors, "--out", vectors], contains: ["--out", "the data"], status: 1)
    #expect(try Data(contentsOf: URL(fileURLWithPath: vectors)) == vectorBytes)
    // Through a symbolic link too.
    let link = folder.appendingPathComponent("link.npy").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: vectors)
    try expectError(["encode", "--model", model, link, "--out", vectors], contains: ["the data"], status: 1)
    #expect(try Data(contentsOf: URL(fileURLWithPath: data)) == before)
    let codes = folder.appendingPathComponent("codes.npy").path
    #expect(try SigahBinary.run(["encode", "--model", model, data, "--out", codes, "-q"]).status == 0)
    let ids = folder.appendingPathComponent("ids.ivecs").path
    try expectError(
      ["search", "--database", codes, "--queries", codes, "--out", ids, "--distances-out", ids],
      contains: ["--out", "--distances-out"], status: 1)
    try expectError(
      ["search", "--database", codes, "--queries", codes, "--out", codes], contains: ["--database"], status: 1)
    try expectError(
      ["groundtruth", "--database", vectors, "--queries", data, "--k", "3", "--out", vectors],
      contains: ["--database"], status: 1)
    #expect(try Data(contentsOf: URL(fileURLWithPath: vectors)) == vectorBytes)
    try expectError(
      ["index", "--database", codes, "--out", codes], contains: ["--database"], status: 1)
    try expectError(
      ["train", data, "--method", "sigah", "--bits", "8", "--epochs", "1", "--out", model, "--checkpoint", model],
      contains: ["--checkpoint"], status: 1)
    #expect(try Data(contentsOf: URL(fileURLWithPath: data)) == before)
    #expect(
      try SigahBinary.run(["search", "--database", codes, "--queries", codes, "--out", "-", "--distances-out", "-"])
        .status == 64)
  }

  @Test func aDirectoryOnStandardInputIsAnError() throws {
    let run = try SigahBinary.run(
      ["train", "-", "--format", "fvecs", "--method", "lsh", "--bits", "4", "--out", "/tmp/unused"],
      inputFile: FileHandle(forReadingAtPath: "/"))
    #expect(run.status == 1)
    #expect(run.stderr.contains("standard input") && run.stderr.contains("is a directory"), "\(run.stderr)")
  }

  /// The copy of standard input is private to the user and gone once the data are read.
  @Test func standardInputLeavesNoCopy() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model = folder.appendingPathComponent("m.safetensors").path
    let run = try SigahBinary.run(
      ["train", "-", "--format", "fvecs", "--method", "lsh", "--bits", "8", "--out", model, "-q"],
      environment: ["TMPDIR": folder.path], standardInput: try Data(contentsOf: URL(fileURLWithPath: sift)))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["m.safetensors"])
  }

  /// --resume took the checkpoint's configuration and dropped --bits, --seed and
  /// --batch-size without a word; a validated checkpoint resumed without validation went on
  /// training and then wrote its old kept epoch.
  @Test func resumeRefusesWhatDisagreesWithItsCheckpoint() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (model, saved) = (folder.appendingPathComponent("m.st").path, folder.appendingPathComponent("c.ckpt").path)
    let common = ["--val-k", "10", "--ranking-steps", "0", "--backend", "cpu", "-q"]
    let first = try SigahBinary.run(
      [
        "train", sift, "--method", "sigah-dm", "--bits", "8", "--epochs", "1", "--val-size", "20", "--out", model,
        "--checkpoint", saved,
      ] + common)
    #expect(first.status == 0, "\(first.stderr)")
    let resume = ["train", sift, "--resume", saved, "--epochs", "2", "--out", model] + common
    for (option, value, kept) in [
      ("--bits", "16", "8"), ("--seed", "5", "0"), ("--batch-size", "7", "500"), ("--method", "sigah", "sigah-dm"),
    ] {
      try expectError(
        resume + ["--val-size", "20", option, value], contains: ["\(option) \(value) conflicts", saved, kept],
        status: 64)
    }
    try expectError(resume + ["--val-size", "0"], contains: ["keeps validated epoch", "--val-size"], status: 64)
    let resumed = try SigahBinary.run(resume + ["--val-size", "20", "--bits", "8", "--checkpoint", saved])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    guard case .sigah(let trained) = try HashModel.read(from: model) else {
      Issue.record("not a SiGAH model")
      return
    }
    #expect(trained.configuration.method == .sigahDM && trained.configuration.bits == 8)
    // The file's header names the method (it said sigah for sigah-dm before 0.5).
    #expect(try SafeTensors.read(from: model).metadata["method"] == "sigah-dm")
    #expect(trained.summary?.epochs.map(\.epoch) == [1, 2])
  }

  /// `eval --groundtruth` without the queries it was made for scored drawn queries against
  /// another query set's neighbours (ITQ 0.0076 for 0.1058), exit 0; its table went to
  /// standard error, so `sigah eval … > table.md` was empty.
  @Test func evalScoresTheRightQueriesAndPrintsItsTable() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let truth = repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_groundtruth.ivecs").path
    try expectError(
      ["eval", sift, "--groundtruth", truth, "--k", "100", "--methods", "lsh", "--out", folder.path + "/r"],
      contains: ["--groundtruth needs the --query-file"], status: 64)
    let run = try SigahBinary.run([
      "eval", sift, "--queries", "10", "--k", "5", "--methods", "lsh", "--bits", "8", "--backend", "cpu", "--out",
      folder.path + "/table",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("| lsh |") && !run.stderr.contains("| lsh |"), "\(run.stdout)")
  }

  /// Messages that misled: a finite 1e300 read as "found inf", a tab-separated file whose
  /// first line passed for a header, an `eval --out` on a file answered in Foundation's words.
  @Test func messagesSayWhatWasFound() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    // A 2 × 2 float64 .npy holding 1e300.
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"
    header += String(repeating: " ", count: 128 - 10 - header.count - 1) + "\n"
    var bytes = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8))
    for value in [1e300, 2, 3, 4] {
      withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }
    let big = folder.appendingPathComponent("big.npy").path
    try bytes.write(to: URL(fileURLWithPath: big))
    let model = folder.appendingPathComponent("m.st").path
    try expectError(
      ["train", big, "--method", "lsh", "--bits", "2", "--out", model],
      contains: [big, "row 0, column 0", "Float32's range", "1e+300"], status: 1)
    let tabs = folder.appendingPathComponent("tabs.csv").path
    try "1\t2\t3\n4\t5\t6\n".write(toFile: tabs, atomically: true, encoding: .utf8)
    try expectError(
      ["train", tabs, "--method", "lsh", "--bits", "2", "--out", model],
      contains: [tabs, "line 1", "tab-separated"], status: 1)
    try expectError(
      ["eval", sift, "--queries", "5", "--k", "3", "--methods", "lsh", "--bits", "8", "--out", tabs],
      contains: [tabs, "is a file; the report is a folder"], status: 1)
    try expectError(
      ["eval", sift, "--queries", "5", "--k", "3", "--methods", "lsh", "--bits", "8", "--out", tabs + "/report"],
      contains: ["cannot be made as the report's folder: Not a directory"], status: 1)
  }

  /// A 400 KB gzip stream that inflates to 100,000 images of 64 × 64 under `ulimit -v`
  /// (2 GB) ended in Swift's "failed to allocate"; now an error naming the file and size.
  @Test func aFileTooLargeForTheMemoryIsAnError() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let bomb = folder.appendingPathComponent("bomb-images-idx3-ubyte.gz").path
    let sizes = #"\000\000\010\003\000\001\206\240\000\000\000\100\000\000\000\100"#
    let script = """
      { printf '\(sizes)'; head -c 409600000 /dev/zero; } | gzip -1 > '\(bomb)'
      ulimit -v 2000000
      exec '\(SigahBinary.url.path)' train '\(bomb)' --method lsh --bits 8 --out '\(folder.path)/m.st' --backend cpu
      """
    let run = try SigahBinary.run(["-c", script], executable: URL(fileURLWithPath: "/bin/sh"))
    let message = run.stderr
    #expect(run.status == 1, "\(message)")
    #expect(message.contains(bomb) && message.contains("100000 × 4096") && message.contains("ulimit -v"), "\(message)")
    #expect(!message.contains("Fatal error"))
  }

  /// A tuning cache whose sizes overflowed (2³² rows a group) trapped every OpenCL command,
  /// and a huge rows-per-item hung PoCL's compiler, `sigah check` included.
  @Test(arguments: [("gemmRowsPerItem", 1 << 31), ("gemmGroupRows", 1 << 32)])
  func aHostileTuningCacheIsAnErrorNamingIt(field: String, value: Int) throws {
    let devices = try OpenCLDevices.all()
    guard let device = devices.first else {
      #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI has PoCL: the OpenCL cases must run")
      return
    }
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var entry =
      try JSONSerialization.jsonObject(with: JSONEncoder().encode(OpenCLTuning.defaults(for: device)))
      as! [String: Any]
    entry[field] = value
    let cache = folder.appendingPathComponent("tuning.json").path
    try JSONSerialization.data(withJSONObject: [TuningCache.key(for: device): entry]).write(
      to: URL(fileURLWithPath: cache))
    let run = try SigahBinary.run(
      ["check", "--backend", "opencl", "--device", "\(device.index)"], environment: ["SIGAH_TUNING_CACHE": cache])
    #expect(run.status != 0)
    #expect(run.stderr.contains(cache) && run.stderr.contains("is outside"), "\(run.stderr)")
    #expect(!run.stderr.contains("Fatal error"))
  }
}
