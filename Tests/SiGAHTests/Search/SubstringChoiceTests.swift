// The substring count of a multi-index: the candidates it weighs, the k-th distances it
// estimates from, the cost it counts (against the probe's rule, counted by brute force),
// and a choice that moves with the data: random codes against clustered ones.

import Backend
import Testing

@testable import SiGAH

struct SubstringChoiceTests {
  @Test func candidatesKeepSubstringsWithinTheirLimits() {
    #expect(MultiIndexHash.candidateSubstrings(bits: 64, count: 10_000_000) == 3...7)
    #expect(MultiIndexHash.candidateSubstrings(bits: 32, count: 60_000).contains(3))
    // Substrings of at most 24 bits: 64-bit codes need 3 tables however many codes.
    #expect(MultiIndexHash.candidateSubstrings(bits: 64, count: 1 << 40).lowerBound == 3)
    #expect(MultiIndexHash.candidateSubstrings(bits: 8, count: 10).upperBound <= 8)
  }

  @Test func kthDistancesLeaveTheQueryOut() throws {
    // Rows 0 and 1 equal, the rest 1, 2, 3, … bits away from them.
    let words: [UInt64] = [0, 0, 0b1, 0b11, 0b111, 0b1111]
    let codes = PackedCodes(count: words.count, bits: 8, words: words)
    #expect(try MultiIndexHash.kthDistances(of: [0, 5], in: codes, k: 1) == [0, 1])
    #expect(try MultiIndexHash.kthDistances(of: [0, 5], in: codes, k: 3) == [2, 3])
  }

  @Test(arguments: [0, 4, 6])
  func costCountsWhatTheProbeVisits(distance: Int) {
    let codes = MultiIndexHashTests.randomCodes(20_000, bits: 24, seed: 3, densityBits: 24)
    let m = 4
    let substrings = MultiIndexHash.split(bits: 24, into: m)
    let query = 17
    // By brute force: ring s of table j is probed when m·s + j ≤ distance (the probe
    // stops after ring s of table j once distance < m·s + j + 1), and visits every bucket
    // s bits from the query's substring and every code in them.
    var buckets = 0
    var compared = 0
    for (j, substring) in substrings.enumerated() {
      let mask = (UInt64(1) << UInt64(substring.length) - 1) << UInt64(substring.start)
      for s in 0...substring.length where m * s + j <= distance {
        buckets += Int(MultiIndexHash.binomial(substring.length, s))
        compared +=
          (0..<codes.count).filter { ((codes.words[$0] ^ codes.words[query]) & mask).nonzeroBitCount == s }
          .count
      }
    }
    let cost = MultiIndexHash.probeCost(codes, substrings: m, queries: [query], kthDistances: [distance])
    #expect(compared > 0 && cost < Double(codes.count), "within what a scan would cost")
    #expect(cost == Double(buckets) * MultiIndexHash.bucketVisitCost + Double(compared))
  }

  @Test func costPastAScanIsInfinite() {
    let codes = MultiIndexHashTests.randomCodes(50, bits: 48, seed: 4)
    #expect(MultiIndexHash.probeCost(codes, substrings: 2, queries: [0], kthDistances: [24]) == .infinity)
  }

  @Test func clusteredCodesGetLongerSubstringsThanRandomOnes() throws {
    // The same number of 64-bit codes: uniformly random, and a few hundred centres each
    // with near copies (their k-th neighbours are a few bits away, not a dozen).
    let random = MultiIndexHashTests.randomCodes(100_000, bits: 64, seed: 5)
    var generator = SeededGenerator(seed: 6)
    let centres = (0..<300).map { _ in generator.next() }
    let clustered = PackedCodes(
      count: random.count, bits: 64,
      words: (0..<random.count).map { _ in
        centres[Int(generator.next() % 300)] ^ (1 << (generator.next() % 64)) ^ (1 << (generator.next() % 64))
      })
    let randomChoice = try MultiIndexHash.chooseSubstrings(for: random)
    let clusteredChoice = try MultiIndexHash.chooseSubstrings(for: clustered)
    #expect(MultiIndexHash.candidateSubstrings(bits: 64, count: random.count).contains(randomChoice))
    #expect(clusteredChoice < randomChoice, "\(clusteredChoice) tables for clustered codes, \(randomChoice) for random")
    // The chosen count is the cheapest candidate by the same estimate.
    let sample = (0..<32).map { $0 * random.count / 32 }
    let distances = try MultiIndexHash.kthDistances(of: sample, in: random, k: 10)
    let costs = MultiIndexHash.candidateSubstrings(bits: 64, count: random.count).map {
      MultiIndexHash.probeCost(random, substrings: $0, queries: sample, kthDistances: distances)
    }
    let chosen = MultiIndexHash.probeCost(random, substrings: randomChoice, queries: sample, kthDistances: distances)
    #expect(chosen == costs.min())
  }
}
