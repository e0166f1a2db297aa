// The units SiGAH's network trains in (METHOD.md §3d): the data divided by s, the power of
// two nearest √(Σ_j var x_j)/8, so that their total spread is within √2 of 8, about that of
// MNIST's pixels (7.3, for which s = 1), whatever the units of the descriptor (SIFT's is
// 387, s = 64). A power of two divides exactly: data multiplied by 2^k give the same scaled
// data bit for bit, so training and codes do not depend on such a change of units.

import Foundation

public enum InputScale {
  /// The power of two nearest `√(Σ_j var x_j) / 8` over `data` (1 for constant data); with
  /// `reduction`, `data` is one share of the rows and the variances are every share's.
  public static func of(_ data: Matrix, reduction: ShardReduction = .local) -> Float {
    let variances = reduction.columnMoments(data.values, rows: data.rows, columns: data.columns).variances
    let total = variances.reduce(0.0) { $0 + max($1, 0) }
    let spread = total.squareRoot() / 8
    guard spread > 0, spread.isFinite else { return 1 }
    // From the binary exponent, not a logarithm: exact under scaling by a power of two.
    let exponent = Int(spread.exponent) + (spread.significand > 2.0.squareRoot() ? 1 : 0)
    // Within ±126 both the scale and its inverse are normal numbers.
    return Float(sign: .plus, exponent: min(max(exponent, -126), 126), significand: 1)
  }

  /// A scale a model file may hold: a finite positive power of two.
  public static func isValid(_ scale: Float) -> Bool {
    scale.isFinite && scale > 0 && scale.significand == 1
  }

  /// `data / scale`, exactly (the same matrix when the scale is 1).
  public static func apply(_ scale: Float, to data: Matrix) -> Matrix {
    guard scale != 1 else { return data }
    let inverse = 1 / scale
    return Matrix(rows: data.rows, columns: data.columns, values: data.values.map { $0 * inverse })
  }
}
