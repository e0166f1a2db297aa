// Parity cases of the Cholesky solve (`choleskySolve`) on the matrices BA's decoder
// solves: the Gram matrix of ±1 codes with a column of ones, and its products with
// Gaussian data. With four times as many rows as columns such a matrix has a condition
// number near 9, so Float32 agrees with the Float64 reference to about 10⁻⁵; 10⁻⁴ holds at
// every order here.

import Backend

extension ParitySuite {
  static func solveCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    // A 1 × 1 system; the orders of 6-, 32-, 64- and 256-bit codes (with the ones column);
    // a code with a constant bit, whose Gram matrix is singular without the ridge.
    for (order, columns, ridge, constantBit) in [
      (1, 1, Float(1e-6), false), (7, 93, 1e-6, false), (33, 784, 1e-6, false), (65, 128, 1e-6, false),
      (257, 40, 1e-6, false), (17, 50, 1e-1, true),
    ] {
      let rows = 4 * order
      var codes = gaussians(rows * order, seed: 150).map { $0 < 0 ? Float(-1) : 1 }
      for i in 0..<rows {
        codes[i * order + order - 1] = 1
        if constantBit && order > 1 { codes[i * order] = 1 }
      }
      let data = gaussians(rows * columns, seed: 151, scale: 3)
      let gram = (0..<(order * order)).map { entry in
        (0..<rows).reduce(Float(0)) { $0 + codes[$1 * order + entry / order] * codes[$1 * order + entry % order] }
      }
      let products = (0..<(order * columns)).map { entry in
        (0..<rows).reduce(Float(0)) { $0 + codes[$1 * order + entry / columns] * data[$1 * columns + entry % columns] }
      }
      cases.append(
        ParityCase(
          operation: "choleskySolve",
          shape: "order \(order), \(columns) columns, ridge \(ridge)" + (constantBit ? ", a constant bit" : ""),
          tolerance: 1e-4,
          run: { backend in
            let (a, b) = (try backend.makeBuffer(gram), try backend.makeBuffer(products))
            try backend.choleskySolve(a, order: order, relativeRidge: ridge, rightHandSides: b, columns: columns)
            return doubles(try backend.download(a) + backend.download(b))
          },
          reference: {
            Reference.choleskySolve(gram, order: order, relativeRidge: ridge, products, columns: columns)
          }))
    }
    return cases
  }
}

extension Reference {
  /// The solve as `choleskySolve` states it, in Float64: the matrix with its lower triangle
  /// replaced by the factor, then the solution.
  public static func choleskySolve(
    _ matrix: [Float], order n: Int, relativeRidge: Float, _ rightHandSides: [Float], columns: Int
  ) -> [Double] {
    var a = matrix.map(Double.init)
    var b = rightHandSides.map(Double.init)
    let trace = (0..<n).reduce(0.0) { $0 + a[$1 * n + $1] }
    let ridge = max(Double(relativeRidge) * trace / Double(n), 1e-12)
    for j in 0..<n {
      let pivot = (0..<j).reduce(a[j * n + j] + ridge) { $0 - a[j * n + $1] * a[j * n + $1] }
      a[j * n + j] = max(pivot, ridge).squareRoot()
      for i in (j + 1)..<n {
        a[i * n + j] = (0..<j).reduce(a[i * n + j]) { $0 - a[i * n + $1] * a[j * n + $1] } / a[j * n + j]
      }
    }
    for c in 0..<columns {
      for i in 0..<n {
        b[i * columns + c] =
          (0..<i).reduce(b[i * columns + c]) { $0 - a[i * n + $1] * b[$1 * columns + c] } / a[i * n + i]
      }
      for i in (0..<n).reversed() {
        b[i * columns + c] =
          ((i + 1)..<n).reduce(b[i * columns + c]) { $0 - a[$1 * n + i] * b[$1 * columns + c] } / a[i * n + i]
      }
    }
    return a + b
  }
}
