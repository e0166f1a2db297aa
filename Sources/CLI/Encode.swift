// `sigah encode`: model + vectors → packed codes.

import ArgumentParser
import CommandOptions
import Foundation
import SiGAH

struct Encode: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Encode vectors into packed binary codes with a model file.",
    discussion: """
      Writes a .npy array of uint8 with ⌈r/8⌉ bytes a row (bit k in byte k/8 at position \
      k%8, as numpy.packbits(..., bitorder="little") and Faiss read them), or with --words \
      the library's native form: uint64 rows of ⌈r/64⌉ little-endian words.
      """)

  @Option(help: "Model file written by `sigah train`.") var model: String
  @Argument(help: "Vectors to encode (any supported format; - for standard input with --format).") var data: String
  @Option(name: .shortAndLong, help: "Output .npy file, or - for the .npy bytes on standard output.") var out: String
  @Flag(help: "Write uint64 words instead of bytes.") var words = false
  @OptionGroup var backendOptions: BackendOptions
  @OptionGroup var input: InputOptions
  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard out == "-" || out.hasSuffix(".npy") else {
      throw ValidationError("--out must name a .npy file or be -, got '\(out)'.")
    }
  }

  func run() throws {
    let console = Console(quiet: output.quiet)
    try DistinctFiles.check(inputs: [("--model", model), ("the data", data)], outputs: [("--out", out)])
    let hash = try HashModel.read(from: model)
    // Byte files (.bvecs, MNIST's images) stay bytes up to the device: a quarter of the
    // memory and of the upload, the same Floats there.
    let rows: EncoderRows = try Dataset.loadBytes(data).map { .bytes($0) } ?? .floats(input.load(data).vectors)
    guard rows.columns == hash.inputDimension else {
      throw CLIError(
        "\(data) has vectors of dimension \(rows.columns), but the model \(model) expects \(hash.inputDimension)")
    }
    let selected = try backendOptions.open()
    let progress = Progress("encoding", total: rows.rows, unit: "vectors", quiet: output.quiet)
    let started = Date()
    let codes = try ModelEncoder(hash, backend: selected.backend).encode(rows, progress: progress.update)
    progress.finish()
    try NPYFormat.write(codes: codes, words: words, to: out)
    console.line(
      String(
        format: "%d codes of %d bits written to %@ (%.0f vectors/s on %@)", codes.count, codes.bits, out,
        Double(codes.count) / max(Date().timeIntervalSince(started), 1e-9), selected.backend.summary))
  }
}

/// A user-facing error: one sentence, no stack trace.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
