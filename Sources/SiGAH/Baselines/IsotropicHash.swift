// Isotropic Hashing (Kong & Li, NIPS 2012): PCA gives directions of very unequal variance,
// and a bit on a low-variance direction carries little; IsoH turns the PCA projections by
// an orthogonal Q so that every bit has the same variance, tr(Λ)/r, found by "lift and
// projection": alternately make diag(QᵀΛQ) equal, and give the matrix back Λ's spectrum.
// Past the dimension (r > d) Q is a d × r matrix with orthonormal rows, as ITQ's (METHOD.md §4b).
// The result is a linear hash b = sign(Qᵀ P (x − μ)).

import Backend

public enum IsotropicHash {
  /// IsoH on `data`: PCA with p = min(r, d) directions, then up to `iterations` lift and
  /// projection steps from a seeded random Q, stopping once every bit's variance is within
  /// `tolerance` (relative) of the target.
  public static func fit(
    _ data: Matrix, bits: Int, seed: UInt64, iterations: Int = 200, tolerance: Double = 1e-3,
    backend: any Backend
  ) throws -> LinearHash {
    let (d, r) = (data.columns, bits)
    let p = min(r, d)
    let (mean, directions) = try PCA.fit(data, components: p, backend: backend)
    // The PCA variances λ, largest first, divided by their sum: the iteration sees the
    // same numbers whatever the units of the data.
    let variances = try projectedVariances(directions, rows: p, data: data, mean: mean, backend: backend)
    let total = variances.reduce(0, +)
    guard total > 0 else {
      throw BackendError.invalidArgument(operation: "isoh", message: "the training data have no variance")
    }
    let lambda = variances.map { $0 / total }
    let target = 1 / Double(r)
    var generator = SeededGenerator(seed: seed)
    let start = try LinearAlgebra.svd(generator.gaussians(count: p * r), m: p, n: r)
    // Q: p × r with orthonormal rows (a random rotation when p = r).
    var q = (p == r ? start.u : LinearBaselines.multiply(start.u, start.vt, rows: p, inner: p, columns: r))
      .map(Double.init)
    for _ in 0..<iterations {
      // T = QᵀΛQ (r × r); lift: its diagonal set to the target.
      var t = [Double](repeating: 0, count: r * r)
      for i in 0..<r {
        for j in i..<r {
          var sum = 0.0
          for k in 0..<p { sum += q[k * r + i] * Double(lambda[k]) * q[k * r + j] }
          (t[i * r + j], t[j * r + i]) = (sum, sum)
        }
      }
      let spread = (0..<r).map { abs(t[$0 * r + $0] - target) }.max()!
      if spread <= tolerance * target { break }
      for i in 0..<r { t[i * r + i] = target }
      // Projection: the nearest matrix with Λ's spectrum keeps T's p leading
      // eigenvectors, paired with λ largest to largest; they are Q's new rows.
      let (_, vectors) = try LinearAlgebra.symmetricEigen(t.map { Float($0) }, n: r)
      for k in 0..<p {
        let row = r - 1 - k  // eigenvalues come ascending
        for j in 0..<r { q[k * r + j] = Double(vectors[row * r + j]) }
      }
    }
    let rotation = q.map { Float($0) }
    let projection = LinearBaselines.multiply(
      LinearAlgebra.transpose(rotation, rows: p, columns: r), directions, rows: r, inner: p, columns: d)
    return LinearHash(mean: mean, projection: projection, offset: Array(repeating: 0, count: r), bits: r)
  }

  /// The variance of each of the `rows` projections `directions·(x − μ)` over `data`.
  static func projectedVariances(
    _ directions: [Float], rows: Int, data: Matrix, mean: [Float], backend: any Backend
  ) throws -> [Float] {
    let values = try PCA.project(data, mean: mean, onto: directions, outputs: rows, backend: backend)
    return (0..<rows).map { column in
      var sum = 0.0
      for i in 0..<data.rows { sum += Double(values[i * rows + column]) * Double(values[i * rows + column]) }
      return Float(sum / Double(data.rows))
    }
  }
}
