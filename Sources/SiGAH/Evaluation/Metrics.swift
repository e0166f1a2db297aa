// The field's retrieval metrics over one query's Hamming ranking (METHOD.md §5). A ranking is
// the database sorted by ascending distance, ties by ascending index.

public enum Metrics {
  /// The database order for one query: counting sort over distances 0…bits, stable, so
  /// ties keep index order.
  public static func ranking(distances: [Int32], bits: Int) -> [Int32] {
    var counts = [Int](repeating: 0, count: bits + 2)
    for d in distances { counts[Int(d) + 1] += 1 }
    for i in 1..<counts.count { counts[i] += counts[i - 1] }
    var order = [Int32](repeating: 0, count: distances.count)
    for (index, d) in distances.enumerated() {
      order[counts[Int(d)]] = Int32(index)
      counts[Int(d)] += 1
    }
    return order
  }

  /// `AP = (1/|rel|)·Σ_{k: item k relevant} P@k` over the whole ranking; 0 when the
  /// query has no relevant item.
  public static func averagePrecision(relevant: [Bool]) -> Double {
    var found = 0
    var total = 0.0
    for (position, isRelevant) in relevant.enumerated() where isRelevant {
      found += 1
      total += Double(found) / Double(position + 1)
    }
    return found == 0 ? 0 : total / Double(found)
  }

  /// `mAP@T` for one query: the ranking cut at `T`, normalised by the relevant items
  /// found in the first `T`; 0 when none is found.
  public static func averagePrecision(relevant: [Bool], cutoff: Int) -> Double {
    averagePrecision(relevant: Array(relevant.prefix(cutoff)))
  }

  /// Relevant items among the first `n`, over `n`.
  public static func precision(relevant: [Bool], at n: Int) -> Double {
    Double(relevant.prefix(n).filter { $0 }.count) / Double(n)
  }

  /// The expected AP over every order of tied items (McSherry & Najork, ECIR 2008), in
  /// closed form: `distances` are in ranking order, `relevant` alongside. A tie group of
  /// `n` items with `r` relevant, after `N` items with `R` relevant, contributes
  /// `Σ_{i=1..n} (r/n)·(R + 1 + (i−1)(r−1)/(n−1)) / (N + i)`.
  public static func tieAwareAveragePrecision(distances: [Int32], relevant: [Bool]) -> Double {
    let totalRelevant = relevant.filter { $0 }.count
    guard totalRelevant > 0 else { return 0 }
    var sum = 0.0
    var before = 0
    var relevantBefore = 0
    var start = 0
    while start < distances.count {
      var end = start
      var groupRelevant = 0
      while end < distances.count && distances[end] == distances[start] {
        if relevant[end] { groupRelevant += 1 }
        end += 1
      }
      let n = end - start
      if groupRelevant > 0 {
        let (r, R, N) = (Double(groupRelevant), Double(relevantBefore), Double(before))
        for i in 1...n {
          let expectedAbove = n == 1 ? 0 : Double(i - 1) * (r - 1) / Double(n - 1)
          sum += (r / Double(n)) * (R + 1 + expectedAbove) / (N + Double(i))
        }
      }
      before += n
      relevantBefore += groupRelevant
      start = end
    }
    return sum / Double(totalRelevant)
  }

  /// Fraction of the `trueNeighbours` found in the first `t` retrieved, for each `t`.
  public static func recallCurve(ranking: [Int32], trueNeighbours: Set<Int32>, cutoffs: [Int]) -> [Double] {
    guard !trueNeighbours.isEmpty else { return cutoffs.map { _ in 0 } }
    var found = 0
    var curve: [Double] = []
    var position = 0
    for cutoff in cutoffs {
      while position < min(cutoff, ranking.count) {
        if trueNeighbours.contains(ranking[position]) { found += 1 }
        position += 1
      }
      curve.append(Double(found) / Double(trueNeighbours.count))
    }
    return curve
  }

  /// Precision and recall of the items within Hamming `radius` (precision 0 when nothing
  /// is within the radius).
  public static func withinRadius(distances: [Int32], relevant: [Bool], radius: Int32) -> (
    precision: Double, recall: Double
  ) {
    var retrieved = 0
    var hits = 0
    for (d, isRelevant) in zip(distances, relevant) where d <= radius {
      retrieved += 1
      if isRelevant { hits += 1 }
    }
    let totalRelevant = relevant.filter { $0 }.count
    return (
      retrieved == 0 ? 0 : Double(hits) / Double(retrieved),
      totalRelevant == 0 ? 0 : Double(hits) / Double(totalRelevant)
    )
  }
}
