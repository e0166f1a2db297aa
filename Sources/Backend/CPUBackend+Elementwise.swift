// CPU backend: broadcasts, element-wise arithmetic and activations.

import Foundation
import OperationCodes

extension CPUBackend {
  public func uncheckedAddRowVector(
    _ vector: DeviceBuffer<Float>, to matrix: DeviceBuffer<Float>, rows: Int, columns: Int
  ) throws {
    let v = try pointer(vector, "addRowVector", "vector")
    let m = try pointer(matrix, "addRowVector", "matrix")
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / columns)) { range in
      for i in range {
        let row = m + i * columns
        for j in 0..<columns { row[j] += v[j] }
      }
    }
  }

  public func uncheckedScaleRows(
    _ matrix: DeviceBuffer<Float>, by scales: DeviceBuffer<Float>, rows: Int, columns: Int
  ) throws {
    let s = try pointer(scales, "scaleRows", "scales")
    let m = try pointer(matrix, "scaleRows", "matrix")
    parallelChunks(rows, minimumPerChunk: max(1, Self.grain / columns)) { range in
      for i in range {
        let row = m + i * columns
        let scale = s[i]
        for j in 0..<columns { row[j] *= scale }
      }
    }
  }

  /// Pointers for an element-wise operation over `count` elements, after the checks.
  private func elementwise(
    _ operation: String, _ buffers: [(String, DeviceBuffer<Float>)], count: Int
  ) throws -> [UnsafeMutablePointer<Float>] {
    return try buffers.map { try pointer($0.1, operation, $0.0) }
  }

  public func uncheckedWidenBytes(
    _ bytes: DeviceBuffer<UInt8>, count: Int, table: DeviceBuffer<Float>, into out: DeviceBuffer<Float>
  ) throws {
    let source = try pointer(bytes, "widenBytes", "bytes")
    let values = try pointer(table, "widenBytes", "table")
    let target = try pointer(out, "widenBytes", "out")
    elements(count) { range in for i in range { target[i] = values[Int(source[i])] } }
  }

  public func uncheckedLinearCombination(
    alpha: Float, _ x: DeviceBuffer<Float>, beta: Float, _ y: DeviceBuffer<Float>,
    into z: DeviceBuffer<Float>, count: Int
  ) throws {
    let p = try elementwise("linearCombination", [("x", x), ("y", y), ("z", z)], count: count)
    let (px, py, pz) = (p[0], p[1], p[2])
    elements(count) { range in for i in range { pz[i] = alpha * px[i] + beta * py[i] } }
  }

  public func uncheckedMultiply(
    _ x: DeviceBuffer<Float>, _ y: DeviceBuffer<Float>, into z: DeviceBuffer<Float>, count: Int
  ) throws {
    let p = try elementwise("multiply", [("x", x), ("y", y), ("z", z)], count: count)
    let (px, py, pz) = (p[0], p[1], p[2])
    elements(count) { range in for i in range { pz[i] = px[i] * py[i] } }
  }

  public func uncheckedMap(
    _ function: UnaryFunction, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int
  ) throws {
    let p = try elementwise("map", [("x", x), ("y", y)], count: count)
    let (px, py) = (p[0], p[1])
    elements(count) { range in
      switch function {
      case .sign: for i in range { py[i] = px[i] > 0 ? 1 : (px[i] < 0 ? -1 : 0) }
      case .abs: for i in range { py[i] = Swift.abs(px[i]) }
      case .square: for i in range { py[i] = px[i] * px[i] }
      case .exp(let scale): for i in range { py[i] = Foundation.exp(scale * px[i]) }
      case .softplus:
        for i in range { py[i] = Swift.max(px[i], 0) + Foundation.log1p(Foundation.exp(-Swift.abs(px[i]))) }
      case .log: for i in range { py[i] = Foundation.log(Swift.max(px[i], Float.leastNormalMagnitude)) }
      }
    }
  }

  public func uncheckedActivate(
    _ activation: Activation, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int
  ) throws {
    let p = try elementwise("activate", [("x", x), ("y", y)], count: count)
    let (px, py) = (p[0], p[1])
    let (code, slope) = activation.code
    elements(count) { range in for i in range { py[i] = Self.activate(code, slope, px[i]) } }
  }

  public func uncheckedActivationBackward(
    _ activation: Activation, output y: DeviceBuffer<Float>, outputGradient dy: DeviceBuffer<Float>,
    into dx: DeviceBuffer<Float>, count: Int
  ) throws {
    let p = try elementwise(
      "activationBackward", [("output", y), ("outputGradient", dy), ("into", dx)], count: count)
    let (py, pdy, pdx) = (p[0], p[1], p[2])
    let (code, slope) = activation.code
    elements(count) { range in for i in range { pdx[i] = Self.derivative(code, slope, output: py[i]) * pdy[i] } }
  }
}
