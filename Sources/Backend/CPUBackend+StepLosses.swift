// CPU backend: the row-wise fused operations of a training step (the discriminator's
// energy loss, the reconstruction and penalty gradients, the hash layer's last step back),
// each one pass over its rows; a row's loss is summed in 16 lanes (`reduce`) while the
// row is in cache, not as one chain of dependent additions.

import Foundation
import OperationCodes

extension CPUBackend {
  public func uncheckedEnergyLoss(
    output r: DeviceBuffer<Float>, input a: DeviceBuffer<Float>, rows: Int, columns: Int, energyScale: Float,
    hingeFrom: Int, margin: Float, gradientScale: Float, into residualGradient: DeviceBuffer<Float>,
    inputGradient: DeviceBuffer<Float>?, loss: LossRows
  ) throws {
    let operation = "energyLoss"
    let (pr, pa, dr) = (
      try pointer(r, operation, "output"), try pointer(a, operation, "input"),
      try pointer(residualGradient, operation, "into")
    )
    let da = try inputGradient.map { try pointer($0, operation, "inputGradient") }
    let losses = try pointer(loss.buffer, operation, "loss") + loss.offset
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / columns)) { range in
      for i in range {
        let (row, input, out) = (pr + i * columns, pa + i * columns, dr + i * columns)
        for j in 0..<columns { out[j] = row[j] - input[j] }
        let energy = energyScale * Self.reduce(out, columns, .sumOfSquares)
        let (rowLoss, slope): (Float, Float) =
          i < hingeFrom ? (energy, 1) : (max(0, margin - energy), margin - energy > 0 ? -1 : 0)
        losses[i] += loss.scale * rowLoss
        let factor = gradientScale * slope * 2 * energyScale
        for j in 0..<columns { out[j] *= factor }
        if let da {
          let target = da + i * columns
          for j in 0..<columns { target[j] -= out[j] }
        }
      }
    }
  }

  public func uncheckedSquaredErrorLoss(
    _ x: DeviceBuffer<Float>, target: DeviceBuffer<Float>, rows: Int, columns: Int, gradientScale: Float,
    into gradient: DeviceBuffer<Float>, loss: LossRows
  ) throws {
    let operation = "squaredErrorLoss"
    let (px, pt, pg) = (
      try pointer(x, operation, "x"), try pointer(target, operation, "target"), try pointer(gradient, operation, "into")
    )
    let losses = try pointer(loss.buffer, operation, "loss") + loss.offset
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / columns)) { range in
      for i in range {
        let base = i * columns
        for j in base..<(base + columns) { pg[j] = px[j] - pt[j] }
        losses[i] += loss.scale * Self.reduce(pg + base, columns, .sumOfSquares)
        for j in base..<(base + columns) { pg[j] *= gradientScale }
      }
    }
  }

  public func uncheckedPenaltyGradient(
    _ x: DeviceBuffer<Float>, rows: Int, columns: Int, _ penalty: Penalty, accumulate: Bool,
    into gradient: DeviceBuffer<Float>
  ) throws {
    let operation = "penaltyGradient"
    let (px, pg) = (try pointer(x, operation, "x"), try pointer(gradient, operation, "into"))
    let losses = try pointer(penalty.loss.buffer, operation, "loss") + penalty.loss.offset
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / columns)) { range in
      for i in range {
        let base = i * columns
        for j in base..<(base + columns) {
          pg[j] = (accumulate ? pg[j] : 0) + penalty.gradientScale * Self.penalty(penalty.kind, px[j]).1
        }
        losses[i] += penalty.loss.scale * Self.reduce(px + base, columns, penalty.kind)
      }
    }
  }

  public func uncheckedCodeGradient(
    codes h: DeviceBuffer<Float>, rows: Int, bits: Int, gradient: DeviceBuffer<Float>, quantisation: Penalty?,
    graph: GraphGradient?, activation: Activation
  ) throws {
    let operation = "codeGradient"
    let (ph, pg) = (try pointer(h, operation, "codes"), try pointer(gradient, operation, "gradient"))
    let products = try graph.map { try pointer($0.negatedProducts, operation, "negatedProducts") }
    let degrees = try graph.map { try pointer($0.degrees, operation, "degrees") }
    let graphLosses = try graph.map { try pointer($0.loss.buffer, operation, "loss") + $0.loss.offset }
    let quantisationLosses = try quantisation.map { try pointer($0.loss.buffer, operation, "loss") + $0.loss.offset }
    let (code, slope) = activation.code
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / bits)) { range in
      for i in range {
        var (graphLoss, penalties): (Float, Float) = (0, 0)
        for k in 0..<bits {
          let index = i * bits + k
          let value = ph[index]
          var total = pg[index]
          if let graph, let products, let degrees {
            // ((Diag(S1) − S)·H)[i, k], kept in place for the loss of the row.
            let laplacian = products[index] + degrees[i] * value
            products[index] = laplacian
            graphLoss += value * laplacian
            total += graph.gradientScale * laplacian
          }
          if let quantisation {
            let (penalty, penaltySlope) = Self.penalty(quantisation.kind, value)
            penalties += penalty
            total += quantisation.gradientScale * penaltySlope
          }
          pg[index] = total * Self.derivative(code, slope, output: value)
        }
        if let graph, let graphLosses { graphLosses[i] += graph.loss.scale * graphLoss }
        if let quantisation, let quantisationLosses { quantisationLosses[i] += quantisation.loss.scale * penalties }
      }
    }
  }

  /// `ρ(v)` and `ρ'(v)` of a penalty: `v²` and `2v`, or `|v|` and `sign(v)` (0 at 0).
  @inline(__always)
  static func penalty(_ kind: RowReduction, _ v: Float) -> (Float, Float) {
    kind == .sumOfSquares ? (v * v, 2 * v) : (Swift.abs(v), v > 0 ? 1 : (v < 0 ? -1 : 0))
  }

  public func uncheckedBinaryCrossEntropy(
    _ logits: DeviceBuffer<Float>, offset: Int, count: Int, target: Float, lossScale: Float,
    accumulator: DeviceBuffer<Float>?, index: Int, gradient: DeviceBuffer<Float>?, gradientOffset: Int,
    gradientScale: Float, beta: Float
  ) throws {
    let operation = "binaryCrossEntropy"
    let x = try pointer(logits, operation, "logits") + offset
    let g = try gradient.map { try pointer($0, operation, "gradient") + gradientOffset }
    var total: Float = 0
    for i in 0..<count {
      total += Swift.max(x[i], 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x[i]))) - target * x[i]
      if let g {
        let term = gradientScale * (1 / (1 + Foundation.exp(-x[i])) - target)
        g[i] = beta == 0 ? term : term + beta * g[i]
      }
    }
    if let accumulator { try pointer(accumulator, operation, "accumulator")[index] += lossScale * total }
  }
}
