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

/// A kernel argument.
enum KernelArgument {
  case memory(cl_mem)
  case int(Int)
  case float(Float)
  case uint(UInt32)
  /// Local memory of this many bytes for a `__local` pointer argument.
  case local(bytes: Int)
}

public final class OpenCLBackend: Backend {
  public let device: OpenCLDeviceInfo
  public let tuning: OpenCLTuning
  /// Folder of `.cl` files used instead of the embedded ones (kernel development).
  public let kernelFolder: String?
  let context: DeviceContext
  /// The in-order queue every operation goes to, but side work (OpenCLBackend+SideQueue).
  let mainQueue: cl_command_queue
  /// The queue operations go to now: the side queue between `beginSideWork` and
  /// `endSideWork` when the device uses one, else the main queue.
  var queue: cl_command_queue { sideActive ? sideQueue! : mainQueue }
  /// The second in-order queue, made at the first side work.
  var sideQueue: cl_command_queue?
  var sideActive = false
  /// The side queue's marker after its last work, until the main queue has waited for it.
  var sideDone: cl_event?
  /// Spans of side work that ran on the side queue.
  public internal(set) var sideSpans = 0
  /// Whether side work runs on its own queue: the tuning's choice, by default on GPUs,
  /// where small kernels leave most of the device idle; a CPU device's kernels already
  /// use every core.
  public var usesSideQueue: Bool { tuning.sideQueue ?? device.isGPU }
  /// Kernel objects by name, and by name and setting for a GEMM shape's own setting.
  /// cl_kernel holds its arguments, so each backend owns its own.
  private var kernels: [String: cl_kernel] = [:]
  private var tunedKernels: [TunedKernel: cl_kernel] = [:]
  private struct TunedKernel: Hashable {
    let name: String
    let setting: GemmSetting
  }
  /// The tuning's per-shape GEMM settings, for a lookup a launch.
  let gemmSettings: [GemmShape: GemmSetting]
  public var counts = BackendCounts()
  /// Host copies of uploads still in flight (non-blocking writes read them later).
  let staging: StagingArea
  /// Result buffers of `hammingTopK`, kept between calls and grown when too small.
  var topKBuffers: TopKWorkspace?
  /// Split-K partial products (Matmul.swift), kept between products and grown when too
  /// small: one for each queue, whose products may run at once.
  var gemmWorkspace: DeviceBuffer<Float>? {
    get { sideActive ? sideGemmWorkspace : mainGemmWorkspace }
    set {
      if sideActive { sideGemmWorkspace = newValue } else { mainGemmWorkspace = newValue }
    }
  }
  private var mainGemmWorkspace: DeviceBuffer<Float>?
  private var sideGemmWorkspace: DeviceBuffer<Float>?
  /// Whether the queue records kernel times (`KernelProfile`).
  public let profiling: Bool
  /// Each launch's event while a profile runs (KernelProfile.swift).
  var profileEvents: [(kernel: String, event: cl_event)]?

  /// Opens device `deviceIndex` (numbered as `OpenCLDevices.all()`), or when nil the first
  /// GPU, or failing that the first device of any kind. Kernels come from `kernelFolder`
  /// (default: SIGAH_KERNELS_DIR) when given, else from the copies embedded at build time.
  /// `tuning` defaults to what `sigah tune` cached for this device and driver, else to
  /// safe defaults for the device's kind. `profiling` makes a queue that times kernels.
  public init(
    deviceIndex: Int? = nil, tuning: OpenCLTuning? = nil,
    kernelFolder: String? = KernelSources.folderFromEnvironment, profiling: Bool = false
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
    let cached = tuning == nil ? TuningCache.load(for: chosen) : nil
    let tuning = tuning ?? cached ?? OpenCLTuning.defaults(for: chosen)
    if let problem = tuning.problem(on: chosen) {
      throw BackendError.invalidArgument(
        operation: "OpenCLBackend",
        message: cached == nil
          ? problem
          : "the tuning cache \(TuningCache.path) holds settings that cannot run here (\(problem)); "
            + "run `sigah tune` again or remove the file")
    }
    self.device = chosen
    self.tuning = tuning
    gemmSettings = Dictionary((tuning.gemmShapes ?? []).map { ($0.shape, $0.setting) }) { first, _ in first }
    self.kernelFolder = kernelFolder
    self.profiling = profiling
    self.context = try DeviceContext.shared(for: chosen)
    let queue = try Self.makeQueue(context: context, device: chosen, profiling: profiling)
    self.mainQueue = queue
    staging = StagingArea(context: context.context, queue: queue)
  }

