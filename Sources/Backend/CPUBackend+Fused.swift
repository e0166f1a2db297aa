// CPU backend: the fused operations a training step is made of — bias with activation,
// activation backward with the bias gradient, loss accumulation, the batch gather, the
// graph similarity with σ read from the device, and the distance-matching kernels.

import Foundation
import OperationCodes

extension CPUBackend {
  public func uncheckedGatherRows(
    _ source: DeviceBuffer<Float>, indices: DeviceBuffer<Int32>, first: Int, rows: Int, columns: Int,
    subtracting: DeviceBuffer<Float>?, into out: DeviceBuffer<Float>
  ) throws {
    let from = try pointer(source, "gatherRows", "source")
    let order = try pointer(indices, "gatherRows", "indices")
    let to = try pointer(out, "gatherRows", "out")
    let mean = try subtracting.map { try pointer($0, "gatherRows", "subtracting") }
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / columns)) { range in
      for r in range {
        let row = from + Int(order[first + r]) * columns
        let target = to + r * columns
        if let mean {
          for j in 0..<columns { target[j] = row[j] - mean[j] }
        } else {
          target.update(from: row, count: columns)
        }
      }
    }
  }

  public func uncheckedBiasActivate(
    _ activation: Activation, bias: DeviceBuffer<Float>, _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int
  ) throws {
    let b = try pointer(bias, "biasActivate", "bias")
    let m = try pointer(matrix, "biasActivate", "matrix")
    let (code, slope) = activation.code
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / columns)) { range in
      // The activation chosen once per chunk, so that each inner loop is specialised
      // (and vectorised) for it instead of switching per element.
      @inline(__always) func apply(_ f: (Float) -> Float) {
        for i in range {
          let row = m + i * columns
          for j in 0..<columns { row[j] = f(row[j] + b[j]) }
        }
      }
      switch code {
      case .leakyReLU: apply { $0 > 0 ? $0 : slope * $0 }
      case .relu: apply { $0 > 0 ? $0 : 0 }
      case .identity: apply { $0 }
      case .tanh, .sigmoid, .selu: apply { Self.activate(code, slope, $0) }
      }
    }
  }

  public func uncheckedActivationBackwardWithBiasGradient(
    _ activation: Activation, output y: DeviceBuffer<Float>, outputGradient dy: DeviceBuffer<Float>,
    into dx: DeviceBuffer<Float>, rows: Int, columns: Int, biasGradient: DeviceBuffer<Float>
  ) throws {
    let operation = "activationBackwardWithBiasGradient"
    let (py, pdy, pdx) = (
      try pointer(y, operation, "output"), try pointer(dy, operation, "outputGradient"),
      try pointer(dx, operation, "into")
    )
    let db = try pointer(biasGradient, operation, "biasGradient")
    let (code, slope) = activation.code
    // Column blocks, so that each thread owns its part of the bias gradient.
    parallelChunks(columns, minimumPerChunk: max(16, Self.grain / rows)) { range in
      for j in range { db[j] = 0 }
      @inline(__always) func apply(_ derivative: (Float) -> Float) {
        for i in 0..<rows {
          let base = i * columns
          for j in range {
            let g = derivative(py[base + j]) * pdy[base + j]
            pdx[base + j] = g
            db[j] += g
          }
        }
      }
      switch code {
      case .leakyReLU: apply { $0 > 0 ? 1 : slope }
      case .relu: apply { $0 > 0 ? 1 : 0 }
      case .tanh: apply { 1 - $0 * $0 }
      case .identity: apply { _ in 1 }
      case .sigmoid, .selu: apply { Self.derivative(code, slope, output: $0) }
      }
    }
  }

  public func uncheckedAccumulate(
    _ x: DeviceBuffer<Float>, count: Int, _ reduction: RowReduction, scale: Float,
    into accumulator: DeviceBuffer<Float>, index: Int
  ) throws {
    let total = reduceAll(try pointer(x, "accumulate", "x"), count, reduction)
    try pointer(accumulator, "accumulate", "accumulator")[index] += scale * total
  }

  public func uncheckedExponentialSimilarity(
    _ distances: DeviceBuffer<Float>, count: Int, sigma: Float?, total: DeviceBuffer<Float>, pairs: Int,
    into similarity: DeviceBuffer<Float>
  ) throws {
    let d = try pointer(distances, "exponentialSimilarity", "distances")
    let s = try pointer(similarity, "exponentialSimilarity", "similarity")
    let sum = try pointer(total, "exponentialSimilarity", "total")[0]
    let scale = -(sigma ?? (pairs > 0 && sum > 0 ? Float(pairs) / sum : 1))
    elements(count) { range in for i in range { s[i] = Foundation.exp(scale * d[i]) } }
  }

  public func uncheckedNearestSelection(
    _ distances: DeviceBuffer<Float>, rows n: Int, nearest: Int, into selected: DeviceBuffer<Float>
  ) throws {
    let d = try pointer(distances, "nearestSelection", "distances")
    let out = try pointer(selected, "nearestSelection", "selected")
    guard nearest >= 1 else {
      out.update(repeating: 0, count: n * n)
      return
    }
    parallelChunks(n) { range in
      var kept = SmallestKeys(capacity: nearest)
      for i in range {
        kept.removeAll()
        for j in 0..<n where j != i { kept.offer(SmallestKeys.key(d[i * n + j], index: j)) }
        let row = out + i * n
        row.update(repeating: 0, count: n)
        for key in kept.sorted() { row[Int(SmallestKeys.index(of: key))] = 1 }
      }
    }
  }

  public func uncheckedDistanceMatchingResidual(
    products: DeviceBuffer<Float>, distances: DeviceBuffer<Float>, rowSums: DeviceBuffer<Float>,
    selected: DeviceBuffer<Float>, rows n: Int, loss: LossRows
  ) throws {
    let operation = "distanceMatchingResidual"
    let p = try pointer(products, operation, "products")
    let d = try pointer(distances, operation, "distances")
    let sums = try pointer(rowSums, operation, "rowSums")
    let near = try pointer(selected, operation, "selected")
    let losses = try pointer(loss.buffer, operation, "loss") + loss.offset
    let others = Float(max(n - 1, 1))
    parallelChunks(n, minimumPerChunk: max(1, Self.grain / n)) { range in
      for i in range {
        let si = sums[i] / others
        var rowLoss: Float = 0
        for j in 0..<n {
          let index = i * n + j
          let scale = (si * (sums[j] / others)).squareRoot()
          let target = 1 - (scale > 0 ? d[index] / scale : 0)
          let e = p[index] - target
          let g = near[index] > 0 || near[j * n + i] > 0 ? e : max(e, 0)
          p[index] = g
          rowLoss += e * g
        }
        losses[i] += loss.scale * rowLoss
      }
    }
  }

  // MARK: Activation functions (METHOD.md §1), shared by the CPU operations

  @inline(__always)
  static func activate(_ code: ActivationCode, _ slope: Float, _ x: Float) -> Float {
    switch code {
    case .leakyReLU: return x > 0 ? x : slope * x
    case .relu: return x > 0 ? x : 0
    case .tanh: return Foundation.tanh(x)
    case .sigmoid: return 1 / (1 + Foundation.exp(-x))
    case .identity: return x
    case .selu:
      return x > 0 ? Activation.seluScale * x : Activation.seluScale * Activation.seluAlpha * (Foundation.exp(x) - 1)
    }
  }

  /// `f'(x)` written in terms of the output `y = f(x)`.
  @inline(__always)
  static func derivative(_ code: ActivationCode, _ slope: Float, output y: Float) -> Float {
    switch code {
    case .leakyReLU: return y > 0 ? 1 : slope
    case .relu: return y > 0 ? 1 : 0
    case .tanh: return 1 - y * y
    case .sigmoid: return y * (1 - y)
    case .identity: return 1
    case .selu: return y > 0 ? Activation.seluScale : y + Activation.seluScale * Activation.seluAlpha
    }
  }
}
