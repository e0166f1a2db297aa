// How many substrings a multi-index cuts its codes into (METHOD.md §4c). Fewer, longer
// substrings mean more, smaller buckets: fewer codes compared but more buckets visited,
// and how many rings a query needs depends on how far its k-th neighbour is, which
// differs between uniformly random codes (far) and learned ones (near, in dense buckets).
// So the count is chosen by the estimated cost of probing for a sample of the codes
// themselves as queries: the buckets a probe would visit and the codes it would compare,
// counted from the tables' occupancy without comparing any code.

import Backend
import Foundation

extension MultiIndexHash {
  /// What a bucket visit costs in codes compared (the bucket scan's loop): its place in
  /// the sorted probe list, the scan's call and the cache lines of a new bucket.
  /// Calibrated on this project's machine (BENCHMARKS.md, multi-index hashing).
  static let bucketVisitCost = 200.0

  /// The neighbours the estimate assumes a query asks for. (Weighing k = 1, 10 and 100
  /// together chose 4 tables for 10 M random codes, which measured slower at k = 1 and 10
  /// and no faster at 100 than the 5 that k = 10 alone chooses.)
  static let estimateNeighbours = 10

  /// The sample of codes the estimate probes for.
  static let estimateQueries = 32

  /// The most codes whose buckets are counted for the estimate (counting all of 10 M codes
  /// in every candidate's tables took longer than building the index).
  static let occupancySample = 1 << 20

  /// Substring counts worth estimating for `count` codes of `bits` bits: substrings of
  /// log₂ n − 14 to log₂ n − 2 bits (buckets of about 4 to 16,000 codes on average),
  /// within 1…b and at most 24 bits.
  static func candidateSubstrings(bits: Int, count: Int) -> ClosedRange<Int> {
    let logCount = log2(Double(max(count, 2)))
    let fewest = max(1, (bits + maximumSubstringBits - 1) / maximumSubstringBits)
    let low = max(fewest, Int((Double(bits) / max(1, logCount - 2)).rounded(.down)))
    let high = min(bits, max(low, Int((Double(bits) / max(1, logCount - 14)).rounded(.up))))
    return low...high
  }

  /// The substring count with the least estimated probe cost (`probeCost`) for a sample
  /// of `codes` as queries; ties to the fewer tables.
  public static func chooseSubstrings(for codes: PackedCodes) throws -> Int {
    let candidates = candidateSubstrings(bits: codes.bits, count: codes.count)
    guard candidates.count > 1, codes.count > estimateNeighbours else { return candidates.lowerBound }
    let sample = (0..<min(estimateQueries, codes.count)).map { $0 * codes.count / min(estimateQueries, codes.count) }
    let distances = try kthDistances(of: sample, in: codes, k: estimateNeighbours)
    let costs = inParallel(candidates.count) { offset in
      probeCost(codes, substrings: candidates.lowerBound + offset, queries: sample, kthDistances: distances)
    }
    return candidates.lowerBound + costs.indices.min { costs[$0] < costs[$1] }!
  }

  /// For each of `rows`, the distance of its k-th nearest other code (the (k+1)-th
  /// counting itself), by the CPU backend's scan.
  static func kthDistances(of rows: [Int], in codes: PackedCodes, k: Int) throws -> [Int] {
    let backend = try CPUBackend()
    let words = codes.wordsPerCode
    let queries = rows.flatMap { codes.words[($0 * words)..<(($0 + 1) * words)] }
    let nearest = try backend.hammingTopK(
      queries: try backend.makeBuffer(queries), queryCount: rows.count, database: try backend.makeBuffer(codes.words),
      databaseCount: codes.count, bits: codes.bits, k: min(k + 1, codes.count))
    return rows.indices.map { Int(nearest.distances[$0 * nearest.k + nearest.k - 1]) }
  }

  /// The cost of a probe with `m` substrings (buckets visited × `bucketVisitCost` + codes
  /// compared) for the codes at `queries` as queries, each stopping where its k-th distance
  /// allows (the rule of `probeBlock`: after ring s of table j once that distance is below
  /// m·s + j + 1); infinite once it passes what scanning every code would cost.
  static func probeCost(_ codes: PackedCodes, substrings m: Int, queries: [Int], kthDistances: [Int]) -> Double {
    let substrings = split(bits: codes.bits, into: m)
    let words = codes.wordsPerCode
    let scan = Double(queries.count) * Double(codes.count)
    let step = (codes.count + occupancySample - 1) / occupancySample
    var cost = 0.0
    return codes.words.withUnsafeBufferPointer { all in
      for (j, substring) in substrings.enumerated() {
        // Counted on at most `occupancySample` codes, evenly spread, and scaled to all.
        var occupancy = [UInt32](repeating: 0, count: 1 << substring.length)
        for i in stride(from: 0, to: codes.count, by: step) {
          occupancy[Int(value(all.baseAddress! + i * words, substring))] += 1
        }
        for (query, distance) in zip(queries, kthDistances) {
          // Rings 0…s* on tables up to j*, 0…s* − 1 on the rest: s* = ⌊d/m⌋, j* = d mod m.
          let lastRing = distance / m - (j <= distance % m ? 0 : 1)
          guard lastRing >= 0 else { continue }
          let center = value(all.baseAddress! + query * words, substring)
          for s in 0...min(lastRing, substring.length) {
            // A ring's buckets are counted before they are enumerated: some rings of long
            // substrings hold millions.
            if cost + Double(binomial(substring.length, s)) * bucketVisitCost > scan { return .infinity }
            neighbours(of: center, length: substring.length, radius: s) { bucket in
              cost += bucketVisitCost + Double(occupancy[Int(bucket)]) * Double(step)
            }
          }
        }
      }
      return cost
    }
  }

  /// n choose r, as a Double (exact well past the counts compared with it).
  static func binomial(_ n: Int, _ r: Int) -> Double {
    (0..<r).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) }
  }
}
