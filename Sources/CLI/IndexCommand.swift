// `sigah index`: a multi-index hash over packed codes, for exact search without a scan.

import ArgumentParser
import Foundation
import SiGAH

struct IndexCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "index",
    abstract: "Build a multi-index hash over database codes for exact sub-linear Hamming search.",
    discussion: """
      The codes (from `sigah encode`, .npy) are cut into --substrings pieces, each the key \
      of a table of at most 24 bits (default: the count with the least estimated probe \
      cost for 32 of the codes as queries, docs/METHOD.md §4c). `sigah search --index FILE` \
      then answers k-nearest and --radius queries exactly as the linear scan does, ties by \
      index included. \
      Example: sigah index --database base-codes.npy --out base.mih
      """)

  @Option(help: "Database codes (.npy; - for standard input).") var database: String
  @Option(help: "Code length, when the codes file does not fill whole bytes or words.") var bits: Int?
  @Option(help: "Substrings (tables); default: the cheapest by an estimate on the codes.") var substrings: Int?
  @Option(name: .shortAndLong, help: "The index file to write (- for standard output).") var out: String
  @OptionGroup var output: OutputOptions

  func validate() throws {
    if let substrings, substrings < 1 { throw ValidationError("--substrings must be at least 1, got \(substrings).") }
    if let bits, !(1...4096).contains(bits) { throw ValidationError("--bits must be between 1 and 4096, got \(bits).") }
  }

  func run() throws {
    let console = Console(quiet: output.quiet)
    try DistinctFiles.check(inputs: [("--database", database)], outputs: [("--out", out)])
    let codes = try NPYFormat.readCodes(database, bits: bits)
    let started = Date()
    let index = try MultiIndexHash(codes: codes, substrings: substrings)
    let seconds = Date().timeIntervalSince(started)
    try index.write(to: out)
    // What the file takes on disk, which is what a person compares with the codes file;
    // the tables take more in memory once loaded.
    let fileBytes = out == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: out))?[.size] as? Int
    console.line(
      String(
        format: "%d codes of %d bits in %d substrings of %@ bits: built in %.2f s; %@%.1f MB in memory; index in %@",
        codes.count, codes.bits, index.substrings.count, index.substrings.map { "\($0.length)" }.joined(separator: "/"),
        seconds, fileBytes.map { String(format: "%.2f MB file, ", Double($0) / 1e6) } ?? "",
        Double(index.memoryBytes) / 1e6,
        out == "-" ? "standard output" : out))
  }
}