  /// An in-order queue on the device, timing kernels when `profiling`.
  static func makeQueue(context: DeviceContext, device: OpenCLDeviceInfo, profiling: Bool) throws
    -> cl_command_queue
  {
    var status: cl_int = 0
    guard
      let queue = clCreateCommandQueue(
        context.context, device.deviceID, profiling ? cl_command_queue_properties(CL_QUEUE_PROFILING_ENABLE) : 0,
        &status)
    else {
      try OpenCLStatus.check(status, "clCreateCommandQueue")
      throw BackendError.unavailable(backend: "opencl", reason: "no command queue was created")
    }
    try OpenCLStatus.check(status, "clCreateCommandQueue")
    return queue
  }

  deinit {
    if let sideQueue { clFinish(sideQueue) }
    clFinish(mainQueue)
    if let sideDone { clReleaseEvent(sideDone) }
    releaseProfileEvents()
    staging.releaseAll()
    for kernel in kernels.values { clReleaseKernel(kernel) }
    if let sideQueue { clReleaseCommandQueue(sideQueue) }
    clReleaseCommandQueue(mainQueue)
  }

  /// Whether uploads are staged in pinned host memory (the driver gave a mapped
  /// CL_MEM_ALLOC_HOST_PTR buffer) rather than ordinary memory.
  public var stagingIsPinned: Bool { staging.isPinned }

  public var summary: String {
    "opencl device \(device.index): \(device.name) (\(device.platform), \(device.version))"
  }

  // MARK: Buffers

  /// A data set may stay resident when it takes at most half the device's memory and fits
  /// one allocation.
  public var largestBuffer: Int { Int(min(device.maxAllocationBytes, device.globalMemoryBytes / 2)) }
  public var sliceAlignment: Int { max(device.baseAddressAlignmentBytes, 16) }

  public func uncheckedMakeBuffer<T: DeviceScalar>(_ type: T.Type, count: Int) throws -> DeviceBuffer<T> {
    var status: cl_int = 0
    let bytes = count * MemoryLayout<T>.stride
    let memory = clCreateBuffer(context.context, cl_mem_flags(CL_MEM_READ_WRITE), bytes, nil, &status)
    guard let memory, status == CL_SUCCESS else {
      throw BackendError.openCL(
        call: "clCreateBuffer(\(bytes) bytes)", status: status,
        name: OpenCLStatus.name(status == CL_SUCCESS ? CL_MEM_OBJECT_ALLOCATION_FAILURE : status))
    }
    return DeviceBuffer(count: count, storage: DeviceMemory(memory: memory, context: context))
  }

  public func uncheckedMakeSlice<T: DeviceScalar>(of parent: DeviceBuffer<T>, offset: Int, count: Int) throws
    -> DeviceBuffer<T>
  {
    let stride = MemoryLayout<T>.stride
    var region = cl_buffer_region(origin: offset * stride, size: count * stride)
    var status: cl_int = 0
    let memory = clCreateSubBuffer(
      try memory(parent, "makeSlice", "parent"), cl_mem_flags(CL_MEM_READ_WRITE),
      cl_buffer_create_type(CL_BUFFER_CREATE_TYPE_REGION), &region, &status)
    guard let memory, status == CL_SUCCESS else {
      try OpenCLStatus.check(status == CL_SUCCESS ? CL_INVALID_VALUE : status, "clCreateSubBuffer")
      throw BackendError.unavailable(backend: "opencl", reason: "clCreateSubBuffer returned nothing")
    }
    return DeviceBuffer(count: count, storage: DeviceMemory(memory: memory, context: context))
  }

