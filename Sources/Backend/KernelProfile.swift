// Per-kernel device time of a window of work (the OpenCL backend measures it from its
// profiling events): where a step's time goes, and how much of its span the device sat
// idle between kernels, which is launch overhead when the queue is never empty.

/// The device time of one kernel's launches in a profiled window.
public struct KernelTime: Sendable, Codable, Equatable {
  public var kernel: String
  public var launches: Int
  public var seconds: Double

  public init(kernel: String, launches: Int, seconds: Double) {
    (self.kernel, self.launches, self.seconds) = (kernel, launches, seconds)
  }
}

/// A profiled window of work: each kernel's time, longest first; `busySeconds` is their
/// sum, `occupiedSeconds` the time at least one kernel ran (less than the sum where side
/// work overlapped the main queue's), and `spanSeconds` the time from the first kernel's
/// start to the last one's end. The device sat idle for `spanSeconds − occupiedSeconds`.
public struct KernelProfile: Sendable, Codable, Equatable {
  public var kernels: [KernelTime]
  public var busySeconds: Double
  public var occupiedSeconds: Double
  public var spanSeconds: Double

  public init(kernels: [KernelTime], busySeconds: Double, occupiedSeconds: Double, spanSeconds: Double) {
    (self.kernels, self.busySeconds, self.occupiedSeconds, self.spanSeconds) = (
      kernels, busySeconds, occupiedSeconds, spanSeconds
    )
  }

  /// The time covered by at least one of `intervals` (start, end).
  public static func occupied<T: BinaryInteger>(_ intervals: [(start: T, end: T)]) -> T {
    var (total, reach): (T, T?) = (0, nil)
    for (start, end) in intervals.sorted(by: { $0.start < $1.start }) {
      let from = max(start, reach ?? start)
      if end > from { total += end - from }
      reach = max(reach ?? end, end)
    }
    return total
  }
}
