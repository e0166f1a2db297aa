// The one random source of the library: every weight, projection, split and shuffle is
// drawn from it, so a seed fixes a run on either backend (METHOD.md §1 "Initialisation").

import Foundation

/// xoshiro256** seeded through SplitMix64: fast, well tested, and stable across
/// platforms and Swift versions (unlike the standard library's default generator).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    var splitMix = seed
    func next() -> UInt64 {
      splitMix &+= 0x9E37_79B9_7F4A_7C15
      var z = splitMix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (next(), next(), next(), next())
  }

  public mutating func next() -> UInt64 {
    let result = rotateLeft(state.1 &* 5, 7) &* 9
    let shifted = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= shifted
    state.3 = rotateLeft(state.3, 45)
    return result
  }

  private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Standard normal by Box–Muller (both values of a pair are not kept: simpler state).
  public mutating func gaussian() -> Double {
    let u1 = 1 - uniform()  // (0, 1]: log stays finite
    let u2 = uniform()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// `count` draws of `N(0, standardDeviation²)` as Float32.
  public mutating func gaussians(count: Int, standardDeviation: Double = 1) -> [Float] {
    (0..<count).map { _ in Float(gaussian() * standardDeviation) }
  }

  /// A uniformly random permutation of `0..<count` (Fisher–Yates).
  public mutating func permutation(_ count: Int) -> [Int] {
    var order = Array(0..<count)
    if count > 1 {
      for i in stride(from: count - 1, to: 0, by: -1) {
        let j = Int(next() % UInt64(i + 1))
        order.swapAt(i, j)
      }
    }
    return order
  }
}
