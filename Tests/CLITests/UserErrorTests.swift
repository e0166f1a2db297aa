// Each user error: one sentence naming what and where, a non-zero exit, no stack trace,
// and no output file left behind.

import Foundation
import SiGAH
import Testing

@Suite struct UserErrorTests {
  func expectError(
    _ arguments: [String], contains fragments: [String], status: Int32? = nil, noFile: String? = nil,
    environment: [String: String] = [:]
  ) throws {
    let run = try SigahBinary.run(arguments, environment: environment)
    #expect(run.status != 0, "\(arguments) should fail")
    if let status { #expect(run.status == status, "\(arguments): status \(run.status)") }
    for fragment in fragments { #expect(run.stderr.contains(fragment), "\(arguments): stderr was: \(run.stderr)") }
    #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Stack dump"))
    if let noFile { #expect(!FileManager.default.fileExists(atPath: noFile), "\(noFile) was left behind") }
  }

  @Test func missingFile() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("m.safetensors").path
    try expectError(
      ["train", "/nonexistent/data.fvecs", "--out", out, "--backend", "cpu"],
      contains: ["/nonexistent/data.fvecs", "no such file"], status: 1, noFile: out)
  }

  @Test func truncatedFile() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = folder.appendingPathComponent("bad.fvecs").path
    try TexmexFormat.writeVectors(Matrix(rows: 3, columns: 4, values: Array(repeating: 1, count: 12)), to: data)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: data))
    try handle.truncate(atOffset: 50)
    try handle.close()
    let out = folder.appendingPathComponent("m.safetensors").path
    try expectError(
      ["train", data, "--method", "lsh", "--bits", "8", "--out", out, "--backend", "cpu"],
      contains: [data, "record 2", "truncated"], status: 1, noFile: out)
  }

  @Test func dimensionMismatchBetweenModelAndData() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let a = folder.appendingPathComponent("a.fvecs").path
    let b = folder.appendingPathComponent("b.fvecs").path
    try TexmexFormat.writeVectors(Matrix(rows: 20, columns: 4, values: (0..<80).map { Float($0 % 7) }), to: a)
    try TexmexFormat.writeVectors(Matrix(rows: 20, columns: 5, values: (0..<100).map { Float($0 % 7) }), to: b)
    let model = folder.appendingPathComponent("m.safetensors").path
    #expect(
      try SigahBinary.run(["train", a, "--method", "lsh", "--bits", "8", "--out", model, "--backend", "cpu", "-q"])
        .status == 0)
    let codes = folder.appendingPathComponent("codes.npy").path
    try expectError(
      ["encode", "--model", model, b, "--out", codes, "--backend", "cpu"], contains: ["dimension 5", "expects 4"],
      status: 1, noFile: codes)
  }

  /// Options a method does not use are refused, not ignored.
  @Test func optionsOfAnotherMethodAreRefused() throws {
    for method in ["hashgan", "itq"] {
      try expectError(
        ["train", "data.fvecs", "--method", method, "--checkpoint-every", "1", "--out", "m.safetensors"],
        contains: ["SiGAH's", method], status: 64)
    }
    try expectError(
      ["train", "data.fvecs", "--method", "ba", "--ba-flip-passes", "0", "--out", "m.safetensors"],
      contains: ["--ba-flip-passes"], status: 64)
  }

  @Test func bitsOutOfRange() throws {
    try expectError(
      ["train", "x.fvecs", "--bits", "5000", "--out", "m"], contains: ["--bits must be between 1 and 4096, got 5000"],
      status: 64)
    try expectError(
      ["eval", "x.fvecs", "--bits", "32,0"], contains: ["--bits must be a comma-separated list"], status: 64)
  }

  @Test func unknownBackendAndDevice() throws {
    let data = repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("gt.ivecs").path
    try expectError(
      ["groundtruth", "--database", data, "--queries", data, "--k", "5", "--out", out, "--backend", "cuda"],
      contains: ["'cuda' is invalid for '--backend", "'auto', 'cpu' or 'opencl'"], status: 64, noFile: out)
    // Every command reads --backend alike: bench once measured nothing for a typo, exit 0.
    try expectError(
      ["bench", "--quick", "--backend", "typo"], contains: ["'typo' is invalid for '--backend"], status: 64)
    #expect(
      try SigahBinary.run([
        "groundtruth", "--database", data, "--queries", data, "--k", "5", "--out", out + ".any-case.ivecs", "--backend",
        "CPU", "-q",
      ])
      .status == 0)
    try expectError(
      ["groundtruth", "--database", data, "--queries", data, "--k", "5", "--out", out],
      contains: ["SIGAH_BACKEND", "unknown backend 'metal'"], status: 1, noFile: out,
      environment: ["SIGAH_BACKEND": "metal"])
    try expectError(
      [
        "groundtruth", "--database", data, "--queries", data, "--k", "5", "--out", out, "--backend", "opencl",
        "--device", "99",
      ],
      contains: ["no OpenCL device 99"], status: 1, noFile: out)
  }

  @Test func aDeviceNumberWithTheCPUIsAnError() throws {
    let data = repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("m.safetensors").path
    try expectError(
      ["train", data, "--method", "lsh", "--bits", "8", "--backend", "cpu", "--device", "0", "--out", out],
      contains: ["--device", "cpu backend takes none"], status: 1, noFile: out)
  }

  /// Results that could not be written are a failure: standard output on a full device.
  @Test func aFullStandardOutputIsAnError() throws {
    let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
    let run = try SigahBinary.run(["devices"], standardOutput: full)
    #expect(run.status == 1, "exit \(run.status): \(run.stderr)")
    #expect(run.stderr.contains("standard output") && run.stderr.contains("No space left on device"))
  }

  /// Every catchable terminating signal while a model file is being written: the process
  /// ends by the signal, and neither the model nor its hidden temporary file is left.
  @Test(arguments: [SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGXFSZ])
  func aKilledWriteLeavesNothing(_ signalNumber: Int32) throws {
    let data = repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("m.safetensors").path
    let process = Process()
    process.executableURL = SigahBinary.url
    process.arguments = ["train", data, "--method", "lsh", "--bits", "8", "--out", out, "--quiet"]
    process.environment = ProcessInfo.processInfo.environment.merging(["SIGAH_TEST_WRITE_PAUSE": "30"]) { $1 }
    try process.run()
    // Wait for the temporary file to appear, then signal.
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline,
      (try FileManager.default.contentsOfDirectory(atPath: folder.path)).isEmpty
    {
      Thread.sleep(forTimeInterval: 0.05)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1, "no temporary file appeared")
    kill(process.processIdentifier, signalNumber)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signalNumber)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "files were left behind")
  }

  /// Away from a checkout, `demo` looks for its data beside the executable too (the
  /// bundle's data/ above bin/), and says where it looked.
  @Test func demoLooksForItsDataBesideTheExecutable() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try SigahBinary.run(
      ["demo", "--bits", "8", "--out", folder.appendingPathComponent("report").path], folder: folder)
    let message = run.stderr
    let besideExecutable = SigahBinary.url.deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("data/mnist/t10k-images-idx3-ubyte.gz").path
    #expect(run.status == 1)
    #expect(message.contains(besideExecutable) && message.contains("--data"), "\(message)")
  }

  @Test func malformedModelFile() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model = folder.appendingPathComponent("bad.safetensors").path
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: model))
    let data = repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path
    let out = folder.appendingPathComponent("c.npy").path
    try expectError(
      ["encode", "--model", model, data, "--out", out], contains: [model, "byte 0", "8-byte safetensors header"],
      status: 1, noFile: out)
  }
}
