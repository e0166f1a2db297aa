// One fuzz target per reader: the input bytes become a file of the reader's kind, and the
// reader must either return a consistent result or throw a DataError that names that
// file. Anything else (a trap, another error type, an inconsistent result) stops the run
// as a crash, which libFuzzer keeps as a reproducer.

import CommandOptions
import Foundation
import OpenCL
import SiGAH

enum FuzzTarget: String, CaseIterable {
  case fvecs, bvecs, ivecs, idx
  case idxgz = "idx-gz"
  case npy, csv, model, checkpoint, index
  /// `sigah train`'s options (one argument a line) through the parser and into a job.
  case options
  /// A SiGAH configuration as JSON (what checkpoints and model files hold), decoded and
  /// checked.
  case configuration
  /// Data on standard input (`-`): the first byte picks the --format, the rest is the data.
  case stdin
  /// A tuning cache (`sigah tune`'s JSON), each entry checked against a device's limits.
  case tuning

  /// The target named by SIGAH_FUZZ_TARGET.
  static var current: FuzzTarget {
    let name = ProcessInfo.processInfo.environment["SIGAH_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
      fatalError("set SIGAH_FUZZ_TARGET to one of \(allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
  }

  /// The file name the reader recognises the format by.
  var fileName: String {
    switch self {
    case .fvecs, .bvecs, .ivecs, .npy, .csv: return "input.\(rawValue)"
    case .idx: return "input-images-idx3-ubyte"
    case .idxgz: return "input-images-idx3-ubyte.gz"
    case .model: return "input.safetensors"
    case .checkpoint: return "input.ckpt"
    case .index: return "input.mih"
    case .options: return "options.txt"
    case .configuration: return "configuration.json"
    case .stdin: return "standard-input"
    case .tuning: return "tuning.json"
    }
  }

  static let folder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sigah-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }()

  /// Reads `bytes` as this target's file; says what happened (for replays).
  @discardableResult
  func exercise(_ bytes: Data) -> String {
    let path = Self.folder.appendingPathComponent(fileName).path
    switch self {
    case .options: return exerciseOptions(bytes)
    case .configuration: return exerciseConfiguration(bytes)
    case .stdin: return exerciseStandardInput(bytes)
    case .tuning: return exerciseTuning(bytes)
    default: break
    }
    guard FileManager.default.createFile(atPath: path, contents: bytes) else { fatalError("cannot write \(path)") }
    do {
      switch self {
      case .options, .configuration, .stdin, .tuning: fatalError("handled above")
      case .fvecs, .bvecs, .idx, .idxgz, .npy, .csv:
        let vectors = try Dataset.load(path).vectors
        check(vectors)
        return "read \(vectors.rows) × \(vectors.columns)"
      case .ivecs:
        let (rows, dimension, values) = try TexmexFormat.readIntegers(path)
        require(rows >= 1 && dimension >= 1 && values.count == rows * dimension, "ivecs sizes")
        return "read \(rows) × \(dimension)"
      case .model:
        let model = try HashModel.read(from: path)
        require(model.bits >= 1 && model.inputDimension >= 1, "model sizes")
        return "read a \(model.method.rawValue) model of \(model.bits) bits"
      case .checkpoint:
        let checkpoint = try Checkpoint.read(from: path)
        require(checkpoint.epoch >= 0, "checkpoint epoch")
        return "read a checkpoint of epoch \(checkpoint.epoch)"
      case .index:
        let index = try MultiIndexHash.read(from: path)
        // A file that reads must also answer: one query through every table.
        let query = PackedCodes(
          count: 1, bits: index.codes.bits, words: Array(index.codes.words.prefix(index.codes.wordsPerCode)))
        let found = try index.search(query, k: 1)
        require(found.distances == [0], "an indexed code is its own nearest")
        return "read an index of \(index.codes.count) codes"
      }
    } catch let error as DataError {
      require(error.file == path, "a DataError naming another file: \(error)")
      return "rejected: \(error.position): \(error.message)"
    } catch {
      fatalError("\(self): an error that is not a DataError: \(error)")
    }
  }

  /// Options must parse into a job whose configuration passes its own check, or be refused
  /// by a thrown error; a trap is the crash.
  private func exerciseOptions(_ bytes: Data) -> String {
    let arguments = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    do {
      let job = try TrainingJobOptions.parse(["--out", "/nonexistent/fuzz.safetensors"] + arguments).job()
      require((1...4096).contains(job.bits) && job.epochs >= 0 && job.batchSize >= 1, "job sizes")
      if job.method.isSiGAH {
        do { try job.sigah.check() } catch {
          fatalError("options: a job whose configuration fails its check: \(error)")
        }
      }
      return "parsed a \(job.method.rawValue) job of \(job.bits) bits"
    } catch {
      return "refused: \(TrainingJobOptions.message(for: error).prefix(120))"
    }
  }

  private func exerciseConfiguration(_ bytes: Data) -> String {
    guard let configuration = try? JSONDecoder().decode(SiGAHConfiguration.self, from: bytes) else {
      return "not a configuration"
    }
    do {
      try configuration.check()
      require((1...4096).contains(configuration.bits) && configuration.nearFraction > 0, "checked sizes")
      return "a valid configuration of \(configuration.bits) bits"
    } catch {
      return "refused: \(error)"
    }
  }

  /// Every entry is checked against a small and a large device; an entry that passes has
  /// every knob within its stated bounds (so nothing multiplied from them can overflow).
  private func exerciseTuning(_ bytes: Data) -> String {
    guard let entries = try? JSONDecoder().decode([String: OpenCLTuning].self, from: bytes) else {
      return "not a tuning cache"
    }
    var accepted = 0
    for tuning in entries.values {
      for device in [
        OpenCLDeviceInfo.standIn(maxWorkGroupSize: 256, localMemoryBytes: 32 << 10),
        OpenCLDeviceInfo.standIn(maxWorkGroupSize: 4096, localMemoryBytes: 1 << 20),
      ] where tuning.problem(on: device) == nil {
        require(
          (1...16).contains(tuning.gemmRowsPerItem) && (1...1024).contains(tuning.gemmGroupRows)
            && tuning.gemmGroupRows * tuning.gemmGroupColumns <= device.maxWorkGroupSize, "accepted knobs out of bounds"
        )
        accepted += 1
      }
    }
    return "\(entries.count) entries, \(accepted) accepted"
  }

  /// The bytes become standard input (a file on descriptor 0), read as `-`.
  private func exerciseStandardInput(_ bytes: Data) -> String {
    guard let kind = bytes.first else { return "empty" }
    let format = Dataset.standardInputFormats[Int(kind) % Dataset.standardInputFormats.count]
    let path = Self.folder.appendingPathComponent(fileName).path
    guard FileManager.default.createFile(atPath: path, contents: bytes.dropFirst()) else {
      fatalError("cannot write \(path)")
    }
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0, dup2(descriptor, STDIN_FILENO) >= 0 else { fatalError("cannot redirect standard input") }
    close(descriptor)
    do {
      let vectors = try Dataset.load("-", format: format).vectors
      check(vectors)
      return "read \(vectors.rows) × \(vectors.columns) as \(format)"
    } catch let error as DataError {
      require(error.file == "standard input", "a DataError naming another file: \(error)")
      return "rejected \(format): \(error.position): \(error.message)"
    } catch {
      fatalError("stdin: an error that is not a DataError: \(error)")
    }
  }

  private func check(_ matrix: Matrix) {
    require(matrix.rows >= 1 && matrix.columns >= 1, "an empty matrix")
    require(matrix.values.count == matrix.rows * matrix.columns, "matrix sizes")
    require(matrix.values.allSatisfy(\.isFinite), "non-finite values")
  }

  private func require(_ condition: Bool, _ what: String) {
    if !condition { fatalError("\(self): \(what)") }
  }
}
