// The counter-based random fill draws what it says: moments within 5 standard errors of
// the distribution's, and different counters give different numbers.

import Backend
import Testing

struct FillRandomTests {
  func draw(_ distribution: RandomDistribution, counter: UInt64, count: Int = 200_000) throws -> [Double] {
    let backend = try CPUBackend()
    let buffer = try backend.makeBuffer(Float.self, count: count)
    try backend.fillRandom(buffer, count: count, distribution, seed: 42, counter: counter)
    return try backend.download(buffer).map(Double.init)
  }

  func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
    let mean = values.reduce(0, +) / Double(values.count)
    return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1))
  }

  @Test(arguments: [
    (RandomDistribution.uniform, 0.5, 1.0 / 12), (.gaussian(standardDeviation: 0.15), 0, 0.0225),
    (.bernoulli(probability: 0.3), 0.3, 0.21),
  ])
  func momentsMatch(distribution: RandomDistribution, mean: Double, variance: Double) throws {
    let values = try draw(distribution, counter: 3)
    let (m, v) = moments(values)
    #expect(abs(m - mean) < 5 * (variance / Double(values.count)).squareRoot(), "mean \(m)")
    #expect(abs(v - variance) < 0.02 * variance, "variance \(v)")
    if case .uniform = distribution { #expect(values.allSatisfy { $0 >= 0 && $0 < 1 }) }
    if case .bernoulli = distribution { #expect(values.allSatisfy { $0 == 0 || $0 == 1 }) }
  }

  @Test func countersAndSeedsGiveDifferentDraws() throws {
    let a = try draw(.uniform, counter: 1, count: 1000)
    let b = try draw(.uniform, counter: 2, count: 1000)
    let high = try draw(.uniform, counter: 1 + (1 << 40), count: 1000)
    #expect(a != b)
    #expect(a != high, "the counter's high bits count too")
    #expect(Set(a).count > 990, "draws within a call are (nearly) all distinct")
    #expect(try draw(.uniform, counter: 1, count: 1000) == a, "the same key draws the same numbers")
  }
}
