// The distance-matching graph term of SiGAH-DM (SPEC §3b.2), which replaces Eq. 17:
//   D_ij = ‖x_i − x_j‖², s_i = (1/(B−1))·Σ_j D_ij, T_ij = 1 − D_ij/√(s_i·s_j),
//   near_ij = 1 if j is among the nearFraction nearest of i in the batch, or i of j,
//   e_ij = H_i·H_j/r − T_ij,
//   L_DM = (1/B²)·Σ_ij [near_ij·e_ij² + (1 − near_ij)·max(0, e_ij)²].
// With G_ij = near_ij·e_ij + (1 − near_ij)·max(0, e_ij) (symmetric), L_DM = (1/B²)·Σ e⊙G
// and ∂L_DM/∂H = (4/(r·B²))·G·H. Targets carry no gradient.

import Backend

enum DistanceMatching {
  /// Targets `T` and the near mask from the batch's squared distances (`n × n`, row-major).
  static func targets(squaredDistances d: [Float], n: Int, nearFraction: Float) -> (targets: [Float], near: [Float]) {
    var spread = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var total = 0.0
      for j in 0..<n where j != i { total += Double(d[i * n + j]) }
      spread[i] = n > 1 ? total / Double(n - 1) : 1
    }
    var targets = [Float](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        let scale = (spread[i] * spread[j]).squareRoot()
        targets[i * n + j] = Float(1 - (scale > 0 ? Double(d[i * n + j]) / scale : 0))
      }
    }
    // j is near i when it is among i's ⌈fraction·(n−1)⌉ nearest others (ties by index).
    let count = max(1, Int((Float(n - 1) * nearFraction).rounded(.up)))
    var near = [Float](repeating: 0, count: n * n)
    // Keys (distance bits, index): distances are ≥ 0, whose bit patterns order as the
    // values do, so one integer sort orders by distance and then index.
    var keys = [UInt64](repeating: 0, count: max(n - 1, 0))
    for i in 0..<n where n > 1 {
      var slot = 0
      for j in 0..<n where j != i {
        keys[slot] = UInt64(max(d[i * n + j], 0).bitPattern) << 32 | UInt64(j)
        slot += 1
      }
      keys.sort()
      for key in keys.prefix(count) {
        let j = Int(key & 0xFFFF_FFFF)
        near[i * n + j] = 1
        near[j * n + i] = 1
      }
    }
    return (targets, near)
  }
}

extension SiGAHNetwork {
  /// Adds `γ·L_DM` to `dH` and returns its value, for a batch of `n` loaded rows.
  func distanceMatchingTerm(rows n: Int) throws -> Double {
    let weight = configuration.gamma
    let nn = n * n
    // Squared in-batch distances of the centred inputs.
    try backend.squaredRowNorms(x, rows: n, columns: d, into: norms)
    try backend.gemm(x, transposeA: false, x, transposeB: true, into: similarity, m: n, n: n, k: d, alpha: 1, beta: 0)
    try backend.distancesFromGram(
      similarity, rowNorms: norms, columnNorms: norms, rows: n, columns: n, squareRoot: false, zeroDiagonal: true,
      into: similarity)
    let (targets, near) = DistanceMatching.targets(
      squaredDistances: try backend.download(similarity, count: nn), n: n, nearFraction: configuration.nearFraction)
    try backend.upload(targets, to: dmTargets)
    try backend.upload(near, to: dmNear)
    // e = H·Hᵀ/r − T.
    let e = similarity
    try backend.gemm(h, transposeA: false, h, transposeB: true, into: e, m: n, n: n, k: r, alpha: 1 / Float(r), beta: 0)
    try backend.linearCombination(alpha: 1, e, beta: -1, dmTargets, into: e, count: nn)
    // G = relu(e) + near⊙(e − relu(e)).
    let g = dmScratch
    try backend.activate(.relu, e, into: g, count: nn)
    try backend.linearCombination(alpha: 1, e, beta: -1, g, into: dmTargets, count: nn)
    try backend.multiply(dmNear, dmTargets, into: dmTargets, count: nn)
    try backend.linearCombination(alpha: 1, g, beta: 1, dmTargets, into: g, count: nn)
    // Value: (1/n²)·Σ e⊙G.
    try backend.multiply(e, g, into: dmTargets, count: nn)
    let value = Double(weight) * (try sum(dmTargets, count: nn)) / Double(nn)
    // ∂/∂H += γ·(4/(r·n²))·G·H.
    try backend.gemm(
      g, transposeA: false, h, transposeB: false, into: dH, m: n, n: r, k: n,
      alpha: 4 * weight / (Float(r) * Float(nn)), beta: 1)
    return value
  }
}
