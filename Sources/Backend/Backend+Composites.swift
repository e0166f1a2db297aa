// Conveniences and composite operations built only from the Backend primitives, so they
// behave the same on every backend.

extension Backend {
  /// A new buffer holding `values`.
  public func makeBuffer<T: DeviceScalar>(_ values: [T]) throws -> DeviceBuffer<T> {
    let buffer = try makeBuffer(T.self, count: values.count)
    try upload(values, to: buffer, offset: 0)
    return buffer
  }

  /// Writes `values` at the start of `buffer`.
  public func upload<T: DeviceScalar>(_ values: [T], to buffer: DeviceBuffer<T>) throws {
    try upload(values, to: buffer, offset: 0)
  }

  /// Reads the first `count` elements (all of them by default).
  public func download<T: DeviceScalar>(_ buffer: DeviceBuffer<T>, count: Int? = nil) throws
    -> [T]
  {
    try download(buffer, offset: 0, count: count ?? buffer.count)
  }

  /// Squared Euclidean norm of each row: `out[i] = ‖M[i, :]‖²`.
  public func squaredRowNorms(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, into out: DeviceBuffer<Float>
  ) throws {
    try reduceRows(matrix, rows: rows, columns: columns, .sumOfSquares, into: out)
  }

  /// `D[i, j] = ‖a_i − b_j‖²` between the `rows` rows of `a` and the `columns` rows of `b`
  /// (both `dimension` wide) through one GEMM. The squared norms of both sides are passed
  /// in, because callers reuse them across blocks.
  public func squaredDistances(
    _ a: DeviceBuffer<Float>, rows: Int, _ b: DeviceBuffer<Float>, columns: Int, dimension: Int,
    rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>, into distances: DeviceBuffer<Float>
  ) throws {
    try gemm(
      a, transposeA: false, b, transposeB: true, into: distances, m: rows, n: columns, k: dimension, alpha: 1, beta: 0)
    try distancesFromGram(
      distances, rowNorms: rowNorms, columnNorms: columnNorms, rows: rows, columns: columns, squareRoot: false,
      zeroDiagonal: false, into: distances)
  }

  /// All in-batch Euclidean distances `D[i, j] = ‖x_i − x_j‖` of a `rows × columns` matrix
  /// through the Gram matrix (`‖x_i‖² + ‖x_j‖² − 2 x_i·x_j`, one GEMM). `norms` holds
  /// `rows` elements of scratch; `distances` receives `rows × rows`.
  public func pairwiseDistances(
    _ x: DeviceBuffer<Float>, rows: Int, columns: Int, norms: DeviceBuffer<Float>,
    into distances: DeviceBuffer<Float>
  ) throws {
    try squaredRowNorms(x, rows: rows, columns: columns, into: norms)
    try gemm(
      x, transposeA: false, x, transposeB: true, into: distances, m: rows, n: rows, k: columns,
      alpha: 1, beta: 0)
    try distancesFromGram(
      distances, rowNorms: norms, columnNorms: norms, rows: rows, columns: rows, squareRoot: true,
      zeroDiagonal: true, into: distances)
  }

  /// The batch graph similarity of METHOD.md §2 (paper Eq. 17): `S[i, j] = exp(−σ·‖x_i − x_j‖)`
  /// with `σ = 1 / (mean distance over the pairs i ≠ j)` when `sigma` is nil (the default),
  /// or the given σ. σ is computed and used on the device: `total` (one element) receives
  /// the sum of the distances. `similarity` receives `rows × rows`.
  public func graphSimilarity(
    _ x: DeviceBuffer<Float>, rows: Int, columns: Int, sigma: Float?, norms: DeviceBuffer<Float>,
    total: DeviceBuffer<Float>, into similarity: DeviceBuffer<Float>
  ) throws {
    try pairwiseDistances(x, rows: rows, columns: columns, norms: norms, into: similarity)
    if sigma == nil {
      try reduceRows(similarity, rows: 1, columns: rows * rows, .sum, into: total)
    }
    try exponentialSimilarity(
      similarity, count: rows * rows, sigma: sigma, total: total, pairs: rows * (rows - 1), into: similarity)
  }
}
