// One OpenCL context per device for the whole process, with its programs built once and
// cached: every OpenCLBackend on that device shares them.

import Backend
import COpenCL
import Foundation
import Synchronization

final class DeviceContext: @unchecked Sendable {
  let device: OpenCLDeviceInfo
  let context: cl_context
  /// Built programs by file, options and source folder; behind a mutex because backends
  /// on several threads share the context.
  private let programs = Mutex<[String: cl_program]>([:])

  private static let registry = Mutex<[Int: DeviceContext]>([:])

  /// The context of `device`, created on first use.
  static func shared(for device: OpenCLDeviceInfo) throws -> DeviceContext {
    try registry.withLock { contexts in
      if let existing = contexts[device.index] { return existing }
      let created = try DeviceContext(device: device)
      contexts[device.index] = created
      return created
    }
  }

  private init(device: OpenCLDeviceInfo) throws {
    self.device = device
    var status: cl_int = 0
    var deviceID = device.deviceID
    guard let context = clCreateContext(nil, 1, &deviceID, nil, nil, &status) else {
      try OpenCLStatus.check(status == CL_SUCCESS ? CL_OUT_OF_RESOURCES : status, "clCreateContext")
      throw BackendError.unavailable(backend: "opencl", reason: "clCreateContext returned nothing")
    }
    self.context = context
  }

  /// The program built from `<file>.cl` with `options`, building it on first use.
  func program(file: String, options: String, folder: String?) throws -> cl_program {
    let key = "\(file)|\(options)|\(folder ?? "embedded")"
    return try programs.withLock { programs in
      if let program = programs[key] { return program }
      let program = try build(file: file, options: options, folder: folder)
      programs[key] = program
      return program
    }
  }

  private func build(file: String, options: String, folder: String?) throws -> cl_program {
    // The operation codes come first, so every kernel's switch uses the Swift enums' values;
    // then the helpers of common.cl.
    let source =
      EmbeddedKernelSources.operationCodes + (try KernelSources.common(folder: folder))
      + (try KernelSources.source(named: file, folder: folder))
    var status: cl_int = 0
    let created: cl_program? = source.withCString { text in
      var pointer: UnsafePointer<CChar>? = text
      var length = strlen(text)
      return clCreateProgramWithSource(context, 1, &pointer, &length, &status)
    }
    guard let program = created else {
      try OpenCLStatus.check(status, "clCreateProgramWithSource")
      throw BackendError.kernelBuildFailed(program: file, log: "no program was created")
    }
    var deviceID = device.deviceID
    let buildStatus = clBuildProgram(program, 1, &deviceID, options, nil, nil)
    guard buildStatus == CL_SUCCESS else {
      let log = buildLog(program)
      clReleaseProgram(program)
      throw BackendError.kernelBuildFailed(
        program: "\(file).cl", log: "\(OpenCLStatus.name(buildStatus)) with options '\(options)'\n\(log)")
    }
    return program
  }

  private func buildLog(_ program: cl_program) -> String {
    var size = 0
    let info = cl_program_build_info(CL_PROGRAM_BUILD_LOG)
    guard clGetProgramBuildInfo(program, device.deviceID, info, 0, nil, &size) == CL_SUCCESS
    else { return "(no build log)" }
    var bytes = [CChar](repeating: 0, count: size + 1)
    _ = clGetProgramBuildInfo(program, device.deviceID, info, size, &bytes, nil)
    return decodeCString(bytes)
  }
}
