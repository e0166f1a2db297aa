// The CPU backend: OpenBLAS's cblas_sgemm for products and plain Swift loops for the rest.
// It is also the oracle the OpenCL backend is checked against.

import COpenBLAS
import Foundation

/// Host memory owned by the CPU backend, 64-byte aligned, or a slice of another's.
final class HostStorage {
  let base: UnsafeMutableRawPointer
  let byteCount: Int
  /// The storage a slice aliases, kept alive with it; nil for an allocation.
  let parent: HostStorage?

  init(byteCount: Int) {
    self.byteCount = byteCount
    base = .allocate(byteCount: max(byteCount, 1), alignment: 64)
    parent = nil
  }

  init(slicing parent: HostStorage, byteOffset: Int, byteCount: Int) {
    self.parent = parent
    self.byteCount = byteCount
    base = parent.base + byteOffset
  }

  deinit { if parent == nil { base.deallocate() } }
}

public final class CPUBackend: Backend {
  /// Threads of the backend's own parallel loops.
  public let threads: Int
  /// OpenBLAS's threads: one count for the whole process (`OpenBLASRuntime`), fixed by the
  /// first backend or LAPACK call. The backend's own loops give the same bits at every
  /// count of `threads`; OpenBLAS's deep products and LAPACK depend on this one.
  public var blasThreads: Int { OpenBLASRuntime.requestThreads(nil) }
  public var counts = BackendCounts()

  /// - Parameters:
  ///   - threads: worker threads; `nil` takes OpenBLAS's count (one per core unless a
  ///     backend asked for another).
  ///   - largestBuffer: the most bytes a training keeps in one buffer, to play a device
  ///     of less memory (nil: a quarter of the machine's).
  public init(threads: Int? = nil, largestBuffer: Int? = nil) throws {
    if let threads {
      guard threads >= 1 else {
        throw BackendError.invalidArgument(
          operation: "CPUBackend", message: "threads must be at least 1, got \(threads)")
      }
    }
    if let largestBuffer {
      guard largestBuffer >= 1 else {
        throw BackendError.invalidArgument(
          operation: "CPUBackend", message: "largestBuffer must be at least 1 byte, got \(largestBuffer)")
      }
    }
    let inEffect = OpenBLASRuntime.requestThreads(threads)
    self.threads = threads ?? inEffect
    bufferLimit = largestBuffer
  }

  /// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell".
  public static var blasDescription: String {
    _ = OpenBLASRuntime.core
    guard let config = openblas_get_config() else { return "OpenBLAS" }
    return String(cString: config).trimmingCharacters(in: .whitespaces)
  }

  public var summary: String {
    let blas = blasThreads == threads ? "" : "; OpenBLAS \(blasThreads)"
    return "cpu (\(Self.blasDescription), \(threads) threads\(blas))"
  }

  // MARK: Buffers

  /// Host memory: a data set is resident when it fits in a quarter of the machine's, or
  /// in the limit the backend was made with.
  public var largestBuffer: Int { bufferLimit ?? Int(ProcessInfo.processInfo.physicalMemory / 4) }
  /// A limit given at creation: buffers above it are refused, as a device's allocations are.
  private let bufferLimit: Int?
  public var sliceAlignment: Int { 64 }

  public func uncheckedMakeBuffer<T: DeviceScalar>(_ type: T.Type, count: Int) throws -> DeviceBuffer<T> {
    if let bufferLimit, count * MemoryLayout<T>.stride > bufferLimit {
      throw BackendError.invalidArgument(
        operation: "makeBuffer",
        message:
          "\(count * MemoryLayout<T>.stride) bytes are more than this backend's largest buffer of \(bufferLimit)")
    }
    return DeviceBuffer(count: count, storage: HostStorage(byteCount: count * MemoryLayout<T>.stride))
  }

