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

  /// Each column's mean and variance over every share's rows of a row-major
  /// `rows × columns` table: sums and sums of squares in Float64, summed over the shares in
  /// one reduction.
  func columnMoments(_ values: [Float], rows: Int, columns: Int) -> (means: [Double], variances: [Double]) {
    var moments = [Double](repeating: 0, count: 2 * columns + 1)
    values.withUnsafeBufferPointer { values in
      for j in 0..<columns {
        var (sum, squares) = (0.0, 0.0)
        for i in 0..<rows {
          let v = Double(values[i * columns + j])
          sum += v
          squares += v * v
        }
        (moments[j], moments[columns + j]) = (sum, squares)
      }
    }
    moments[2 * columns] = Double(rows)
    moments = sum(moments)
    let n = moments[2 * columns]
    let means = (0..<columns).map { moments[$0] / n }
    return (means, (0..<columns).map { moments[columns + $0] / n - means[$0] * means[$0] })
  }

  /// Whether `flag` holds on any share (one process: `flag`): every share then takes the
  /// same branch, as the sums that follow need.
  func any(_ flag: Bool) -> Bool { sum([flag ? 1 : 0])[0] > 0 }

  /// `values` summed over every share, as Float.
  func sum(_ values: [Float]) -> [Float] { sum(values.map(Double.init)).map(Float.init) }
}
