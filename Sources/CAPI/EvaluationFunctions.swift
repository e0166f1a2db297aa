// sigah_groundtruth and sigah_evaluate: `sigah groundtruth` and the numbers of
// `sigah eval`'s report for codes made anywhere.

import Foundation
import SiGAH

@_cdecl("sigah_groundtruth")
public func sigahGroundtruth(
  _ backend: OpaquePointer?, _ database: UnsafeRawPointer?, _ databaseCount: Int64, _ queries: UnsafeRawPointer?,
  _ queryCount: Int64, _ columns: Int64, _ dtype: Int32, _ k: Int32, _ metricName: UnsafePointer<CChar>?,
  _ ids: UnsafeMutablePointer<Int32>?,
  _ progress: ProgressFunction?, _ user: UnsafeMutableRawPointer?
) -> Int32 {
  guarded("sigah_groundtruth") {
    let backend = try object(backend, BackendHandle.self, "backend").backend
    let base = try matrix(database, dtype, rows: databaseCount, columns: columns, name: "database")
    let query = try matrix(queries, dtype, rows: queryCount, columns: columns, name: "queries")
    guard (1...base.rows).contains(Int(k)) else {
      throw ArgumentError("k must be between 1 and the \(base.rows) database vectors, got \(k)")
    }
    guard let ids else { throw ArgumentError("ids is NULL") }
    let name = metricName.map { String(cString: $0) } ?? "l2"
    guard let metric = Metric(rawValue: name) else {
      throw ArgumentError("metric must be l2, cosine or ip, got '\(name)'")
    }
    let report = reporter(progress, user)
    let truth = try GroundTruth.compute(queries: query, database: base, k: Int(k), backend: backend, metric: metric) {
      report("groundtruth", $0, query.rows)
    }
    copy(truth, into: ids)
  }
}

@_cdecl("sigah_evaluate")
public func sigahEvaluate(
  _ backend: OpaquePointer?, _ database: UnsafePointer<UInt8>?, _ databaseCount: Int64,
  _ queries: UnsafePointer<UInt8>?, _ queryCount: Int64, _ bits: Int32, _ truth: UnsafePointer<Int32>?,
  _ truthK: Int32, _ relevant: Int32, _ queryLabels: UnsafePointer<Int32>?, _ databaseLabels: UnsafePointer<Int32>?,
  _ json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  guarded("sigah_evaluate") {
    let backend = try object(backend, BackendHandle.self, "backend").backend
    let base = try codes(database, count: databaseCount, bits: bits, name: "database")
    let query = try codes(queries, count: queryCount, bits: bits, name: "queries")
    guard let json else { throw ArgumentError("json is NULL") }
    let relevance: Relevance
    if let truth {
      guard truthK >= 1, (1...truthK).contains(relevant) else {
        throw ArgumentError("expected 1 ≤ relevant ≤ truth_k, got relevant \(relevant) and truth_k \(truthK)")
      }
      let ids = Array(UnsafeBufferPointer(start: truth, count: query.count * Int(truthK)))
      if let bad = ids.firstIndex(where: { !(0..<Int32(base.count)).contains($0) }) {
        throw ArgumentError(
          "truth: query \(bad / Int(truthK)), entry \(bad % Int(truthK)): expected an id below \(base.count), "
            + "found \(ids[bad])")
      }
      relevance = .neighbours(ids: ids, k: Int(truthK), relevantCount: Int(relevant))
    } else {
      guard let queryLabels, let databaseLabels else {
        throw ArgumentError("give either truth or both query_labels and database_labels")
      }
      relevance = .labels(
        queries: Array(UnsafeBufferPointer(start: queryLabels, count: query.count)),
        database: Array(UnsafeBufferPointer(start: databaseLabels, count: base.count)))
    }
    let report = try Evaluator.evaluate(
      queryCodes: query, databaseCodes: base, relevance: relevance, backend: backend)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    json.pointee = strdup(String(decoding: try encoder.encode(report), as: UTF8.self))
  }
}
