// The distance-matching graph term of SiGAH-DM (METHOD.md §3b.2), which replaces Eq. 17:
//   D_ij = ‖x_i − x_j‖², s_i = (1/(B−1))·Σ_j D_ij, T_ij = 1 − D_ij/√(s_i·s_j),
//   near_ij = 1 if j is among the nearFraction nearest of i in the batch, or i of j,
//   e_ij = H_i·H_j/r − T_ij,
//   L_DM = (1/B²)·Σ_ij [near_ij·e_ij² + (1 − near_ij)·max(0, e_ij)²].
// With G_ij = near_ij·e_ij + (1 − near_ij)·max(0, e_ij) (symmetric), L_DM = (1/B²)·Σ e⊙G
// and ∂L_DM/∂H = (4/(r·B²))·G·H. Targets carry no gradient. Every step of it runs on the
// device: the near sets by `nearestSelection`, targets, residual and each row's loss by
// one fused kernel.

import Backend

extension SiGAHNetwork {
  /// The near-set size of a batch of `n`: ⌈fraction·(n − 1)⌉, at least 1.
  static func nearCount(rows n: Int, fraction: Float) -> Int {
    n > 1 ? max(1, Int((Float(n - 1) * fraction).rounded(.up))) : 0
  }

  /// `G` of the whole batch in `similarity`, and this process's share of `n·γ·L_DM` added
  /// to the loss accumulator: everything but the gradient, from X̃ and H alone.
  func distanceMatchingResidual(_ batch: GraphBatch) throws {
    let weight = configuration.gamma
    let (n, x, h) = (batch.rows, batch.x, batch.h)
    // Squared in-batch distances of the centred inputs, their row sums and near sets.
    try backend.squaredRowNorms(x, rows: n, columns: d, into: norms)
    try backend.gemm(x, transposeA: false, x, transposeB: true, into: dmDistances, m: n, n: n, k: d, alpha: 1, beta: 0)
    try backend.distancesFromGram(
      dmDistances, rowNorms: norms, columnNorms: norms, rows: n, columns: n, squareRoot: false, zeroDiagonal: true,
      into: dmDistances, rowSums: degrees)
    try backend.nearestSelection(
      dmDistances, rows: n, nearest: Self.nearCount(rows: n, fraction: configuration.nearFraction), into: dmSelected)
    // P = H·Hᵀ/r, then G over P and e⊙G beside it.
    let products = similarity
    try backend.gemm(
      h, transposeA: false, h, transposeB: true, into: products, m: n, n: n, k: r, alpha: 1 / Float(r), beta: 0)
    let lossScale = weight / Float(n) * batch.lossShare
    if share == nil {
      try backend.distanceMatchingResidual(
        products: products, distances: dmDistances, rowSums: degrees, selected: dmSelected, rows: n,
        loss: lossRows(.graph, scale: lossScale))
    } else {
      // The whole batch's rows outnumber a loss slot's: summed here, once a step.
      try backend.fill(dmLoss, value: 0, count: n)
      try backend.distanceMatchingResidual(
        products: products, distances: dmDistances, rowSums: degrees, selected: dmSelected, rows: n,
        loss: LossRows(dmLoss, offset: 0, scale: lossScale))
      try add(.graph, dmLoss, count: n, scale: 1)
    }
  }

  /// ∂/∂H += γ·(4/(r·n²))·G·H, this process's rows of G (`distanceMatchingResidual` left G).
  func addDistanceMatchingGradient(_ batch: GraphBatch) throws {
    let (n, h) = (batch.rows, batch.h)
    let (weight, nn) = (configuration.gamma, n * n)
    let products = similarity
    guard !batch.own.isEmpty else { return }
    var ownProducts = products
    if batch.own.count != n {
      try backend.copy(
        products, sourceOffset: batch.own.lowerBound * n, to: dmSelected, destinationOffset: 0,
        count: batch.own.count * n)
      ownProducts = dmSelected
    }
    try backend.gemm(
      ownProducts, transposeA: false, h, transposeB: false, into: dH, m: batch.own.count, n: r, k: n,
      alpha: 4 * weight / (Float(r) * Float(nn)) * batch.partScale, beta: 1)
  }
}
