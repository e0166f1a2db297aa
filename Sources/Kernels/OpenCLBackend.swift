// The OpenCL backend: buffers, transfers and the launch helper. Each operation's launcher
// sits in the Swift file named after its kernel file (Matmul.swift ↔ kernels/matmul.cl).

import Backend
import COpenCL
import Foundation

/// A `cl_mem` owned by a buffer of the OpenCL backend.
final class DeviceMemory {
  let memory: cl_mem
  let context: DeviceContext

  init(memory: cl_mem, context: DeviceContext) {
    self.memory = memory
    self.context = context
  }

  deinit { clReleaseMemObject(memory) }
}

/// Compile-time tuning of the kernels, passed as `#define`s (see kernels/matmul.cl).
public struct OpenCLTuning: Sendable, Equatable {
  /// Side of the square tile of C a work-group computes.
  public var matmulTile = 32
  /// Results of C each work-item keeps in registers; must divide `matmulTile`.
  public var matmulWorkPerThread = 8
  /// Work-group size of the row reductions; a power of two.
  public var reductionGroupSize = 64

  public init() {}

  var buildOptions: String {
    "-cl-std=CL1.2 -DTS=\(matmulTile) -DWPT=\(matmulWorkPerThread) -DREDUCE_WG=\(reductionGroupSize)"
  }
}

/// A kernel argument.
enum KernelArgument {
  case memory(cl_mem)
  case int(Int)
  case float(Float)
}

public final class OpenCLBackend: Backend {
  public let device: OpenCLDeviceInfo
  public let tuning: OpenCLTuning
  /// Folder of `.cl` files used instead of the embedded ones (kernel development).
  public let kernelFolder: String?
  let context: DeviceContext
  let queue: cl_command_queue
  /// Kernel objects by name. cl_kernel holds its arguments, so each backend owns its own.
  private var kernels: [String: cl_kernel] = [:]
  public internal(set) var counts = BackendCounts()

  /// Opens device `deviceIndex` (numbered as `OpenCLDevices.all()`), or when nil the first
  /// GPU, or failing that the first device of any kind. Kernels come from `kernelFolder`
  /// (default: SIGAH_KERNELS_DIR) when given, else from the copies embedded at build time.
  public init(
    deviceIndex: Int? = nil, tuning: OpenCLTuning = OpenCLTuning(),
    kernelFolder: String? = KernelSources.folderFromEnvironment
  ) throws {
    let devices = try OpenCLDevices.all()
    guard !devices.isEmpty else {
      throw BackendError.unavailable(backend: "opencl", reason: "no OpenCL device was found")
    }
    let chosen: OpenCLDeviceInfo
    if let deviceIndex {
      guard devices.indices.contains(deviceIndex) else {
        throw BackendError.unavailable(
          backend: "opencl",
          reason: "there is no OpenCL device \(deviceIndex); devices are numbered 0 to \(devices.count - 1)")
      }
      chosen = devices[deviceIndex]
    } else {
      chosen = devices.first(where: \.isGPU) ?? devices[0]
    }
    guard tuning.matmulTile > 0, tuning.matmulWorkPerThread > 0,
      tuning.matmulTile % tuning.matmulWorkPerThread == 0,
      tuning.matmulTile * tuning.matmulTile / tuning.matmulWorkPerThread <= chosen.maxWorkGroupSize,
      tuning.reductionGroupSize > 0, tuning.reductionGroupSize & (tuning.reductionGroupSize - 1) == 0,
      tuning.reductionGroupSize <= chosen.maxWorkGroupSize
    else {
      throw BackendError.invalidArgument(
        operation: "OpenCLBackend",
        message: "tuning \(tuning.buildOptions) does not fit device '\(chosen.name)' "
          + "(work-group limit \(chosen.maxWorkGroupSize))")
    }
    self.device = chosen
    self.tuning = tuning
    self.kernelFolder = kernelFolder
    self.context = try DeviceContext.shared(for: chosen)
    var status: cl_int = 0
    guard let queue = clCreateCommandQueue(context.context, chosen.deviceID, 0, &status) else {
      try OpenCLStatus.check(status, "clCreateCommandQueue")
      throw BackendError.unavailable(backend: "opencl", reason: "no command queue was created")
    }
    try OpenCLStatus.check(status, "clCreateCommandQueue")
    self.queue = queue
  }

  deinit {
    clFinish(queue)
    for kernel in kernels.values { clReleaseKernel(kernel) }
    clReleaseCommandQueue(queue)
  }

  public var summary: String {
    "opencl device \(device.index): \(device.name) (\(device.platform), \(device.version))"
  }

  // MARK: Buffers

  public func makeBuffer<T: DeviceScalar>(_ type: T.Type, count: Int) throws -> DeviceBuffer<T> {
    try Validate.positive("makeBuffer", "count", count)
    var status: cl_int = 0
    let bytes = count * MemoryLayout<T>.stride
    guard
      let memory = clCreateBuffer(
        context.context, cl_mem_flags(CL_MEM_READ_WRITE), bytes, nil, &status)
    else {
      try OpenCLStatus.check(status == CL_SUCCESS ? CL_MEM_OBJECT_ALLOCATION_FAILURE : status, "clCreateBuffer")
      throw BackendError.openCL(call: "clCreateBuffer", status: -4, name: OpenCLStatus.name(-4))
    }
    try OpenCLStatus.check(status, "clCreateBuffer")
    return DeviceBuffer(count: count, storage: DeviceMemory(memory: memory, context: context))
  }

