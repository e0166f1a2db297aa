// Spectral Hashing (Weiss, Torralba & Fergus, NIPS 2008): for data spread uniformly over a
// box aligned with its principal axes, the eigenfunctions of the graph Laplacian are
// cos(m·π·(v_k − a_k)/R_k) along one axis k with range [a_k, a_k + R_k], of eigenvalue
// growing with (m/R_k)²; the r bits are the signs of the r smoothest ones, m ≥ 1, so long
// axes give several bits of rising frequency. Past the dimension the modes simply go on.

import Backend
import Foundation

public struct SpectralHash: Sendable, Equatable {
  public let mean: [Float]
  /// The p principal directions used, `p × d`.
  public let directions: [Float]
  /// Per direction, the low end `a_k` of the training range and its length `R_k`.
  public let minimum: [Float]
  public let range: [Float]
  /// Per bit, its direction k and its mode m ≥ 1.
  public let components: [Int]
  public let modes: [Int]
  public var bits: Int { components.count }
  public var inputDimension: Int { mean.count }

  public init(mean: [Float], directions: [Float], minimum: [Float], range: [Float], components: [Int], modes: [Int]) {
    (self.mean, self.directions, self.minimum, self.range) = (mean, directions, minimum, range)
    (self.components, self.modes) = (components, modes)
  }

  /// Fits on `data`: PCA with p = min(r, d) directions, the training range of each
  /// projection (widened by 10⁻⁶ of its length at both ends, as the reference code's
  /// ε, but relative so that the units of the data do not matter), and the r smoothest
  /// modes, ties by direction then mode.
  public static func fit(_ data: Matrix, bits: Int, backend: any Backend) throws -> SpectralHash {
    let p = min(bits, data.columns)
    let (mean, directions) = try PCA.fit(data, components: p, backend: backend)
    let projected = try project(data, mean: mean, directions: directions, p: p, backend: backend)
    var (minimum, range) = ([Float](repeating: 0, count: p), [Float](repeating: 0, count: p))
    for k in 0..<p {
      var (low, high) = (Float.infinity, -Float.infinity)
      for i in 0..<data.rows {
        (low, high) = (min(low, projected[i * p + k]), max(high, projected[i * p + k]))
      }
      let margin = max(high - low, .leastNormalMagnitude) * 1e-6
      (minimum[k], range[k]) = (low - margin, high - low + 2 * margin)
    }
    // Eigenvalue ∝ (m/R_k)²: the smoothest modes are those of smallest m/R_k. Direction k
    // needs at most ⌈(r + 1)·R_k / max R⌉ modes to compete (the reference code's bound).
    let longest = range.max()!
    var candidates: [(frequency: Double, component: Int, mode: Int)] = []
    for k in 0..<p {
      let count = Int((Double(bits + 1) * Double(range[k]) / Double(longest)).rounded(.up))
      for m in 1...max(count, 1) { candidates.append((Double(m) / Double(range[k]), k, m)) }
    }
    candidates.sort { ($0.frequency, $0.component, $0.mode) < ($1.frequency, $1.component, $1.mode) }
    let chosen = candidates.prefix(bits)
    return SpectralHash(
      mean: mean, directions: directions, minimum: minimum, range: range, components: chosen.map(\.component),
      modes: chosen.map(\.mode))
  }

  /// `(x − μ)·Pᵀ` for every row, on the backend.
  static func project(_ data: Matrix, mean: [Float], directions: [Float], p: Int, backend: any Backend) throws
    -> [Float]
  {
    try PCA.project(data, mean: mean, onto: directions, outputs: p, backend: backend)
  }

  /// Bit j = 1 when `cos(m_j·π·(v_k − a_k)/R_k) ≥ 0`, k = the bit's direction.
  public func encode(_ data: Matrix, backend: any Backend, batchSize: Int = 4096, progress: (Int) -> Void = { _ in })
    throws -> PackedCodes
  {
    try data.requireDimension(inputDimension)
    let p = minimum.count
    let batch = max(1, min(batchSize, data.rows))
    let values = try backend.makeBuffer(Float.self, count: batch * bits)
    let codes = try backend.makeBuffer(UInt64.self, count: batch * codeWords(bits: bits))
    var words: [UInt64] = []
    for block in data.rowBlocks(batch) {
      let n = block.count
      let projected = try Self.project(
        data.rows(block), mean: mean, directions: directions, p: p, backend: backend)
      var waves = [Float](repeating: 0, count: n * bits)
      for i in 0..<n {
        for (bit, (k, m)) in zip(components, modes).enumerated() {
          let phase = Double(m) * Double.pi * Double(projected[i * p + k] - minimum[k]) / Double(range[k])
          waves[i * bits + bit] = Float(cos(phase))
        }
      }
      try backend.upload(waves, to: values)
      try backend.signPack(values, rows: n, bits: bits, into: codes)
      words += try backend.download(codes, count: n * codeWords(bits: bits))
      progress(block.upperBound)
    }
    return PackedCodes(count: data.rows, bits: bits, words: words)
  }
}