  /// The `cl_mem` behind a buffer of this backend's context.
  func memory<T>(_ buffer: DeviceBuffer<T>, _ operation: String, _ name: String) throws -> cl_mem {
    guard let storage = buffer.storage as? DeviceMemory, storage.context === context else {
      throw BackendError.foreignBuffer(operation: operation, argument: name)
    }
    return storage.memory
  }

  /// Copies the values into the staging ring (pinned host memory where the driver gives
  /// it) and enqueues a non-blocking write from there, in pieces of at most
  /// `StagingArea.largestPiece`; a region is reused once its write has completed. At most
  /// `StagingArea.bytesInFlight` bytes are outstanding: a further write first waits for the
  /// oldest, so streamed batches travel ahead of compute without piling up in host memory.
  public func uncheckedUpload<T: DeviceScalar>(
    _ values: UnsafeBufferPointer<T>, to buffer: DeviceBuffer<T>, offset: Int
  )
    throws
  {
    let destination = try memory(buffer, "upload", "destination")
    let bytes = values.count * MemoryLayout<T>.stride
    let source = UnsafeRawPointer(values.baseAddress!)
    var done = 0
    while done < bytes {
      let piece = min(bytes - done, StagingArea.largestPiece)
      let region = try staging.reserve(piece)
      if region.waited { counts.blockingWaits += 1 }
      region.memory.copyMemory(from: source + done, byteCount: piece)
      var event: cl_event?
      let status = clEnqueueWriteBuffer(
        queue, destination, cl_bool(CL_FALSE), offset * MemoryLayout<T>.stride + done, piece, region.memory, 0, nil,
        &event)
      guard status == CL_SUCCESS, let event else {
        try OpenCLStatus.check(status == CL_SUCCESS ? CL_INVALID_EVENT : status, "clEnqueueWriteBuffer")
        return
      }
      staging.add(offset: region.offset, bytes: piece, event: event)
      done += piece
    }
    counts.hostToDeviceBytes += bytes
  }

