// Principal components of centred training data: the top-r eigenvectors of the
// covariance (LAPACK ssyevd), the first step of PCAH and ITQ.

import Backend

public enum PCA {
  /// The `components` leading principal directions as rows (`components × d`), largest
  /// variance first, and the training mean.
  public static func fit(_ data: Matrix, components: Int, backend: any Backend) throws -> (
    mean: [Float], directions: [Float]
  ) {
    let d = data.columns
    guard (1...d).contains(components) else {
      throw BackendError.invalidArgument(
        operation: "pca",
        message: "bits must be between 1 and the dimension \(d) for a PCA-based method, got \(components)")
    }
    let mean = data.columnMeans()
    let (_, axes) = try principalAxes(data, mean: mean, backend: backend)
    return (mean, Array(axes.prefix(components * d)))
  }

  /// Every principal variance, largest first, and its axis (rows of a `d × d` matrix):
  /// the eigen-decomposition of the covariance of `data` about `mean`.
  static func principalAxes(_ data: Matrix, mean: [Float], backend: any Backend) throws -> (
    variances: [Float], axes: [Float]
  ) {
    let d = data.columns
    let centred = try centre(data, mean: mean, backend: backend)
    let covariance = try backend.makeBuffer(Float.self, count: d * d)
    try backend.gemm(
      centred, transposeA: true, centred, transposeB: false, into: covariance, m: d, n: d, k: data.rows,
      alpha: 1 / Float(data.rows), beta: 0)
    let (values, vectors) = try LinearAlgebra.symmetricEigen(try backend.download(covariance), n: d)
    // Eigenvalues come ascending: the last rows are the leading directions.
    let axes = (0..<d).reversed().flatMap { vectors[($0 * d)..<(($0 + 1) * d)] }
    return (values.reversed(), axes)
  }

  /// `(x − μ)·Mᵀ` for every row of `data`, downloaded: the projections on the `outputs`
  /// rows of `matrix` (or with `rowsAreInputs`, `(x − μ)·M` for a `d × outputs` matrix).
  static func project(
    _ data: Matrix, mean: [Float], onto matrix: [Float], outputs: Int, rowsAreInputs: Bool = false,
    backend: any Backend
  ) throws -> [Float] {
    let centred = try centre(data, mean: mean, backend: backend)
    let projected = try backend.makeBuffer(Float.self, count: data.rows * outputs)
    try backend.gemm(
      centred, transposeA: false, try backend.makeBuffer(matrix), transposeB: !rowsAreInputs, into: projected,
      m: data.rows, n: outputs, k: data.columns, alpha: 1, beta: 0)
    return try backend.download(projected)
  }

  /// `X − μ` on the backend.
  static func centre(_ data: Matrix, mean: [Float], backend: any Backend) throws -> DeviceBuffer<Float> {
    let buffer = try backend.makeBuffer(data.values)
    try backend.addRowVector(
      try backend.makeBuffer(mean.map { -$0 }), to: buffer, rows: data.rows, columns: data.columns)
    return buffer
  }
}
