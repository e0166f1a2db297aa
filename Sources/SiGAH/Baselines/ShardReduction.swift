// How a fit that sees only its share of the rows sums what it computes over all shares:
// one process has nothing to add (`local`); `sigah-mpi` passes an all-reduce, so every
// rank ends with the same totals and fits the same model. Training that needs every
// share's rows of a batch (SiGAH's graph terms) gathers them.

public struct ShardReduction: Sendable {
  /// Element-wise sums of `values` over every share, returned to every share.
  public let sum: @Sendable ([Double]) -> [Double]
  /// Every share's `values` concatenated in share order, returned to every share, with
  /// where this share's begin.
  public let gather: @Sendable ([Float]) -> (values: [Float], offset: Int)

  public init(
    sum: @escaping @Sendable ([Double]) -> [Double],
    gather: @escaping @Sendable ([Float]) -> (values: [Float], offset: Int) = { ($0, 0) }
  ) {
    self.sum = sum
    self.gather = gather
  }

  /// One process holds every row.
  public static let local = ShardReduction { $0 }

  /// Column means over every share's rows (and the total row count).
  func columnMeans(_ data: Matrix) -> (mean: [Float], rows: Int) {
    let total = sum(data.columnSums() + [Double(data.rows)])
    let rows = Int(total[data.columns])
    return (total.prefix(data.columns).map { Float($0 / Double(max(rows, 1))) }, rows)
  }

  /// `values` summed over every share, as Float.
  func sum(_ values: [Float]) -> [Float] { sum(values.map(Double.init)).map(Float.init) }
}
