// Runs the `sigah` executable built beside the test bundle.

import Foundation

struct Run {
  let status: Int32
  /// Whether the process ended by a signal (a trap), not by exiting.
  var signalled = false
  /// Standard output as bytes (binary outputs) and as text.
  let output: Data
  let stderr: String
  var stdout: String { String(decoding: output, as: UTF8.self) }
}

enum SigahBinary {
  static var url: URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sigah")
  }

  /// Runs `sigah` (or `executable`) with `arguments`; standard output goes to
  /// `standardOutput` when given (then `stdout` is empty), else it is captured; standard
  /// input is `standardInput`'s bytes or `inputFile`, in `folder` when given.
  static func run(
    _ arguments: [String], environment: [String: String] = [:], standardOutput: FileHandle? = nil,
    standardInput: Data? = nil, inputFile: FileHandle? = nil, executable: URL? = nil, folder: URL? = nil
  ) throws -> Run {
    let process = Process()
    process.executableURL = executable ?? url
    if let folder { process.currentDirectoryURL = folder }
    if let inputFile { process.standardInput = inputFile }
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { _, new in new }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = standardOutput ?? out
    if standardOutput != nil { try out.fileHandleForWriting.close() }
    process.standardError = err
    let input = Pipe()
    if standardInput != nil { process.standardInput = input }
    try process.run()
    if let standardInput {
      // Written from another thread: a large input would fill the pipe while we wait.
      let writer = input.fileHandleForWriting
      Thread.detachNewThread {
        writer.write(standardInput)
        try? writer.close()
      }
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
      status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal, output: outData,
      stderr: String(decoding: errData, as: UTF8.self))
  }
}

/// A fresh folder for one test.
func scratchFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("sigah-cli-\(UUID())")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()
