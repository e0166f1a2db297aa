// Parity cases of the average precision of Hamming rankings, against the definition: a
// full sort on (distance, index) and the mean of f/p over the relevant items.

import Backend
import Foundation

extension ParitySuite {
  static func rankingCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    // 8-bit codes over 500 items tie dozens of times at every distance; 93 items checks a
    // last chunk that is not full; ids past the database and a query's empty set too.
    for (queryCount, databaseCount, bits, relevantPerQuery) in [
      (1, 1, 1, 1), (7, 500, 8, 50), (7, 500, 8, 500), (5, 93, 65, 10), (3, 1024, 64, 100), (2, 300, 200, 7),
    ] {
      let (queries, database) = randomCodes(queryCount, databaseCount, bits: bits, seed: 97)
      var generator = SeededGenerator(seed: 98)
      var ids: [Int32] = []
      for q in 0..<queryCount {
        var chosen = generator.permutation(databaseCount + 3).prefix(relevantPerQuery).map { Int32($0) }
        // Out-of-range ids are never found: the second query's set lies wholly outside.
        if q == 1 { chosen = (0..<relevantPerQuery).map { Int32(databaseCount + $0) } }
        ids += chosen.sorted()
      }
      let relevant = ids
      cases.append(
        ParityCase(
          operation: "averagePrecision",
          shape: "\(queryCount)×\(databaseCount), \(bits) bits, \(relevantPerQuery) relevant", tolerance: 1e-5,
          run: { backend in
            let (q, db) = (try backend.makeBuffer(queries), try backend.makeBuffer(database))
            let out = try backend.makeBuffer(Float.self, count: queryCount)
            try backend.averagePrecision(
              queries: q, queryCount: queryCount, database: db, databaseCount: databaseCount, bits: bits,
              relevantIds: try backend.makeBuffer(relevant), relevantPerQuery: relevantPerQuery, into: out)
            return doubles(try backend.download(out))
          },
          reference: {
            Reference.averagePrecisions(
              queries: queries, database: database, queryCount: queryCount, databaseCount: databaseCount, bits: bits,
              relevantIds: relevant, relevantPerQuery: relevantPerQuery)
          }))
    }
    return cases
  }
}

extension Reference {
  /// Each query's AP over the database sorted by (distance, index).
  public static func averagePrecisions(
    queries: [UInt64], database: [UInt64], queryCount: Int, databaseCount: Int, bits: Int, relevantIds: [Int32],
    relevantPerQuery: Int
  ) -> [Double] {
    let everything = hammingTopK(
      queries: queries, database: database, queryCount: queryCount, databaseCount: databaseCount, bits: bits,
      k: databaseCount)
    return (0..<queryCount).map { q in
      let relevant = Set(relevantIds[(q * relevantPerQuery)..<((q + 1) * relevantPerQuery)])
      var (found, sum) = (0, 0.0)
      for position in 0..<databaseCount where relevant.contains(everything.ids[q * databaseCount + position]) {
        found += 1
        sum += Double(found) / Double(position + 1)
      }
      return found == 0 ? 0 : sum / Double(found)
    }
  }
}

extension ParitySuite {
  static func rankingLossCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for (anchors, pairs, bits, sharpness) in [(1, 1, 1, Float(10)), (7, 8, 64, 10), (3, 32, 93, 2.5), (256, 8, 16, 10)]
    {
      let rows = anchors * (1 + 2 * pairs)
      let codes = gaussians(rows * bits, seed: 120).map { Float(Foundation.tanh(Double($0))) }
      cases.append(
        ParityCase(
          operation: "rankingPairLoss", shape: "\(anchors) anchors, \(pairs) pairs, \(bits) bits, κ \(sharpness)",
          tolerance: 1e-5,
          run: { backend in
            let h = try backend.makeBuffer(codes)
            let gradient = try backend.makeBuffer(Float.self, count: rows * bits)
            let losses = try backend.makeBuffer(Float.self, count: anchors)
            try backend.rankingPairLoss(
              h, anchors: anchors, pairsPerAnchor: pairs, bits: bits, sharpness: sharpness, gradient: gradient,
              losses: losses)
            return doubles(try backend.download(losses)) + doubles(try backend.download(gradient))
          },
          reference: {
            let result = Reference.rankingPairLoss(
              codes.map(Double.init), anchors: anchors, pairs: pairs, bits: bits, sharpness: Double(sharpness))
            return result.losses + result.gradient
          }))
    }
    return cases
  }
}

extension Reference {
  /// The pairwise ranking loss (METHOD.md §3c) in Float64: each anchor's share of the
  /// loss, and the gradient with respect to every row; the layout of `rankingPairLoss`.
  public static func rankingPairLoss(
    _ h: [Double], anchors: Int, pairs: Int, bits: Int, sharpness: Double
  ) -> (losses: [Double], gradient: [Double]) {
    var losses = [Double](repeating: 0, count: anchors)
    var gradient = [Double](repeating: 0, count: h.count)
    let scale = 1 / Double(anchors * pairs * pairs)
    func row(_ i: Int) -> ArraySlice<Double> { h[(i * bits)..<((i + 1) * bits)] }
    func similarity(_ i: Int, _ j: Int) -> Double { zip(row(i), row(j)).reduce(0) { $0 + $1.0 * $1.1 } / Double(bits) }
    for a in 0..<anchors {
      let positives = (0..<pairs).map { anchors + a * pairs + $0 }
      let negatives = (0..<pairs).map { anchors * (1 + pairs) + a * pairs + $0 }
      for p in positives {
        for n in negatives {
          let t = -sharpness * (similarity(a, p) - similarity(a, n))
          losses[a] += scale * Foundation.log(1 + Foundation.exp(t))
          // d softplus(t)/dt = σ(t); dt/ds_ap = −κ, dt/ds_an = κ; ds_ab/dh_a = h_b / bits.
          let weight = scale * sharpness / (1 + Foundation.exp(-t))
          for k in 0..<bits {
            gradient[a * bits + k] += weight * (h[n * bits + k] - h[p * bits + k]) / Double(bits)
            gradient[p * bits + k] -= weight * h[a * bits + k] / Double(bits)
            gradient[n * bits + k] += weight * h[a * bits + k] / Double(bits)
          }
        }
      }
    }
    return (losses, gradient)
  }
}