  /// The `cl_mem` behind a buffer of this backend's context.
  func memory<T>(_ buffer: DeviceBuffer<T>, _ operation: String, _ name: String) throws -> cl_mem {
    guard let storage = buffer.storage as? DeviceMemory, storage.context === context else {
      throw BackendError.foreignBuffer(operation: operation, argument: name)
    }
    return storage.memory
  }

  public func upload<T: DeviceScalar>(_ values: [T], to buffer: DeviceBuffer<T>, offset: Int)
    throws
  {
    try Validate.range("upload", "destination", buffer, offset: offset, count: values.count)
    guard !values.isEmpty else { return }
    let destination = try memory(buffer, "upload", "destination")
    let stride = MemoryLayout<T>.stride
    let status = values.withUnsafeBytes { bytes in
      clEnqueueWriteBuffer(
        queue, destination, cl_bool(CL_TRUE), offset * stride, bytes.count, bytes.baseAddress, 0,
        nil, nil)
    }
    try OpenCLStatus.check(status, "clEnqueueWriteBuffer")
    counts.hostToDeviceBytes += values.count * stride
    counts.blockingWaits += 1
  }

  public func download<T: DeviceScalar>(_ buffer: DeviceBuffer<T>, offset: Int, count: Int)
    throws -> [T]
  {
    try Validate.range("download", "source", buffer, offset: offset, count: count)
    let source = try memory(buffer, "download", "source")
    var values = [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    guard count > 0 else { return values }
    let stride = MemoryLayout<T>.stride
    let status = values.withUnsafeMutableBytes { bytes in
      clEnqueueReadBuffer(
        queue, source, cl_bool(CL_TRUE), offset * stride, bytes.count, bytes.baseAddress, 0, nil,
        nil)
    }
    try OpenCLStatus.check(status, "clEnqueueReadBuffer")
    counts.deviceToHostBytes += count * stride
    counts.blockingWaits += 1
    return values
  }

  public func copy<T: DeviceScalar>(
    _ source: DeviceBuffer<T>, sourceOffset: Int, to destination: DeviceBuffer<T>,
    destinationOffset: Int, count: Int
  ) throws {
    try Validate.range("copy", "source", source, offset: sourceOffset, count: count)
    try Validate.range("copy", "destination", destination, offset: destinationOffset, count: count)
    guard count > 0 else { return }
    let stride = MemoryLayout<T>.stride
    try OpenCLStatus.check(
      clEnqueueCopyBuffer(
        queue, try memory(source, "copy", "source"), try memory(destination, "copy", "destination"),
        sourceOffset * stride, destinationOffset * stride, count * stride, 0, nil, nil),
      "clEnqueueCopyBuffer")
    counts.launches += 1
  }

  public func synchronize() throws {
    try OpenCLStatus.check(clFinish(queue), "clFinish")
    counts.blockingWaits += 1
  }

  // MARK: Launching

  /// The kernel `name` from `kernels/<file>.cl`, created once per backend.
  func kernel(_ name: String, file: String) throws -> cl_kernel {
    if let kernel = kernels[name] { return kernel }
    let program = try context.program(file: file, options: tuning.buildOptions, folder: kernelFolder)
    var status: cl_int = 0
    guard let kernel = clCreateKernel(program, name, &status) else {
      try OpenCLStatus.check(status, "clCreateKernel(\(name))")
      throw BackendError.kernelBuildFailed(program: file, log: "no kernel '\(name)'")
    }
    try OpenCLStatus.check(status, "clCreateKernel(\(name))")
    kernels[name] = kernel
    return kernel
  }

  /// Sets the arguments and enqueues `name` over `global` work-items (rounded up to a
  /// multiple of `local` when given).
  func launch(
    _ name: String, file: String, global: [Int], local: [Int]? = nil,
    _ arguments: [KernelArgument]
  ) throws {
    let kernel = try kernel(name, file: file)
    for (index, argument) in arguments.enumerated() {
      let status: cl_int
      switch argument {
      case .memory(let memory):
        var value: cl_mem? = memory
        status = clSetKernelArg(kernel, cl_uint(index), MemoryLayout<cl_mem?>.size, &value)
      case .int(let integer):
        guard let narrow = Int32(exactly: integer) else {
          throw BackendError.invalidArgument(
            operation: name, message: "argument \(index) = \(integer) does not fit a 32-bit int")
        }
        var value = narrow
        status = clSetKernelArg(kernel, cl_uint(index), MemoryLayout<Int32>.size, &value)
      case .float(let float):
        var value = float
        status = clSetKernelArg(kernel, cl_uint(index), MemoryLayout<Float>.size, &value)
      }
      try OpenCLStatus.check(status, "clSetKernelArg(\(name), \(index))")
    }
    var globalSize = global
    if let local {
      globalSize = zip(global, local).map { size, group in (size + group - 1) / group * group }
    }
    var localSize = local ?? []
    let status = localSize.withUnsafeMutableBufferPointer { localPointer in
      clEnqueueNDRangeKernel(
        queue, kernel, cl_uint(globalSize.count), nil, &globalSize,
        local == nil ? nil : localPointer.baseAddress, 0, nil, nil)
    }
    try OpenCLStatus.check(status, "clEnqueueNDRangeKernel(\(name))")
    counts.launches += 1
  }
}
