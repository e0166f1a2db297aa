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
    let centred = try centre(data, mean: mean, backend: backend)
    let covariance = try backend.makeBuffer(Float.self, count: d * d)
    try backend.gemm(
      centred, transposeA: true, centred, transposeB: false, into: covariance, m: d, n: d, k: data.rows,
      alpha: 1 / Float(data.rows), beta: 0)
    let (_, vectors) = try LinearAlgebra.symmetricEigen(try backend.download(covariance), n: d)
    // Eigenvalues come ascending: the last rows are the leading directions.
    var directions: [Float] = []
    for row in stride(from: d - 1, through: d - components, by: -1) {
      directions += vectors[(row * d)..<((row + 1) * d)]
    }
    return (mean, directions)
  }

  /// `X − μ` on the backend.
  static func centre(_ data: Matrix, mean: [Float], backend: any Backend) throws -> DeviceBuffer<Float> {
    let buffer = try backend.makeBuffer(data.values)
    try backend.addRowVector(
      try backend.makeBuffer(mean.map { -$0 }), to: buffer, rows: data.rows, columns: data.columns)
    return buffer
  }
}