  public func uncheckedDownload<T: DeviceScalar>(_ buffer: DeviceBuffer<T>, offset: Int, count: Int) throws -> [T] {
    let source = try memory(buffer, "download", "source")
    try joinSideWork()
    var values = [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    let stride = MemoryLayout<T>.stride
    let status = values.withUnsafeMutableBytes { bytes in
      clEnqueueReadBuffer(queue, source, cl_bool(CL_TRUE), offset * stride, bytes.count, bytes.baseAddress, 0, nil, nil)
    }
    try OpenCLStatus.check(status, "clEnqueueReadBuffer")
    counts.deviceToHostBytes += count * stride
    counts.blockingWaits += 1
    staging.releaseAll()  // an in-order queue has finished every earlier write
    return values
  }

  public func uncheckedCopy<T: DeviceScalar>(
    _ source: DeviceBuffer<T>, sourceOffset: Int, to destination: DeviceBuffer<T>, destinationOffset: Int, count: Int
  ) throws {
    let stride = MemoryLayout<T>.stride
    let (from, to) = (try memory(source, "copy", "source"), try memory(destination, "copy", "destination"))
    try OpenCLStatus.check(
      enqueue(profileName: "copy") { event in
        clEnqueueCopyBuffer(
          queue, from, to, sourceOffset * stride, destinationOffset * stride, count * stride, 0, nil, event)
      },
      "clEnqueueCopyBuffer")
    counts.launches += 1
  }

  public func uncheckedCopyColumns(
    _ source: DeviceBuffer<Float>, rows: Int, columns: Int, sourceStride: Int, sourceRow: Int, sourceColumn: Int,
    into destination: DeviceBuffer<Float>, destinationStride: Int, destinationRow: Int, destinationColumn: Int
  ) throws {
    let stride = MemoryLayout<Float>.stride
    let (from, to) = (
      try memory(source, "copyColumns", "source"), try memory(destination, "copyColumns", "destination")
    )
    var sourceOrigin = [sourceColumn * stride, sourceRow, 0]
    var destinationOrigin = [destinationColumn * stride, destinationRow, 0]
    var region = [columns * stride, rows, 1]
    try OpenCLStatus.check(
      enqueue(profileName: "copyColumns") { event in
        clEnqueueCopyBufferRect(
          queue, from, to, &sourceOrigin, &destinationOrigin, &region, sourceStride * stride, 0,
          destinationStride * stride, 0, 0, nil, event)
      },
      "clEnqueueCopyBufferRect")
    counts.launches += 1
  }

  /// Runs an enqueue call, handing it an event to fill while a profile runs (and keeping
  /// that event under `profileName`), else none.
  private func enqueue(profileName: @autoclosure () -> String, _ call: (UnsafeMutablePointer<cl_event?>?) -> cl_int)
    -> cl_int
  {
    guard profileEvents != nil else { return call(nil) }
    var event: cl_event?
    let status = call(&event)
    if let event { profileEvents?.append((profileName(), event)) }
    return status
  }

  public func synchronize() throws {
    try joinSideWork()
    try OpenCLStatus.check(clFinish(queue), "clFinish")
    counts.blockingWaits += 1
    staging.releaseAll()
  }

  // MARK: Launching

  /// The kernel `name` from `kernels/<file>.cl`, built with the tuning's options for the
  /// file (with `gemmSetting` in place of the default one: a GEMM shape's own setting),
  /// created once per backend. A launch only looks it up: no options string is built then.
  func kernel(_ name: String, file: String, gemmSetting: GemmSetting? = nil) throws -> cl_kernel {
    guard let gemmSetting else {
      if let kernel = kernels[name] { return kernel }
      let kernel = try createKernel(name, file: file, options: tuning.buildOptions(for: file))
      kernels[name] = kernel
      return kernel
    }
    let key = TunedKernel(name: name, setting: gemmSetting)
    if let kernel = tunedKernels[key] { return kernel }
    let kernel = try createKernel(name, file: file, options: tuning.buildOptions(for: file, gemm: gemmSetting))
    tunedKernels[key] = kernel
    return kernel
  }

  private func createKernel(_ name: String, file: String, options: String) throws -> cl_kernel {
    let program = try context.program(file: file, options: options, folder: kernelFolder)
    var status: cl_int = 0
    guard let kernel = clCreateKernel(program, name, &status) else {
      try OpenCLStatus.check(status, "clCreateKernel(\(name))")
      throw BackendError.kernelBuildFailed(program: file, log: "no kernel '\(name)'")
    }
    try OpenCLStatus.check(status, "clCreateKernel(\(name))")
    return kernel
  }

  /// Sets the arguments and enqueues `name` over `global` work-items (rounded up to a
  /// multiple of `local` when given). A profile lists the launch under `profileName`
  /// (default: the kernel's name).
  func launch(
    _ name: String, file: String, gemmSetting: GemmSetting? = nil, global: [Int], local: [Int]? = nil,
    _ arguments: [KernelArgument], profileName: @autoclosure () -> String? = nil
  ) throws {
    let kernel = try kernel(name, file: file, gemmSetting: gemmSetting)
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
      case .uint(let unsigned):
        var value = unsigned
        status = clSetKernelArg(kernel, cl_uint(index), MemoryLayout<UInt32>.size, &value)
      case .local(let bytes):
        status = clSetKernelArg(kernel, cl_uint(index), bytes, nil)
      }
      try OpenCLStatus.check(status, "clSetKernelArg(\(name), \(index))")
    }
    var globalSize = global
    if let local {
      globalSize = zip(global, local).map { size, group in (size + group - 1) / group * group }
    }
    var localSize = local ?? []
    let status = enqueue(profileName: profileName() ?? name) { event in
      localSize.withUnsafeMutableBufferPointer { localPointer in
        clEnqueueNDRangeKernel(
          queue, kernel, cl_uint(globalSize.count), nil, &globalSize,
          local == nil ? nil : localPointer.baseAddress, 0, nil, event)
      }
    }
    try OpenCLStatus.check(status, "clEnqueueNDRangeKernel(\(name))")
    counts.launches += 1
  }
}
