// Evaluation of codes by the field's protocol (METHOD.md §5): Hamming ranking of the whole
// database per query, then mAP, tie-aware mAP, mAP@T, Precision@N, Recall@T curves and
// precision/recall within Hamming radius 2. Distances are computed on the backend.

import Backend

/// What counts as relevant for a query.
public enum Relevance: Sendable {
  /// Euclidean task: the query's ground-truth ids (`k` a query, nearest first); the first
  /// `relevantCount` of them are the relevant set.
  case neighbours(ids: [Int32], k: Int, relevantCount: Int)
  /// Semantic task: same label.
  case labels(queries: [Int32], database: [Int32])
}

public struct EvaluationOptions: Sendable {
  public var mapCutoffs: [Int] = [1000, 5000]
  public var precisionAt: [Int] = [10, 100, 1000]
  /// R-N curves for these N (each needs N ≤ the ground truth's k).
  public var recallTargets: [Int] = [1, 10, 100, 1000]
  public var recallCutoffs: [Int] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000]
  public var queryBlock = 64

  public init() {}
}

public struct RetrievalReport: Sendable, Codable, Equatable {
  public var queries: Int
  public var mAP: Double
  public var tieAwareMAP: Double
  public var mapAt: [String: Double]
  public var precisionAt: [String: Double]
  public var precisionRadius2: Double
  public var recallRadius2: Double
  /// "R-10" → recall at each of `recallCutoffs`.
  public var recallCurves: [String: [Double]]
  public var recallCutoffs: [Int]
  /// Over all relevant items, at each of `recallCutoffs`: precision (the Precision@N
  /// curve) and recall; together the precision–recall curve.
  public var precisionCurve: [Double]
  public var relevantRecallCurve: [Double]
}

public enum Evaluator {
  public static func evaluate(
    queryCodes: PackedCodes, databaseCodes: PackedCodes, relevance: Relevance, backend: any Backend,
    options: EvaluationOptions = EvaluationOptions(), progress: (Int) -> Void = { _ in }
  ) throws -> RetrievalReport {
    precondition(queryCodes.bits == databaseCodes.bits)
    let (nq, n, bits) = (queryCodes.count, databaseCodes.count, queryCodes.bits)
    let cutoffs = options.recallCutoffs.filter { $0 <= n } + (options.recallCutoffs.contains(n) ? [] : [n])
    var targets: [Int] = []
    if case .neighbours(_, let k, _) = relevance { targets = options.recallTargets.filter { $0 <= k } }
    let words = queryCodes.wordsPerCode
    let block = min(options.queryBlock, nq)
    let database = try backend.makeBuffer(databaseCodes.words)
    let distances = try backend.makeBuffer(Int32.self, count: block * n)
    var sums = (map: 0.0, tie: 0.0, p2: 0.0, r2: 0.0)
    var mapAt = [Int: Double]()
    var precisionAt = [Int: Double]()
    var curves = [Int: [Double]]()
    var precisionCurve = [Double](repeating: 0, count: cutoffs.count)
    var relevantRecallCurve = [Double](repeating: 0, count: cutoffs.count)
    for target in targets { curves[target] = Array(repeating: 0, count: cutoffs.count) }
    var start = 0
    while start < nq {
      let count = min(block, nq - start)
      let queryBlock = try backend.makeBuffer(Array(queryCodes.words[(start * words)..<((start + count) * words)]))
      try backend.hammingDistances(
        queries: queryBlock, queryCount: count, database: database, databaseCount: n, bits: bits, into: distances)
      let all = try backend.download(distances, count: count * n)
      for local in 0..<count {
        let q = start + local
        let row = Array(all[(local * n)..<((local + 1) * n)])
        let order = Metrics.ranking(distances: row, bits: bits)
        let isRelevant = relevanceMask(relevance, query: q, databaseCount: n)
        let relevantInOrder = order.map { isRelevant[Int($0)] }
        let distancesInOrder = order.map { row[Int($0)] }
        sums.map += Metrics.averagePrecision(relevant: relevantInOrder)
        sums.tie += Metrics.tieAwareAveragePrecision(distances: distancesInOrder, relevant: relevantInOrder)
        for t in options.mapCutoffs {
          mapAt[t, default: 0] += Metrics.averagePrecision(relevant: relevantInOrder, cutoff: t)
        }
        for p in options.precisionAt where p <= n {
          precisionAt[p, default: 0] += Metrics.precision(relevant: relevantInOrder, at: p)
        }
        let relevantTotal = relevantInOrder.reduce(0) { $0 + ($1 ? 1 : 0) }
        var (hits, counted) = (0, 0)
        for (i, t) in cutoffs.enumerated() {
          while counted < t {
            if relevantInOrder[counted] { hits += 1 }
            counted += 1
          }
          precisionCurve[i] += Double(hits) / Double(t)
          relevantRecallCurve[i] += relevantTotal > 0 ? Double(hits) / Double(relevantTotal) : 0
        }
        let radius = Metrics.withinRadius(distances: row, relevant: isRelevant, radius: 2)
        sums.p2 += radius.precision
        sums.r2 += radius.recall
        if case .neighbours(let ids, let k, _) = relevance {
          for target in targets {
            let truth = Set(ids[(q * k)..<(q * k + target)])
            let curve = Metrics.recallCurve(ranking: order, trueNeighbours: truth, cutoffs: cutoffs)
            for (i, value) in curve.enumerated() { curves[target]![i] += value }
          }
        }
      }
      start += count
      progress(start)
    }
    let scale = 1 / Double(nq)
    return RetrievalReport(
      queries: nq, mAP: sums.map * scale, tieAwareMAP: sums.tie * scale,
      mapAt: Dictionary(uniqueKeysWithValues: mapAt.map { ("\($0.key)", $0.value * scale) }),
      precisionAt: Dictionary(uniqueKeysWithValues: precisionAt.map { ("\($0.key)", $0.value * scale) }),
      precisionRadius2: sums.p2 * scale, recallRadius2: sums.r2 * scale,
      recallCurves: Dictionary(uniqueKeysWithValues: curves.map { ("R-\($0.key)", $0.value.map { $0 * scale }) }),
      recallCutoffs: cutoffs, precisionCurve: precisionCurve.map { $0 * scale },
      relevantRecallCurve: relevantRecallCurve.map { $0 * scale })
  }

  static func relevanceMask(_ relevance: Relevance, query q: Int, databaseCount n: Int) -> [Bool] {
    var mask = [Bool](repeating: false, count: n)
    switch relevance {
    case .neighbours(let ids, let k, let relevantCount):
      for id in ids[(q * k)..<(q * k + min(relevantCount, k))] { mask[Int(id)] = true }
    case .labels(let queryLabels, let databaseLabels):
      let label = queryLabels[q]
      for i in 0..<n where databaseLabels[i] == label { mask[i] = true }
    }
    return mask
  }
}
