// The distances ground truth and the training neighbours can be exact in (METHOD.md §5):
// Euclidean, cosine (Euclidean between the rows scaled to unit length) and inner product
// (the largest first). The two others reduce to the Euclidean search's blocked GEMM.

import Foundation

public enum Metric: String, Sendable, Codable, CaseIterable {
  case l2, cosine, ip

  /// How a sentence names it ("the 100 exact Euclidean neighbours").
  public var title: String {
    switch self {
    case .l2: return "Euclidean"
    case .cosine: return "cosine"
    case .ip: return "inner-product"
    }
  }

  /// The rows of `matrix` scaled to unit length (norms in Float64); a zero row stays zero.
  static func normalisedRows(_ matrix: Matrix) -> Matrix {
    var values = matrix.values
    let d = matrix.columns
    for row in 0..<matrix.rows {
      let norm = (0..<d).reduce(0.0) { $0 + Double(values[row * d + $1]) * Double(values[row * d + $1]) }.squareRoot()
      guard norm > 0 else { continue }
      for c in 0..<d { values[row * d + c] = Float(Double(values[row * d + c]) / norm) }
    }
    return Matrix(rows: matrix.rows, columns: d, values: values)
  }

  /// Inner-product search as a Euclidean one: each database row gains the coordinate
  /// `√(M² − ‖x‖²)` (M the largest norm) and each query a 0, so that
  /// `‖q′ − x′‖² = ‖q‖² + M² − 2 q·x` orders the database by descending `q·x`.
  static func augmentedForInnerProduct(queries: Matrix, database: Matrix) -> (queries: Matrix, database: Matrix) {
    let d = database.columns
    let norms = (0..<database.rows).map { row in
      database[row].reduce(0.0) { $0 + Double($1) * Double($1) }
    }
    let largest = norms.max() ?? 0
    var base: [Float] = []
    base.reserveCapacity(database.rows * (d + 1))
    for row in 0..<database.rows {
      base += database[row]
      base.append(Float(max(largest - norms[row], 0).squareRoot()))
    }
    var query: [Float] = []
    query.reserveCapacity(queries.rows * (d + 1))
    for row in 0..<queries.rows {
      query += queries[row]
      query.append(0)
    }
    return (
      Matrix(rows: queries.rows, columns: d + 1, values: query),
      Matrix(rows: database.rows, columns: d + 1, values: base)
    )
  }
}
