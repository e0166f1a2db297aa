// Sizes read from files are untrusted: their products are taken without overflow, and a
// negative size is no size (METHOD.md §6). Every reader asks here before it allocates.

enum CheckedSize {
  /// The product of `factors`, or nil when one is negative or the product overflows Int.
  static func product(_ factors: [Int]) -> Int? {
    var total = 1
    for factor in factors {
      guard factor >= 0 else { return nil }
      let (value, overflow) = total.multipliedReportingOverflow(by: factor)
      if overflow { return nil }
      total = value
    }
    return total
  }
}
