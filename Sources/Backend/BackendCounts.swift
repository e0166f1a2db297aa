// What a backend has asked of its device: kernel launches, waits for the device, and the
// bytes that crossed between host and device. A training step's cost on a GPU is mostly
// these (see BENCHMARKS.md for the per-step figures).

/// Running totals since the backend was made; subtract two readings for an interval.
public struct BackendCounts: Sendable, Equatable, Codable {
  /// Backend operations called (every checked primitive but buffer creation and transfers).
  public var operations = 0
  /// Kernels (and device copies) enqueued; 0 on the CPU, which runs operations in place.
  public var launches = 0
  /// Times the host stopped until the device finished (blocking reads, `synchronize`).
  public var blockingWaits = 0
  /// Bytes written from host memory into device buffers.
  public var hostToDeviceBytes = 0
  /// Bytes read back from device buffers into host memory.
  public var deviceToHostBytes = 0

  public init() {}

  public static func - (lhs: BackendCounts, rhs: BackendCounts) -> BackendCounts {
    var difference = BackendCounts()
    difference.operations = lhs.operations - rhs.operations
    difference.launches = lhs.launches - rhs.launches
    difference.blockingWaits = lhs.blockingWaits - rhs.blockingWaits
    difference.hostToDeviceBytes = lhs.hostToDeviceBytes - rhs.hostToDeviceBytes
    difference.deviceToHostBytes = lhs.deviceToHostBytes - rhs.deviceToHostBytes
    return difference
  }
}
