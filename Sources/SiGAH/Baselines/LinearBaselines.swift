// The linear baselines of the paper's tables, all of the form b = sign(W(x − μ) + c):
// LSH (random Gaussian projections), PCAH (PCA + sign) and ITQ (Gong & Lazebnik, PCA then
// an orthogonal rotation by alternating minimisation of the quantisation loss).

import Backend

public enum LinearBaselines {
  /// LSH: `W` with N(0, 1) entries from the seed, applied to centred data.
  public static func lsh(_ data: Matrix, bits: Int, seed: UInt64) -> LinearHash {
    var generator = SeededGenerator(seed: seed)
    return LinearHash(
      mean: data.columnMeans(), projection: generator.gaussians(count: bits * data.columns),
      offset: Array(repeating: 0, count: bits), bits: bits)
  }

  /// PCAH: the top-`bits` principal directions.
  public static func pcah(_ data: Matrix, bits: Int, backend: any Backend) throws -> LinearHash {
    let (mean, directions) = try PCA.fit(data, components: bits, backend: backend)
    return LinearHash(mean: mean, projection: directions, offset: Array(repeating: 0, count: bits), bits: bits)
  }

  /// ITQ: `V = X̃·Pᵀ`; from a seeded random rotation `R`, `iterations` times fix
  /// `B = sign(VR)` and set `R = Ŝ·Sᵀ` from the SVD `BᵀV = S·Ω·Ŝᵀ`. The hash projects by
  /// `W = Rᵀ·P`. Returns the hash and its rotation.
  public static func itq(
    _ data: Matrix, bits: Int, iterations: Int = 50, seed: UInt64, backend: any Backend
  ) throws -> LinearHash {
    let (mean, directions) = try PCA.fit(data, components: bits, backend: backend)
    let (n, d, r) = (data.rows, data.columns, bits)
    let centred = try PCA.centre(data, mean: mean, backend: backend)
    let v = try backend.makeBuffer(Float.self, count: n * r)
    try backend.gemm(
      centred, transposeA: false, try backend.makeBuffer(directions), transposeB: true, into: v, m: n, n: r, k: d,
      alpha: 1, beta: 0)
    var generator = SeededGenerator(seed: seed)
    var rotation = try LinearAlgebra.svd(generator.gaussians(count: r * r), m: r, n: r).u
    let rotationBuffer = try backend.makeBuffer(rotation)
    let projected = try backend.makeBuffer(Float.self, count: n * r)
    let product = try backend.makeBuffer(Float.self, count: r * r)
    for _ in 0..<iterations {
      try backend.upload(rotation, to: rotationBuffer)
      try backend.gemm(
        v, transposeA: false, rotationBuffer, transposeB: false, into: projected, m: n, n: r, k: r, alpha: 1, beta: 0)
      // B = sign(VR) with sign(0) = +1, as the codes (SPEC §4).
      let signs = try backend.download(projected, count: n * r).map { $0 < 0 ? Float(-1) : 1 }
      try backend.upload(signs, to: projected)
      try backend.gemm(
        projected, transposeA: true, v, transposeB: false, into: product, m: r, n: r, k: n, alpha: 1, beta: 0)
      let (u, _, vt) = try LinearAlgebra.svd(try backend.download(product), m: r, n: r)
      // R = Ŝ·Sᵀ = (Vᵀ)ᵀ·Uᵀ.
      rotation = multiply(
        LinearAlgebra.transpose(vt, rows: r, columns: r), LinearAlgebra.transpose(u, rows: r, columns: r), r)
    }
    let projection = multiply(LinearAlgebra.transpose(rotation, rows: r, columns: r), directions, r, columns: d)
    return LinearHash(mean: mean, projection: projection, offset: Array(repeating: 0, count: r), bits: r)
  }

  /// Row-major `(r × r)·(r × columns)` on the host (small matrices only).
  static func multiply(_ a: [Float], _ b: [Float], _ r: Int, columns: Int? = nil) -> [Float] {
    let c = columns ?? r
    var out = [Float](repeating: 0, count: r * c)
    for i in 0..<r {
      for p in 0..<r {
        let x = a[i * r + p]
        for j in 0..<c { out[i * c + j] += x * b[p * c + j] }
      }
    }
    return out
  }
}
