// OpenCL's profiling events turned into a KernelProfile: what a window of work spends in
// each kernel, and how much of its span the device sat idle between kernels (with side
// work on a second queue, kernels may overlap: idle is the span less their union).

import Backend
import COpenCL

extension OpenCLBackend {
  /// Starts keeping an event for every launch (the backend must be made with
  /// `profiling: true`).
  public func startProfile() throws {
    guard profiling else {
      throw BackendError.invalidArgument(
        operation: "startProfile", message: "the backend was made without profiling: true")
    }
    try synchronize()
    releaseProfileEvents()
    profileEvents = []
  }

  /// Waits for the launches since `startProfile()` and returns their times.
  public func stopProfile() throws -> KernelProfile {
    guard let events = profileEvents else {
      throw BackendError.invalidArgument(operation: "stopProfile", message: "no profile was started")
    }
    try synchronize()
    defer { releaseProfileEvents() }
    var byKernel: [String: KernelTime] = [:]
    var (first, last) = (UInt64.max, UInt64.min)
    var intervals: [(start: cl_ulong, end: cl_ulong)] = []
    for (name, event) in events {
      var (start, end): (cl_ulong, cl_ulong) = (0, 0)
      try OpenCLStatus.check(
        clGetEventProfilingInfo(
          event, cl_profiling_info(CL_PROFILING_COMMAND_START), MemoryLayout<cl_ulong>.size, &start, nil),
        "clGetEventProfilingInfo(\(name))")
      try OpenCLStatus.check(
        clGetEventProfilingInfo(
          event, cl_profiling_info(CL_PROFILING_COMMAND_END), MemoryLayout<cl_ulong>.size, &end, nil),
        "clGetEventProfilingInfo(\(name))")
      (first, last) = (min(first, start), max(last, end))
      intervals.append((start, end))
      byKernel[name, default: KernelTime(kernel: name, launches: 0, seconds: 0)].launches += 1
      byKernel[name]!.seconds += Double(end - start) * 1e-9
    }
    let kernels = byKernel.values.sorted { $0.seconds > $1.seconds }
    return KernelProfile(
      kernels: kernels, busySeconds: kernels.reduce(0) { $0 + $1.seconds },
      occupiedSeconds: Double(KernelProfile.occupied(intervals)) * 1e-9,
      spanSeconds: events.isEmpty ? 0 : Double(last - first) * 1e-9)
  }

  func releaseProfileEvents() {
    for (_, event) in profileEvents ?? [] { clReleaseEvent(event) }
    profileEvents = nil
  }
}
