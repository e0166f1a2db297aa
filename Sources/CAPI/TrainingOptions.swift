// The C API's training options: "key=value" pairs, each a long option of `sigah train`,
// parsed by the command line's own option group so that every default and check is the
// command line's and a model trained from C or Python equals the command line's.

import ArgumentParser
import CommandOptions
import Foundation
import SiGAH

enum TrainingOptions {
  /// Keys that are arguments of the C function or of the backend, not options here.
  static let refused: Set<String> = ["out", "o", "method", "backend", "device", "threads"]

  /// The job of `method` with `options` ("bits=64 epochs=5", spaces or newlines between).
  static func job(method: String, options: String) throws -> TrainingJob {
    var arguments = ["--out", "(returned)", "--method", method]
    for pair in options.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
      guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
        throw ArgumentError("options: expected key=value, found '\(pair)'")
      }
      let key = String(pair[..<equals])
      guard !key.hasPrefix("-") else {
        throw ArgumentError("options: write '\(key.drop { $0 == "-" })=…' without dashes")
      }
      guard !refused.contains(key) else {
        throw ArgumentError("options: '\(key)' is an argument of the function, not an option")
      }
      arguments += ["--\(key)", String(pair[pair.index(after: equals)...])]
    }
    let parsed: TrainingJobOptions
    do {
      parsed = try TrainingJobOptions.parse(arguments)
    } catch {
      // The parser speaks of command-line options; here they are keys without dashes.
      let message = TrainingJobOptions.message(for: error).replacingOccurrences(of: "'--", with: "'")
      throw ArgumentError("options: \(message.components(separatedBy: " Did you mean").first ?? message)")
    }
    guard parsed.checkpointPath == nil || arguments.contains("--checkpoint") else {
      throw ArgumentError("options: checkpoint-every needs checkpoint=PATH (there is no model path to derive it from)")
    }
    do {
      return try parsed.job()
    } catch let error as ValidationError {
      throw ArgumentError("options: \(error.message)")
    }
  }
}
