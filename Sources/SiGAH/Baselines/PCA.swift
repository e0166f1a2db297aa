// Principal components of centred training data: the top-r eigenvectors of the
// covariance (LAPACK ssyevd), the first step of PCAH and ITQ.

import Backend

public enum PCA {
  /// The `components` leading principal directions as rows (`components × d`), largest
  /// variance first, and the training mean.
  /// With `reduction`, `data` is one share of the rows and the mean and covariance are
  /// those of all shares.
  public static func fit(
    _ data: Matrix, components: Int, backend: any Backend, reduction: ShardReduction = .local
  ) throws -> (mean: [Float], directions: [Float]) {
    let d = data.columns
    guard (1...d).contains(components) else {
      throw BackendError.invalidArgument(
        operation: "pca",
        message: "bits must be between 1 and the dimension \(d) for a PCA-based method, got \(components)")
    }
    let (mean, rows) = reduction.columnMeans(data)
    let (_, axes) = try principalAxes(data, mean: mean, backend: backend, reduction: reduction, rows: rows)
    return (mean, Array(axes.prefix(components * d)))
  }

  /// Every principal variance, largest first, and its axis (rows of a `d × d` matrix):
  /// the eigen-decomposition of the covariance of `data` about `mean`.
  static func principalAxes(
    _ data: Matrix, mean: [Float], backend: any Backend, reduction: ShardReduction = .local, rows: Int? = nil
  ) throws -> (variances: [Float], axes: [Float]) {
    let d = data.columns
    let rows = rows ?? data.rows
    var covariance = [Float](repeating: 0, count: d * d)
    if data.rows > 0 {
      let centred = try centre(data, mean: mean, backend: backend)
      let product = try backend.makeBuffer(Float.self, count: d * d)
      try backend.gemm(
        centred, transposeA: true, centred, transposeB: false, into: product, m: d, n: d, k: data.rows,
        alpha: 1 / Float(rows), beta: 0)
      covariance = try backend.download(product)
    }
    let (values, vectors) = try LinearAlgebra.symmetricEigen(reduction.sum(covariance), n: d)
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
