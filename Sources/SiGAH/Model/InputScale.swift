// The units SiGAH's network trains in (METHOD.md §3d): the data divided by the power
// of two at or above its largest absolute component, so that they lie in [−1, 1] as pixels
// in [0, 1] do, whatever the units of the descriptor (SIFT's components reach ~150).
// A power of two divides exactly: data multiplied by 2^k give the same scaled data bit for
// bit, so training and codes do not depend on such a change of units; and MNIST's pixels
// (largest 1) train exactly as before.

import Foundation

public enum InputScale {
  /// The power of two at or above `max |x|` over `data` (1 for all-zero data).
  public static func of(_ data: Matrix) -> Float {
    let largest = data.values.reduce(Float(0)) { max($0, abs($1)) }
    guard largest > 0, largest.isFinite else { return 1 }
    let exponent = largest.exponent + (largest.significand > 1 ? 1 : 0)
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
