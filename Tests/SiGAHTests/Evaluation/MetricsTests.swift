// Metrics on hand-made rankings whose values are worked out by hand.

import Testing

@testable import SiGAH

@Suite struct MetricsTests {
  // Ranking: relevant at positions 1, 3, 6 of 6; 3 relevant in all.
  let relevant = [true, false, true, false, false, true]

  @Test func averagePrecisionByHand() {
    // (1/1 + 2/3 + 3/6) / 3 = 0.7222…
    #expect(abs(Metrics.averagePrecision(relevant: relevant) - (1 + 2.0 / 3 + 0.5) / 3) < 1e-12)
  }

  @Test func truncatedAveragePrecisionNormalisesByWhatWasFound() {
    // First 3: relevant at 1 and 3 → (1 + 2/3) / 2.
    #expect(abs(Metrics.averagePrecision(relevant: relevant, cutoff: 3) - (1 + 2.0 / 3) / 2) < 1e-12)
    #expect(Metrics.averagePrecision(relevant: [false, false, true], cutoff: 2) == 0)
  }

  @Test func precisionAtN() {
    #expect(Metrics.precision(relevant: relevant, at: 1) == 1)
    #expect(Metrics.precision(relevant: relevant, at: 4) == 0.5)
    #expect(Metrics.precision(relevant: relevant, at: 6) == 0.5)
  }

  @Test func queryWithNoRelevantItemScoresZero() {
    let none = [false, false, false]
    #expect(Metrics.averagePrecision(relevant: none) == 0)
    #expect(Metrics.tieAwareAveragePrecision(distances: [0, 1, 2], relevant: none) == 0)
    #expect(Metrics.withinRadius(distances: [0, 1, 2], relevant: none, radius: 2) == (0, 0))
  }

  @Test func rankingOrdersTiesByIndex() {
    #expect(Metrics.ranking(distances: [3, 1, 3, 0, 1], bits: 4) == [3, 1, 4, 0, 2])
  }

  @Test func tieAwareAPAveragesOverTieOrders() {
    // Two items tied, one relevant: orders (R, N) → AP 1 and (N, R) → AP 1/2; expectation 3/4.
    #expect(abs(Metrics.tieAwareAveragePrecision(distances: [5, 5], relevant: [false, true]) - 0.75) < 1e-12)
    // No ties: equals plain AP.
    let distances: [Int32] = [0, 1, 2, 3, 4, 5]
    #expect(
      abs(
        Metrics.tieAwareAveragePrecision(distances: distances, relevant: relevant)
          - Metrics.averagePrecision(relevant: relevant)) < 1e-12)
    // Brute force over all 3! orders of a 3-way tie holding 2 relevant after one relevant item.
    let orders = [[true, true, false], [true, false, true], [false, true, true]]
    let expected = orders.map { Metrics.averagePrecision(relevant: [true] + $0) }.reduce(0, +) / 3
    let tied = Metrics.tieAwareAveragePrecision(distances: [0, 1, 1, 1], relevant: [true, false, true, true])
    #expect(abs(tied - expected) < 1e-12)
  }

  @Test func recallCurveCountsTrueNeighboursFound() {
    let curve = Metrics.recallCurve(ranking: [4, 2, 0, 1, 3], trueNeighbours: [0, 3], cutoffs: [1, 3, 5])
    #expect(curve == [0, 0.5, 1])
  }

  @Test func radiusTwoPrecisionAndRecall() {
    let result = Metrics.withinRadius(distances: [0, 2, 3, 1], relevant: [true, false, true, false], radius: 2)
    #expect(result.precision == 1.0 / 3)
    #expect(result.recall == 0.5)
  }
}
