// Naive Float64 implementations of every Backend operation: the ground the CPU backend
// is tested against. Written for clarity, never for speed.

import Backend
import Foundation

public enum Reference {
  /// Row-major `alpha·op(A)·op(B) + beta·C` in Float64.
  public static func gemm(
    _ a: [Float], transposeA: Bool, _ b: [Float], transposeB: Bool, _ c: [Float],
    m: Int, n: Int, k: Int, alpha: Float, beta: Float
  ) -> [Double] {
    var out = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var total = 0.0
        for p in 0..<k {
          let x = transposeA ? a[p * m + i] : a[i * k + p]
          let y = transposeB ? b[j * k + p] : b[p * n + j]
          total += Double(x) * Double(y)
        }
        out[i * n + j] = Double(alpha) * total + (beta == 0 ? 0 : Double(beta) * Double(c[i * n + j]))
      }
    }
    return out
  }

  public static func activate(_ activation: Activation, _ x: Double) -> Double {
    switch activation {
    case .leakyReLU(let slope): return x > 0 ? x : Double(slope) * x
    case .relu: return max(x, 0)
    case .tanh: return Foundation.tanh(x)
    case .sigmoid: return 1 / (1 + Foundation.exp(-x))
    case .identity: return x
    case .selu:
      let (scale, alpha) = (Double(Activation.seluScale), Double(Activation.seluAlpha))
      return x > 0 ? scale * x : scale * alpha * (Foundation.exp(x) - 1)
    }
  }

  /// `f'` written through the output `y`, as the backends compute it.
  public static func derivative(_ activation: Activation, output y: Double) -> Double {
    switch activation {
    case .leakyReLU(let slope): return y > 0 ? 1 : Double(slope)
    case .relu: return y > 0 ? 1 : 0
    case .tanh: return 1 - y * y
    case .sigmoid: return y * (1 - y)
    case .identity: return 1
    case .selu: return y > 0 ? Double(Activation.seluScale) : y + Double(Activation.seluScale * Activation.seluAlpha)
    }
  }

  public static func map(_ function: UnaryFunction, _ x: Double) -> Double {
    switch function {
    case .sign: return x > 0 ? 1 : (x < 0 ? -1 : 0)
    case .abs: return Swift.abs(x)
    case .square: return x * x
    case .exp(let scale): return Foundation.exp(Double(scale) * x)
    case .softplus: return Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
    case .log: return Foundation.log(Swift.max(x, Double(Float.leastNormalMagnitude)))
    }
  }

  public static func signPack(_ x: [Float], rows: Int, bits: Int) -> [UInt64] {
    let words = codeWords(bits: bits)
    var codes = [UInt64](repeating: 0, count: rows * words)
    for i in 0..<rows {
      for bit in 0..<bits where x[i * bits + bit] >= 0 {
        codes[i * words + bit / 64] |= 1 << UInt64(bit % 64)
      }
    }
    return codes
  }

  public static func hamming(_ a: ArraySlice<UInt64>, _ b: ArraySlice<UInt64>) -> Int {
    zip(a, b).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
  }

  /// Top-k by a full sort on (distance, index): the definition of METHOD.md §4's ranking.
  public static func hammingTopK(
    queries: [UInt64], database: [UInt64], queryCount: Int, databaseCount: Int, bits: Int, k: Int
  ) -> TopK {
    let words = codeWords(bits: bits)
    var ids: [Int32] = []
    var distances: [Int32] = []
    for q in 0..<queryCount {
      let query = queries[(q * words)..<((q + 1) * words)]
      let ranked = (0..<databaseCount).map { i in
        (hamming(query, database[(i * words)..<((i + 1) * words)]), i)
      }.sorted { $0 < $1 }
      for (distance, index) in ranked.prefix(k) {
        ids.append(Int32(index))
        distances.append(Int32(distance))
      }
    }
    return TopK(k: k, ids: ids, distances: distances)
  }

  /// Radius search by the full ranking cut at the radius.
  public static func hammingWithin(
    queries: [UInt64], database: [UInt64], queryCount: Int, databaseCount: Int, bits: Int, radius: Int
  ) -> HammingMatches {
    let ranked = hammingTopK(
      queries: queries, database: database, queryCount: queryCount, databaseCount: databaseCount, bits: bits,
      k: databaseCount)
    var (offsets, ids, distances) = ([0], [Int32](), [Int32]())
    for q in 0..<queryCount {
      for e in (q * databaseCount)..<((q + 1) * databaseCount) where ranked.distances[e] <= radius {
        ids.append(ranked.ids[e])
        distances.append(ranked.distances[e])
      }
      offsets.append(ids.count)
    }
    return HammingMatches(offsets: offsets, ids: ids, distances: distances)
  }
}

extension Reference {
  /// S = exp(−σ‖x_i − x_j‖) with σ = 1/(mean distance over i ≠ j), METHOD.md §2.
  public static func graphSimilarity(_ x: [Float], rows: Int, columns: Int) -> [Double] {
    var distances = [Double](repeating: 0, count: rows * rows)
    for i in 0..<rows {
      for j in 0..<rows {
        var total = 0.0
        for c in 0..<columns {
          let d = Double(x[i * columns + c]) - Double(x[j * columns + c])
          total += d * d
        }
        distances[i * rows + j] = total.squareRoot()
      }
    }
    let sum = distances.reduce(0, +)
    let sigma = rows > 1 && sum > 0 ? Double(rows * (rows - 1)) / sum : 1
    return distances.map { Foundation.exp(-sigma * $0) }
  }

  /// One Adam step; returns θ, m and v concatenated.
  public static func adam(
    _ theta: [Float], _ gradient: [Float], _ m: [Float], _ v: [Float], _ step: AdamStep
  ) -> [Double] {
    let (b1, b2) = (Double(step.beta1), Double(step.beta2))
    let t = Double(step.step)
    var (newTheta, newM, newV) = ([Double](), [Double](), [Double]())
    for i in theta.indices {
      let g = Double(gradient[i]) + Double(step.weightDecay) * Double(theta[i])
      let mi = b1 * Double(m[i]) + (1 - b1) * g
      let vi = b2 * Double(v[i]) + (1 - b2) * g * g
      let mHat = mi / (1 - pow(b1, t))
      let vHat = vi / (1 - pow(b2, t))
      newTheta.append(Double(theta[i]) - Double(step.learningRate) * mHat / (vHat.squareRoot() + Double(step.epsilon)))
      newM.append(mi)
      newV.append(vi)
    }
    return newTheta + newM + newV
  }

  /// Row i marks the `nearest` smallest `D[i, j]`, `j ≠ i`, ties by index (METHOD.md §3b.2).
  public static func nearestSelection(_ d: [Float], rows n: Int, nearest: Int) -> [Double] {
    var out = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      let order = (0..<n).filter { $0 != i }.sorted { (d[i * n + $0], $0) < (d[i * n + $1], $1) }
      for j in order.prefix(nearest) { out[i * n + j] = 1 }
    }
    return out
  }
}
