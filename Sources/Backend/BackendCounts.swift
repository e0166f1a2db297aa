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
  /// GEMMs asked for, by shape: what a step's products are, to time each on its own.
  public var gemms: [GemmShape: Int] = [:]

  public init() {}

  /// The JSON of a reading: the totals (a step's GEMMs are reported with their rates).
  private enum CodingKeys: String, CodingKey {
    case operations, launches, blockingWaits, hostToDeviceBytes, deviceToHostBytes
  }

  public static func - (lhs: BackendCounts, rhs: BackendCounts) -> BackendCounts {
    var difference = BackendCounts()
    difference.operations = lhs.operations - rhs.operations
    difference.launches = lhs.launches - rhs.launches
    difference.blockingWaits = lhs.blockingWaits - rhs.blockingWaits
    difference.hostToDeviceBytes = lhs.hostToDeviceBytes - rhs.hostToDeviceBytes
    difference.deviceToHostBytes = lhs.deviceToHostBytes - rhs.deviceToHostBytes
    for (shape, count) in lhs.gemms where count != rhs.gemms[shape, default: 0] {
      difference.gemms[shape] = count - rhs.gemms[shape, default: 0]
    }
    return difference
  }
}

/// One GEMM's shape: `C (m × n) = op(A)·op(B)` over an inner dimension `k`, with each
/// operand transposed or not.
public struct GemmShape: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
  public var m: Int, n: Int, k: Int
  public var transposeA: Bool, transposeB: Bool

  public init(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false) {
    (self.m, self.n, self.k, self.transposeA, self.transposeB) = (m, n, k, transposeA, transposeB)
  }

  /// 2 FLOPs a multiply-add.
  public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

  /// e.g. "500×64·784 NT": B transposed.
  public var description: String { "\(m)×\(n)·\(k) \(transposeA ? "T" : "N")\(transposeB ? "T" : "N")" }

  /// Largest work first, then by the dimensions.
  public static func < (a: GemmShape, b: GemmShape) -> Bool {
    (b.flops, a.m, a.n, a.k, a.transposeA ? 1 : 0, a.transposeB ? 1 : 0)
      < (a.flops, b.m, b.n, b.k, b.transposeA ? 1 : 0, b.transposeB ? 1 : 0)
  }
}
