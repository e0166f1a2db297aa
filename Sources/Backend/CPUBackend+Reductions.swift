// CPU backend: row and column reductions, the margin and ranking losses, and distances
// from a Gram matrix.

import Foundation

extension CPUBackend {
  public func uncheckedReduceRows(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, _ reduction: RowReduction,
    into out: DeviceBuffer<Float>
  ) throws {
    let m = try pointer(matrix, "reduceRows", "matrix")
    let o = try pointer(out, "reduceRows", "out")
    if rows == 1 {
      o[0] = reduceAll(m, columns, reduction)
      return
    }
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / columns)) { range in
      for i in range { o[i] = Self.reduce(m + i * columns, columns, reduction) }
    }
  }

  /// `reduce(x[0..<count])`. A long run is split into pieces fixed by its length alone
  /// (at most `maximumPieces`), whose partial sums are added in order: the result is the
  /// same at every thread count and schedule.
  func reduceAll(_ x: UnsafeMutablePointer<Float>, _ count: Int, _ reduction: RowReduction) -> Float {
    guard count >= 2 * Self.grain else { return Self.reduce(x, count, reduction) }
    let pieces = min(Self.maximumPieces, count / Self.grain)
    var partials = [Float](repeating: 0, count: pieces)
    partials.withUnsafeMutableBufferPointer { partials in
      parallelChunks(pieces) { range in
        for piece in range {
          let span = (count * piece / pieces)..<(count * (piece + 1) / pieces)
          partials[piece] = Self.reduce(x + span.lowerBound, span.count, reduction)
        }
      }
    }
    return partials.reduce(0, +)
  }

  /// The most partial sums of one reduction: enough pieces for the cores of a large server.
  static let maximumPieces = 64

  /// `reduce(x[0..<count])` in 16 lanes (element `i` to lane `i mod 16`, the lanes then
  /// added in order, the tail last): an order fixed by `count` alone, as the pieces are,
  /// and a sum the vector units carry instead of one dependent add after another.
  @inline(__always)
  static func reduce(_ x: UnsafeMutablePointer<Float>, _ count: Int, _ reduction: RowReduction) -> Float {
    let raw = UnsafeRawPointer(x)
    let whole = count / 16 * 16
    var lanes = SIMD16<Float>()
    var i = 0
    switch reduction {
    case .sum:
      while i < whole {
        lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
      }
    case .sumOfSquares:
      while i < whole {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        lanes = lanes.addingProduct(v, v)
        i += 16
      }
    case .sumOfAbsoluteValues:
      let magnitude = SIMD16<UInt32>(repeating: 0x7FFF_FFFF)
      while i < whole {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<UInt32>.self)
        lanes += unsafeBitCast(v & magnitude, to: SIMD16<Float>.self)
        i += 16
      }
    }
    var total: Float = 0
    for lane in 0..<16 { total += lanes[lane] }
    switch reduction {
    case .sum: for j in whole..<count { total += x[j] }
    case .sumOfSquares: for j in whole..<count { total += x[j] * x[j] }
    case .sumOfAbsoluteValues: for j in whole..<count { total += abs(x[j]) }
    }
    return total
  }

  public func uncheckedSumColumns(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, into out: DeviceBuffer<Float>
  ) throws {
    let m = try pointer(matrix, "sumColumns", "matrix")
    let o = try pointer(out, "sumColumns", "out")
    parallelChunks(columns, minimumPerChunk: max(16, Self.grain / rows)) { range in
      for j in range { o[j] = 0 }
      for i in 0..<rows {
        let row = m + i * columns
        for j in range { o[j] += row[j] }
      }
    }
  }

  public func uncheckedMarginLoss(
    energies: DeviceBuffer<Float>, count: Int, margin: Float, losses: DeviceBuffer<Float>,
    gradient: DeviceBuffer<Float>
  ) throws {
    let e = try pointer(energies, "marginLoss", "energies")
    let l = try pointer(losses, "marginLoss", "losses")
    let g = try pointer(gradient, "marginLoss", "gradient")
    for i in 0..<count {
      let gap = margin - e[i]
      l[i] = gap > 0 ? gap : 0
      g[i] = gap > 0 ? -1 : 0
    }
  }

  public func uncheckedDistancesFromGram(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>,
    rows: Int, columns: Int, squareRoot: Bool, zeroDiagonal: Bool,
    into distances: DeviceBuffer<Float>
  ) throws {
    let g = try pointer(gram, "distancesFromGram", "gram")
    let a = try pointer(rowNorms, "distancesFromGram", "rowNorms")
    let b = try pointer(columnNorms, "distancesFromGram", "columnNorms")
    let d = try pointer(distances, "distancesFromGram", "distances")
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / columns)) { range in
      for i in range {
        for j in 0..<columns {
          let squared = zeroDiagonal && i == j ? 0 : max(0, a[i] + b[j] - 2 * g[i * columns + j])
          d[i * columns + j] = squareRoot ? squared.squareRoot() : squared
        }
      }
    }
  }
}

extension CPUBackend {
  public func uncheckedRankingPairLoss(
    _ codes: DeviceBuffer<Float>, anchors: Int, pairsPerAnchor pairs: Int, bits: Int, sharpness: Float,
    gradient: DeviceBuffer<Float>, losses: DeviceBuffer<Float>
  ) throws {
    let h = try pointer(codes, "rankingPairLoss", "codes")
    let g = try pointer(gradient, "rankingPairLoss", "gradient")
    let l = try pointer(losses, "rankingPairLoss", "losses")
    let scale = 1 / (Float(anchors) * Float(pairs * pairs))
    parallelChunks(anchors, minimumPerChunk: max(1, Self.grain / (4 * pairs * bits))) { range in
      var similarity = (positive: [Float](repeating: 0, count: pairs), negative: [Float](repeating: 0, count: pairs))
      var weight = (positive: [Float](repeating: 0, count: pairs), negative: [Float](repeating: 0, count: pairs))
      for a in range {
        let anchor = h + a * bits
        let positives = anchors + a * pairs
        let negatives = anchors * (1 + pairs) + a * pairs
        for j in 0..<pairs {
          var (dotPositive, dotNegative): (Float, Float) = (0, 0)
          for k in 0..<bits {
            dotPositive += anchor[k] * h[(positives + j) * bits + k]
            dotNegative += anchor[k] * h[(negatives + j) * bits + k]
          }
          similarity.positive[j] = dotPositive / Float(bits)
          similarity.negative[j] = dotNegative / Float(bits)
          weight.positive[j] = 0
          weight.negative[j] = 0
        }
        var loss: Float = 0
        for p in 0..<pairs {
          for n in 0..<pairs {
            let t = -sharpness * (similarity.positive[p] - similarity.negative[n])
            loss += t > 0 ? t + log1p(exp(-t)) : log1p(exp(t))
            let w = sharpness * scale / (1 + exp(-t))
            weight.positive[p] -= w
            weight.negative[n] += w
          }
        }
        l[a] = loss * scale
        for k in 0..<bits {
          var sum: Float = 0
          for j in 0..<pairs {
            sum +=
              weight.positive[j] * h[(positives + j) * bits + k] + weight.negative[j] * h[(negatives + j) * bits + k]
          }
          g[a * bits + k] = sum / Float(bits)
        }
        for j in 0..<pairs {
          for k in 0..<bits {
            g[(positives + j) * bits + k] = weight.positive[j] * anchor[k] / Float(bits)
            g[(negatives + j) * bits + k] = weight.negative[j] * anchor[k] / Float(bits)
          }
        }
      }
    }
  }
}
