// The linear baselines of the paper's tables, all of the form b = sign(W(x − μ) + c):
// LSH (random Gaussian projections), PCAH (PCA + sign) and ITQ (Gong & Lazebnik, PCA then
// an orthogonal rotation by alternating minimisation of the quantisation loss).
//
// Codes longer than the dimension (r > d): PCA gives only d directions, and all d of them
// span the whole space, so variance has nothing left to choose: PCAH then takes blocks of
// d bits from seeded random rotations of the PCA basis (orthogonal LSH, never the noisy
// low-variance axes themselves); ITQ rotates the d principal components into r bits by a
// d × r matrix with orthonormal rows (a Parseval frame, METHOD.md §4b): the same alternation,
// with Procrustes on a rectangle.

import Backend

public enum LinearBaselines {
  /// LSH: `W` with N(0, 1) entries from the seed, applied to centred data.
  public static func lsh(_ data: Matrix, bits: Int, seed: UInt64, reduction: ShardReduction = .local) -> LinearHash {
    var generator = SeededGenerator(seed: seed)
    return LinearHash(
      mean: reduction.columnMeans(data).mean, projection: generator.gaussians(count: bits * data.columns),
      offset: Array(repeating: 0, count: bits), bits: bits)
  }

  /// PCAH: the top-`bits` principal directions; past the dimension d, blocks of up to d
  /// bits, each the whole PCA basis turned by a random rotation from `seed`.
  public static func pcah(
    _ data: Matrix, bits: Int, seed: UInt64 = 0, backend: any Backend, reduction: ShardReduction = .local
  ) throws -> LinearHash {
    let backend = try HostFallback.backend(for: data, preferring: backend)
    let d = data.columns
    let (mean, leading) = try PCA.fit(data, components: min(bits, d), backend: backend, reduction: reduction)
    guard bits > d else {
      return LinearHash(mean: mean, projection: leading, offset: Array(repeating: 0, count: bits), bits: bits)
    }
    var directions: [Float] = []
    var generator = SeededGenerator(seed: seed)
    while directions.count < bits * d {
      let rotation = try LinearAlgebra.svd(generator.gaussians(count: d * d), m: d, n: d).u
      let block = min(d, bits - directions.count / d)
      directions += multiply(rotation, leading, rows: block, inner: d, columns: d)
    }
    return LinearHash(mean: mean, projection: directions, offset: Array(repeating: 0, count: bits), bits: bits)
  }

  /// ITQ: `V = X̃·Pᵀ` with the p = min(r, d) leading directions; from a seeded random
  /// `R` (p × r, orthonormal rows: a rotation when r ≤ d), `iterations` times fix
  /// `B = sign(VR)` and set `R = S·Ŝᵀ` from the SVD `VᵀB = S·Ω·Ŝᵀ`, the orthonormal-row
  /// matrix nearest `VᵀB` (orthogonal Procrustes), which minimises ‖B − VR‖. The hash
  /// projects by `W = Rᵀ·P`.
  /// With `reduction`, `data` is one share of the rows: the PCA and each rotation's
  /// product `VᵀB` are summed over all shares, so every share fits the same hash.
  public static func itq(
    _ data: Matrix, bits: Int, iterations: Int = 50, seed: UInt64, backend: any Backend,
    reduction: ShardReduction = .local
  ) throws -> LinearHash {
    let backend = try HostFallback.backend(for: data, preferring: backend)
    let (n, d, r) = (data.rows, data.columns, bits)
    let p = min(r, d)
    let (mean, directions) = try PCA.fit(data, components: p, backend: backend, reduction: reduction)
    let centred = try PCA.centre(data, mean: mean, backend: backend)
    let v = try backend.makeBuffer(Float.self, count: n * p)
    try backend.gemm(
      centred, transposeA: false, try backend.makeBuffer(directions), transposeB: true, into: v, m: n, n: p, k: d,
      alpha: 1, beta: 0)
    var generator = SeededGenerator(seed: seed)
    let start = try LinearAlgebra.svd(generator.gaussians(count: p * r), m: p, n: r)
    var rotation = p == r ? start.u : multiply(start.u, start.vt, rows: p, inner: p, columns: r)
    let rotationBuffer = try backend.makeBuffer(rotation)
    let projected = try backend.makeBuffer(Float.self, count: n * r)
    let product = try backend.makeBuffer(Float.self, count: r * p)
    for _ in 0..<iterations {
      var local = [Float](repeating: 0, count: r * p)
      if n > 0 {
        try backend.upload(rotation, to: rotationBuffer)
        try backend.gemm(
          v, transposeA: false, rotationBuffer, transposeB: false, into: projected, m: n, n: r, k: p, alpha: 1, beta: 0)
        // B = sign(VR) with sign(0) = +1, as the codes (METHOD.md §4).
        let signs = try backend.download(projected, count: n * r).map { $0 < 0 ? Float(-1) : 1 }
        try backend.upload(signs, to: projected)
        try backend.gemm(
          projected, transposeA: true, v, transposeB: false, into: product, m: r, n: p, k: n, alpha: 1, beta: 0)
        local = try backend.download(product)
      }
      // BᵀV = (VᵀB)ᵀ = Ŝ·Ω·Sᵀ, so S = vtᵀ and Ŝᵀ is the first p rows of uᵀ.
      let (u, _, vt) = try LinearAlgebra.svd(reduction.sum(local), m: r, n: p)
      rotation = multiply(
        LinearAlgebra.transpose(vt, rows: p, columns: p), LinearAlgebra.transpose(u, rows: r, columns: r), rows: p,
        inner: p, columns: r)
    }
    let projection = multiply(
      LinearAlgebra.transpose(rotation, rows: p, columns: r), directions, rows: r, inner: p, columns: d)
    return LinearHash(mean: mean, projection: projection, offset: Array(repeating: 0, count: r), bits: r)
  }

  /// The first `rows` rows of the row-major product `a·b`, `a` with `inner` columns and
  /// `b` with `columns` columns, on the host (small matrices only).
  static func multiply(_ a: [Float], _ b: [Float], rows: Int, inner: Int, columns: Int) -> [Float] {
    var out = [Float](repeating: 0, count: rows * columns)
    for i in 0..<rows {
      for k in 0..<inner {
        let x = a[i * inner + k]
        for j in 0..<columns { out[i * columns + j] += x * b[k * columns + j] }
      }
    }
    return out
  }
}
