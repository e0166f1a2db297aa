// `sigah search`: Hamming top-k of each query code in a database of codes, optionally
// re-ranked by exact Euclidean distance.

import ArgumentParser
import Backend
import CommandOptions
import Foundation
import SiGAH

struct Search: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Find the k nearest database codes of each query by Hamming distance.",
    discussion: """
      --database holds codes from `sigah encode` (.npy, bytes or words). --queries holds \
      codes too, or vectors when --model is given (they are encoded first). Ties are \
      ordered by database index. With --rerank N the top N Hamming candidates are \
      re-ordered by exact Euclidean distance to the float query (needs --model and \
      --database-vectors). Ids are written as .ivecs or .npy (int32) by the extension of \
      --out, or as text with --out -. With --radius R every database code within Hamming \
      distance R is found instead: --out then holds one row (query, id, distance) a match, \
      by query, distance and id. With --index (from `sigah index`) in place of --database, \
      both are answered by multi-index hashing, with the same results, without a scan.
      """)

  @Option(help: "Database codes (.npy; - for standard input).") var database: String?
  @Option(help: "A multi-index hash from `sigah index`, in place of --database (- for standard input).") var index:
    String?
  @Option(help: "Query codes (.npy), or vectors with --model (- for standard input; vectors need --format).")
  var queries: String
  @Option(help: "Model that encodes vector queries.") var model: String?
  @Option(help: "Code length, when codes files do not fill whole bytes or words.") var bits: Int?
  @Option(help: "Results per query.") var k = 10
  @Option(help: "Find every code within this Hamming distance instead of the top k.") var radius: Int?
  @Option(help: "Re-rank this many Hamming candidates by exact distance.") var rerank: Int?
  @Option(help: "Database vectors for --rerank.") var databaseVectors: String?
  @Option(name: .shortAndLong, help: "Ids: .ivecs, .npy, or - for text.") var out: String
  @Option(
    help:
      "Also write the distances: Hamming as int32 (.ivecs/.npy), or after --rerank squared Euclidean as float32 (.fvecs/.npy); - for text."
  )
  var distancesOut: String?
  @OptionGroup var backendOptions: BackendOptions
  @OptionGroup var input: InputOptions
  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard (database == nil) != (index == nil) else {
      throw ValidationError("give either --database (codes) or --index (from sigah index).")
    }
    if out == "-" && distancesOut == "-" {
      throw ValidationError("--out and --distances-out cannot both be - (standard output): give one a file.")
    }
    if index != nil && rerank != nil { throw ValidationError("--rerank reads --database codes; it takes no --index.") }
    guard k >= 1 else { throw ValidationError("--k must be at least 1, got \(k).") }
    if let bits, !(1...4096).contains(bits) { throw ValidationError("--bits must be between 1 and 4096, got \(bits).") }
    if let radius {
      guard radius >= 0 else { throw ValidationError("--radius must be at least 0, got \(radius).") }
      guard rerank == nil, distancesOut == nil else {
        throw ValidationError("--radius writes (query, id, distance) rows; it takes no --rerank or --distances-out.")
      }
    }
    if let rerank {
      guard rerank >= k else { throw ValidationError("--rerank must be at least --k (\(k)), got \(rerank).") }
      guard model != nil, databaseVectors != nil else {
        throw ValidationError("--rerank needs --model and --database-vectors.")
      }
    }
  }

  func run() throws {
    let console = Console(quiet: output.quiet)
    // Wrong output names fail before the work.
    _ = try Tables.destination(out, texmex: ".ivecs")
    if let distancesOut { _ = try Tables.destination(distancesOut, texmex: rerank == nil ? ".ivecs" : ".fvecs") }
    try DistinctFiles.check(
      inputs: [
        ("--database", database), ("--index", index), ("--queries", queries), ("--model", model),
        ("--database-vectors", databaseVectors),
      ], outputs: [("--out", out), ("--distances-out", distancesOut)])
    let selected = try backendOptions.open()
    let hash = try model.map { try HashModel.read(from: $0) }
    let r = bits ?? hash?.bits
    let multiIndex = try index.map { try MultiIndexHash.read(from: $0) }
    let databaseCodes = try multiIndex?.codes ?? NPYFormat.readCodes(database!, bits: r)
    var queryVectors: Matrix?
    let queryCodes: PackedCodes
    if let hash {
      let vectors = try input.load(queries).vectors
      guard vectors.columns == hash.inputDimension else {
        throw CLIError(
          "\(queries) has vectors of dimension \(vectors.columns), but the model expects \(hash.inputDimension)")
      }
      queryVectors = vectors
      queryCodes = try hash.encode(vectors, backend: selected.backend)
    } else {
      queryCodes = try NPYFormat.readCodes(queries, bits: databaseCodes.bits)
    }
    guard queryCodes.bits == databaseCodes.bits else {
      throw CLIError("query codes have \(queryCodes.bits) bits, database codes \(databaseCodes.bits)")
    }
    if var radius {
      // Past the code length every code is within reach: the same answer, no overflow.
      radius = min(radius, queryCodes.bits)
      let started = Date()
      let matches =
        try multiIndex?.within(radius, queries: queryCodes)
        ?? scan(queryCodes, databaseCodes, radius: radius, backend: selected.backend, quiet: output.quiet)
      try Tables.write(integers: matches.flatMap { [$0.query, $0.id, $0.distance] }, columns: 3, to: out)
      console.line(
        String(
          format: "%d queries × %d codes of %d bits: %d matches within distance %d in %.3f s", queryCodes.count,
          databaseCodes.count, databaseCodes.bits, matches.count, radius, Date().timeIntervalSince(started)))
      return
    }
    let candidates = rerank ?? k
    guard candidates <= databaseCodes.count else {
      throw CLIError("asked for \(candidates) results but \(database ?? index!) holds \(databaseCodes.count) codes")
    }
    let started = Date()
    // The index answers as the scan does (ties by index), without scanning.
    var (ids, distances) =
      try multiIndex?.search(queryCodes, k: candidates)
      ?? scan(queryCodes, databaseCodes, k: candidates, backend: selected.backend, quiet: output.quiet)
    var exactDistances: [Float]?
    if let rerank, let queryVectors, let path = databaseVectors {
      let base = try input.load(path).vectors
      guard base.rows == databaseCodes.count, base.columns == queryVectors.columns else {
        throw CLIError(
          "\(path) holds \(base.rows) vectors of dimension \(base.columns); expected \(databaseCodes.count) of dimension \(queryVectors.columns)"
        )
      }
      var rankedIds: [Int32] = []
      var rankedDistances: [Float] = []
      for q in 0..<queryCodes.count {
        let exact = GroundTruth.rerank(
          query: q, of: queryVectors, candidates: Array(ids[(q * rerank)..<((q + 1) * rerank)]), in: base, k: k)
        for candidate in exact {
          rankedIds.append(candidate.id)
          rankedDistances.append(Float(candidate.distance))
        }
      }
      ids = rankedIds
      exactDistances = rankedDistances
    }
    let seconds = Date().timeIntervalSince(started)
    try Tables.write(integers: ids, columns: k, to: out)
    if let distancesOut {
      if let exactDistances {
        try Tables.write(Matrix(rows: exactDistances.count / k, columns: k, values: exactDistances), to: distancesOut)
      } else {
        try Tables.write(integers: distances, columns: k, to: distancesOut)
      }
    }
    if out != "-" {
      console.line(
        String(
          format: "%d queries × %d codes of %d bits: top %d%@ in %.3f s (%.0f queries/s), ids in %@", queryCodes.count,
          databaseCodes.count, databaseCodes.bits, k, multiIndex == nil ? "" : " by multi-index hashing", seconds,
          Double(queryCodes.count) / max(seconds, 1e-9), out))
    }
  }
}

/// The exact top k by a scan, with progress on standard error.
private func scan(_ queries: PackedCodes, _ database: PackedCodes, k: Int, backend: any Backend, quiet: Bool) throws
  -> (ids: [Int32], distances: [Int32])
{
  let progress = Progress("searching", total: queries.count, unit: "queries", quiet: quiet)
  defer { progress.finish() }
  return try HammingScan.topK(queries, in: database, k: k, backend: backend, progress: progress.update)
}

private func scan(_ queries: PackedCodes, _ database: PackedCodes, radius: Int, backend: any Backend, quiet: Bool)
  throws -> [RadiusSearch.Match]
{
  let progress = Progress("searching", total: queries.count, unit: "queries", quiet: quiet)
  defer { progress.finish() }
  return try RadiusSearch.within(
    radius, queries: queries, database: database, backend: backend, progress: progress.update)
}
