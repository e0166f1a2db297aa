// sigah_backend_*: a backend opened by the command line's policy (BackendOptions), so a
// name, SIGAH_BACKEND and "auto" mean in C and Python what they mean in a shell.

import Backend
import CommandOptions
import Foundation
import OpenCL

@_cdecl("sigah_backend_open")
public func sigahBackendOpen(
  _ name: UnsafePointer<CChar>?, _ device: Int32, _ threads: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
  guarded("sigah_backend_open") {
    guard let out else { throw ArgumentError("out is NULL") }
    var arguments: [String] = []
    if let name { arguments += ["--backend", String(cString: name)] }
    if device >= 0 { arguments += ["--device", "\(device)"] }
    if threads >= 1 { arguments += ["--threads", "\(threads)"] }
    let options: BackendOptions
    do {
      options = try BackendOptions.parse(arguments)
    } catch {
      throw ArgumentError(BackendOptions.message(for: error))
    }
    give(BackendHandle(try options.open().backend), to: out)
  }
}

nonisolated(unsafe) private let openBLASCore: UnsafeMutablePointer<CChar> = strdup(OpenBLASRuntime.core.description)!

@_cdecl("sigah_openblas_core")
public func sigahOpenBLASCore() -> UnsafePointer<CChar> { UnsafePointer(openBLASCore) }

@_cdecl("sigah_backend_summary")
public func sigahBackendSummary(_ backend: OpaquePointer?) -> UnsafePointer<CChar>? {
  (try? object(backend, BackendHandle.self, "backend")).map { UnsafePointer($0.summary) }
}

@_cdecl("sigah_backend_free")
public func sigahBackendFree(_ backend: OpaquePointer?) { release(backend) }
