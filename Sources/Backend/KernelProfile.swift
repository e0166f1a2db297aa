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
/// sum and `spanSeconds` the time from the first kernel's start to the last one's end.
public struct KernelProfile: Sendable, Codable, Equatable {
  public var kernels: [KernelTime]
  public var busySeconds: Double
  public var spanSeconds: Double

  public init(kernels: [KernelTime], busySeconds: Double, spanSeconds: Double) {
    (self.kernels, self.busySeconds, self.spanSeconds) = (kernels, busySeconds, spanSeconds)
  }
}
