// The ranking loss's gradient (METHOD.md §3c) against central finite differences of the
// loss in Float64; the parity suite then holds every backend to that reference.

import Backend
import Foundation
import Parity
import Testing

struct RankingPairLossGradientTests {
  @Test(arguments: [(2, 3, 5, 10.0), (3, 1, 8, 2.5)])
  func gradientMatchesFiniteDifferences(anchors: Int, pairs: Int, bits: Int, sharpness: Double) throws {
    var generator = SeededGenerator(seed: 77)
    let rows = anchors * (1 + 2 * pairs)
    let h = generator.gaussians(count: rows * bits).map { Foundation.tanh(Double($0)) }
    func loss(_ values: [Double]) -> Double {
      Reference.rankingPairLoss(values, anchors: anchors, pairs: pairs, bits: bits, sharpness: sharpness).losses
        .reduce(0, +)
    }
    let backend = try CPUBackend()
    let gradient = try backend.makeBuffer(Float.self, count: rows * bits)
    let losses = try backend.makeBuffer(Float.self, count: anchors)
    try backend.rankingPairLoss(
      try backend.makeBuffer(h.map { Float($0) }), anchors: anchors, pairsPerAnchor: pairs, bits: bits,
      sharpness: Float(sharpness), gradient: gradient, losses: losses)
    let analytic = try backend.download(gradient)
    let step = 1e-5
    var largest = 0.0
    for i in 0..<h.count {
      var (plus, minus) = (h, h)
      plus[i] += step
      minus[i] -= step
      let numeric = (loss(plus) - loss(minus)) / (2 * step)
      largest = max(largest, abs(numeric))
      #expect(abs(Double(analytic[i]) - numeric) < 1e-5 + 1e-3 * abs(numeric), "element \(i)")
    }
    #expect(largest > 1e-3, "a gradient that is zero everywhere tests nothing")
    #expect(abs(Double(try backend.download(losses).reduce(0, +)) - loss(h)) < 1e-5)
  }
}
