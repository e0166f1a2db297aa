// How a loss writes its gradient: over what was there (`beta` 0) or added to it (1), so
// that several terms on one activation need no extra buffer.

import Backend

extension Backend {
  /// `gradient = scale·term + beta·gradient` over `count` elements.
  func addGradient(
    _ term: DeviceBuffer<Float>, scale: Float, into gradient: DeviceBuffer<Float>, beta: Float, count: Int
  ) throws {
    // With beta 0 the old gradient is never read: it may be uninitialised (0·NaN is NaN).
    try linearCombination(alpha: scale, term, beta: beta, beta == 0 ? term : gradient, into: gradient, count: count)
  }
}
