// Device buffers: a typed element count over storage that only its backend understands.

/// The element types a device buffer can hold: Float32 for tensors, Int32 for distances
/// and ids, UInt64 for packed binary codes (METHOD.md §4).
public protocol DeviceScalar: BitwiseCopyable, Sendable, Equatable {
  /// The type's name as error messages print it.
  static var scalarName: String { get }
}

extension Float: DeviceScalar { public static var scalarName: String { "Float32" } }
extension Int32: DeviceScalar { public static var scalarName: String { "Int32" } }
extension UInt64: DeviceScalar { public static var scalarName: String { "UInt64" } }
extension UInt8: DeviceScalar { public static var scalarName: String { "UInt8" } }

/// A buffer of `count` elements living on one backend (host memory for the CPU backend,
/// a `cl_mem` for OpenCL). Only the backend that made it may read or write it.
///
/// Operations take explicit shapes, so a buffer may be longer than an operation needs:
/// the trainer allocates for a full batch and reuses the buffers for the last short one.
public final class DeviceBuffer<Element: DeviceScalar>: @unchecked Sendable {
  /// Number of elements (not bytes).
  public let count: Int
  /// The backend's own storage object; opaque to everything else.
  package let storage: AnyObject

  /// For backend implementations: wraps the backend's own storage object.
  public init(count: Int, storage: AnyObject) {
    self.count = count
    self.storage = storage
  }

  /// Size in bytes.
  public var byteCount: Int { count * MemoryLayout<Element>.stride }
}