  public func uncheckedMakeSlice<T: DeviceScalar>(of parent: DeviceBuffer<T>, offset: Int, count: Int) throws
    -> DeviceBuffer<T>
  {
    guard let storage = parent.storage as? HostStorage else {
      throw BackendError.foreignBuffer(operation: "makeSlice", argument: "parent")
    }
    let stride = MemoryLayout<T>.stride
    return DeviceBuffer(
      count: count, storage: HostStorage(slicing: storage, byteOffset: offset * stride, byteCount: count * stride))
  }

  /// The host pointer behind a buffer of this backend.
  func pointer<T>(_ buffer: DeviceBuffer<T>, _ operation: String, _ name: String) throws
    -> UnsafeMutablePointer<T>
  {
    guard let storage = buffer.storage as? HostStorage else {
      throw BackendError.foreignBuffer(operation: operation, argument: name)
    }
    return storage.base.assumingMemoryBound(to: T.self)
  }

  public func uncheckedUpload<T: DeviceScalar>(
    _ values: UnsafeBufferPointer<T>, to buffer: DeviceBuffer<T>, offset: Int
  )
    throws
  {
    let destination = try pointer(buffer, "upload", "destination")
    (destination + offset).update(from: values.baseAddress!, count: values.count)
    counts.hostToDeviceBytes += values.count * MemoryLayout<T>.stride
  }

  public func uncheckedDownload<T: DeviceScalar>(_ buffer: DeviceBuffer<T>, offset: Int, count: Int)
    throws -> [T]
  {
    let source = try pointer(buffer, "download", "source")
    counts.deviceToHostBytes += count * MemoryLayout<T>.stride
    return Array(UnsafeBufferPointer(start: source + offset, count: count))
  }

  public func uncheckedCopy<T: DeviceScalar>(
    _ source: DeviceBuffer<T>, sourceOffset: Int, to destination: DeviceBuffer<T>,
    destinationOffset: Int, count: Int
  ) throws {
    let from = try pointer(source, "copy", "source")
    let to = try pointer(destination, "copy", "destination")
    (to + destinationOffset).update(from: from + sourceOffset, count: count)
  }

  public func uncheckedCopyColumns(
    _ source: DeviceBuffer<Float>, rows: Int, columns: Int, sourceStride: Int, sourceRow: Int, sourceColumn: Int,
    into destination: DeviceBuffer<Float>, destinationStride: Int, destinationRow: Int, destinationColumn: Int
  ) throws {
    let from = try pointer(source, "copyColumns", "source") + sourceRow * sourceStride + sourceColumn
    let to =
      try pointer(destination, "copyColumns", "destination") + destinationRow * destinationStride + destinationColumn
    for row in 0..<rows {
      (to + row * destinationStride).update(from: from + row * sourceStride, count: columns)
    }
  }

  public func uncheckedFill(_ buffer: DeviceBuffer<Float>, value: Float, count: Int) throws {
    try pointer(buffer, "fill", "buffer").update(repeating: value, count: count)
  }

  public func synchronize() throws {}

  // MARK: Dense algebra

  public func uncheckedGemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float
  ) throws {
    let pa = try pointer(a, "gemm", "A")
    let pb = try pointer(b, "gemm", "B")
    let pc = try pointer(c, "gemm", "C")
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, pa, Int32(transposeA ? m : k), pb,
      Int32(transposeB ? k : n), beta, pc, Int32(n))
  }

  /// Elements below which splitting work across threads costs more than it saves.
  static let grain = 32_768

  /// `body` over `0..<count` element ranges, split across threads when large.
  func elements(_ count: Int, _ body: (Range<Int>) -> Void) {
    parallelChunks(count, minimumPerChunk: Self.grain, body)
  }

  /// Runs `body(range)` over `0..<count` split into contiguous chunks on `threads` workers,
  /// serially when the work is too small to pay for the threads.
  func parallelChunks(_ count: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let chunks = max(1, min(threads, count / max(minimumPerChunk, 1)))
    if chunks == 1 {
      body(0..<count)
      return
    }
    withoutActuallyEscaping(body) { body in
      // Each chunk touches disjoint elements, which the closure's raw pointers cannot say.
      nonisolated(unsafe) let work = body
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        work((count * chunk / chunks)..<(count * (chunk + 1) / chunks))
      }
    }
  }
}
