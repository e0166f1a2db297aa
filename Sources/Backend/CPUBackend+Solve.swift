// CPU backend: the small Cholesky solve of BA's decoder (METHOD.md §11), in the order of
// kernels/solve.cl so that the two backends differ only by fused multiply–adds.

extension CPUBackend {
  public func uncheckedCholeskySolve(
    _ matrix: DeviceBuffer<Float>, order n: Int, relativeRidge: Float, rightHandSides: DeviceBuffer<Float>,
    columns: Int
  ) throws {
    let operation = "choleskySolve"
    let a = try pointer(matrix, operation, "matrix")
    let b = try pointer(rightHandSides, operation, "rightHandSides")
    var trace: Float = 0
    for i in 0..<n { trace += a[i * n + i] }
    let ridge = max(relativeRidge * trace / Float(n), 1e-12)
    for j in 0..<n {
      var pivot = a[j * n + j] + ridge
      for p in 0..<j { pivot -= a[j * n + p] * a[j * n + p] }
      let root = max(pivot, ridge).squareRoot()
      a[j * n + j] = root
      // Rows below j are independent of each other: the device's lanes take them apart.
      parallelChunks(n - j - 1, minimumPerChunk: max(1, 16_384 / max(j, 1))) { range in
        for i in range.lowerBound + j + 1..<range.upperBound + j + 1 {
          var sum = a[i * n + j]
          for p in 0..<j { sum -= a[i * n + p] * a[j * n + p] }
          a[i * n + j] = sum / root
        }
      }
    }
    parallelChunks(columns, minimumPerChunk: max(1, 32_768 / (n * n))) { range in
      for c in range {
        for i in 0..<n {
          var sum = b[i * columns + c]
          for p in 0..<i { sum -= a[i * n + p] * b[p * columns + c] }
          b[i * columns + c] = sum / a[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
          var sum = b[i * columns + c]
          for p in i + 1..<n { sum -= a[p * n + i] * b[p * columns + c] }
          b[i * columns + c] = sum / a[i * n + i]
        }
      }
    }
  }
}
