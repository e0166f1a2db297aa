// Platform and device discovery. Devices are numbered across all platforms in the order
// the ICD loader reports them; that number is what `--device N` names.

import Backend
import COpenCL
import Foundation

/// What `sigah devices` prints about one OpenCL device.
public struct OpenCLDeviceInfo: Sendable, Equatable {
  /// Position across all platforms (the `--device` number).
  public let index: Int
  public let platform: String
  public let name: String
  public let vendor: String
  public let version: String
  public let computeUnits: Int
  public let globalMemoryBytes: UInt64
  public let localMemoryBytes: UInt64
  /// The largest single buffer the device allows (CL_DEVICE_MAX_MEM_ALLOC_SIZE).
  public let maxAllocationBytes: UInt64
  /// Byte alignment of sub-buffer origins (CL_DEVICE_MEM_BASE_ADDR_ALIGN, given in bits).
  public let baseAddressAlignmentBytes: Int
  /// The driver's version string, part of the tuning cache's key.
  public let driverVersion: String
  public let maxWorkGroupSize: Int
  public let isGPU: Bool
  /// CL_DEVICE_EXTENSIONS, space-separated.
  public let extensions: String
  /// Raw handles; valid for the life of the process.
  nonisolated(unsafe) let platformID: cl_platform_id?
  nonisolated(unsafe) let deviceID: cl_device_id?

  public static func == (lhs: Self, rhs: Self) -> Bool { lhs.index == rhs.index }

  /// A device without handles, for checking settings against limits where no device is
  /// at hand (the tuning cache's fuzz target).
  public static func standIn(maxWorkGroupSize: Int, localMemoryBytes: UInt64) -> OpenCLDeviceInfo {
    OpenCLDeviceInfo(
      index: 0, platform: "stand-in", name: "stand-in", vendor: "", version: "OpenCL 1.2", computeUnits: 1,
      globalMemoryBytes: 1 << 30, localMemoryBytes: localMemoryBytes, maxAllocationBytes: 1 << 28,
      baseAddressAlignmentBytes: 128, driverVersion: "0", maxWorkGroupSize: maxWorkGroupSize, isGPU: false,
      extensions: "", platformID: nil, deviceID: nil)
  }
}

public enum OpenCLDevices {
  /// The ICD loader's first enumeration is not safe from two threads at once (one of two
  /// side by side came back without a platform): enumerations take turns.
  private static let enumeration = NSLock()

  /// Every OpenCL device on every platform. Throws when the ICD loader finds no platform.
  public static func all() throws -> [OpenCLDeviceInfo] {
    try enumeration.withLock { try enumerate() }
  }

  private static func enumerate() throws -> [OpenCLDeviceInfo] {
    var platformCount: cl_uint = 0
    try OpenCLStatus.check(clGetPlatformIDs(0, nil, &platformCount), "clGetPlatformIDs")
    guard platformCount > 0 else { return [] }
    var platforms = [cl_platform_id?](repeating: nil, count: Int(platformCount))
    try OpenCLStatus.check(
      clGetPlatformIDs(platformCount, &platforms, nil), "clGetPlatformIDs")

    var devices: [OpenCLDeviceInfo] = []
    for platform in platforms {
      var deviceCount: cl_uint = 0
      let status = clGetDeviceIDs(
        platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &deviceCount)
      if status == CL_DEVICE_NOT_FOUND || deviceCount == 0 { continue }
      try OpenCLStatus.check(status, "clGetDeviceIDs")
      var ids = [cl_device_id?](repeating: nil, count: Int(deviceCount))
      try OpenCLStatus.check(
        clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), deviceCount, &ids, nil),
        "clGetDeviceIDs")
      let platformName = try platformString(platform, cl_platform_info(CL_PLATFORM_NAME))
      for id in ids {
        let type: cl_device_type = try deviceValue(id, CL_DEVICE_TYPE)
        let units: cl_uint = try deviceValue(id, CL_DEVICE_MAX_COMPUTE_UNITS)
        let workGroup: Int = try deviceValue(id, CL_DEVICE_MAX_WORK_GROUP_SIZE)
        devices.append(
          OpenCLDeviceInfo(
            index: devices.count, platform: platformName,
            name: try deviceString(id, CL_DEVICE_NAME),
            vendor: try deviceString(id, CL_DEVICE_VENDOR),
            version: try deviceString(id, CL_DEVICE_VERSION),
            computeUnits: Int(units),
            globalMemoryBytes: try deviceValue(id, CL_DEVICE_GLOBAL_MEM_SIZE),
            localMemoryBytes: try deviceValue(id, CL_DEVICE_LOCAL_MEM_SIZE),
            maxAllocationBytes: try deviceValue(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
            baseAddressAlignmentBytes: Int(try deviceValue(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN) as cl_uint) / 8,
            driverVersion: try deviceString(id, CL_DRIVER_VERSION),
            maxWorkGroupSize: workGroup,
            isGPU: type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0,
            extensions: try deviceString(id, CL_DEVICE_EXTENSIONS),
            platformID: platform, deviceID: id))
      }
    }
    return devices
  }

  private static func platformString(_ platform: cl_platform_id?, _ parameter: cl_platform_info)
    throws -> String
  {
    var size = 0
    try OpenCLStatus.check(clGetPlatformInfo(platform, parameter, 0, nil, &size), "clGetPlatformInfo")
    var bytes = [CChar](repeating: 0, count: size + 1)
    try OpenCLStatus.check(
      clGetPlatformInfo(platform, parameter, size, &bytes, nil), "clGetPlatformInfo")
    return decodeCString(bytes).trimmingSpaces
  }

  private static func deviceString(_ device: cl_device_id?, _ parameter: Int32) throws -> String {
    var size = 0
    try OpenCLStatus.check(
      clGetDeviceInfo(device, cl_device_info(parameter), 0, nil, &size), "clGetDeviceInfo")
    var bytes = [CChar](repeating: 0, count: size + 1)
    try OpenCLStatus.check(
      clGetDeviceInfo(device, cl_device_info(parameter), size, &bytes, nil), "clGetDeviceInfo")
    return decodeCString(bytes).trimmingSpaces
  }

  private static func deviceValue<T: BitwiseCopyable>(_ device: cl_device_id?, _ parameter: Int32)
    throws -> T
  {
    var value = [UInt8](repeating: 0, count: MemoryLayout<T>.size)
    try OpenCLStatus.check(
      clGetDeviceInfo(device, cl_device_info(parameter), value.count, &value, nil),
      "clGetDeviceInfo")
    return value.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
  }
}

extension String {
  var trimmingSpaces: String {
    var text = Substring(self)
    while text.first == " " { text.removeFirst() }
    while text.last == " " { text.removeLast() }
    return String(text)
  }
}

/// The text of a NUL-terminated C string returned by an OpenCL info query.
func decodeCString(_ bytes: [CChar]) -> String {
  String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
