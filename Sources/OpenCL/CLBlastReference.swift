// CLBlast's SGEMM, loaded at run time when libclblast is installed, so that `sigah bench`
// and `sigah tune` can put our GEMM beside it on the same device, queue and buffers.
// Nothing requires it: without the library `CLBlastReference.load()` returns nil.

import Backend
import COpenCL
import Foundation

public final class CLBlastReference: @unchecked Sendable {
  /// `CLBlastSgemm` of clblast_c.h; its enums are C ints.
  private typealias Sgemm =
    @convention(c) (
      Int32, Int32, Int32, Int, Int, Int, Float, cl_mem?, Int, Int, cl_mem?, Int, Int, Float, cl_mem?, Int, Int,
      UnsafeMutablePointer<cl_command_queue?>?, UnsafeMutablePointer<cl_event?>?
    ) -> Int32

  private static let rowMajor: Int32 = 101
  private static let (noTranspose, transpose): (Int32, Int32) = (111, 112)

  private let sgemm: Sgemm
  /// The library file that was loaded.
  public let library: String

  private init(sgemm: Sgemm, library: String) {
    self.sgemm = sgemm
    self.library = library
  }

  /// CLBlast from the first of its usual library names that loads, or nil.
  public static func load() -> CLBlastReference? {
    for name in ["libclblast.so.1", "libclblast.so"] {
      guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(handle, "CLBlastSgemm") else {
        continue
      }
      return CLBlastReference(sgemm: unsafeBitCast(symbol, to: Sgemm.self), library: name)
    }
    return nil
  }

  /// `C = alpha·op(A)·op(B) + beta·C`, row-major, on `backend`'s queue (not waited for).
  public func gemm(
    on backend: OpenCLBackend, _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>,
    transposeB: Bool, into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float
  ) throws {
    try Validate.gemm(a, b, c, m: m, n: n, k: k)
    var queue: cl_command_queue? = backend.queue
    let status = sgemm(
      Self.rowMajor, transposeA ? Self.transpose : Self.noTranspose, transposeB ? Self.transpose : Self.noTranspose,
      m, n, k, alpha, try backend.memory(a, "CLBlastSgemm", "A"), 0, transposeA ? m : k,
      try backend.memory(b, "CLBlastSgemm", "B"), 0, transposeB ? k : n, beta,
      try backend.memory(c, "CLBlastSgemm", "C"), 0, n, &queue, nil)
    guard status == 0 else {
      throw BackendError.unavailable(backend: "CLBlast", reason: "CLBlastSgemm returned status \(status)")
    }
  }
}
