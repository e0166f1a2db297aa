// Every entry point of the C API runs its body through `guarded`: a thrown error becomes a
// status code and this thread's last-error message, so nothing unwinds into C.

import Backend
import Foundation
import SiGAH

/// The codes of `sigah_status` in include/sigah.h.
enum Status: Int32 {
  case ok = 0
  case invalidArgument = 1
  case fileError = 2
  case backendError = 3
  case trainingError = 4
}

/// A caller's mistake found at the boundary (a null pointer, a size out of range).
struct ArgumentError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// The message of the last failure, one per thread (C's errno convention): a C string
/// owned by the thread and freed when the next failure replaces it or the thread ends.
enum LastError {
  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { free($0) }
    return key
  }()
  nonisolated(unsafe) private static let none: UnsafeMutablePointer<CChar> = strdup("")!

  static var message: UnsafePointer<CChar> {
    UnsafePointer(pthread_getspecific(key)?.assumingMemoryBound(to: CChar.self) ?? none)
  }

  static func set(_ text: String) {
    free(pthread_getspecific(key))
    pthread_setspecific(key, strdup(text))
  }
}

/// Runs `body`, turning what it throws into a status and a message.
func guarded(_ function: String, _ body: () throws -> Void) -> Int32 {
  do {
    try body()
    return Status.ok.rawValue
  } catch {
    let (status, message) = classify(error)
    LastError.set("\(function): \(message)")
    return status.rawValue
  }
}

private func classify(_ error: Error) -> (Status, String) {
  switch error {
  case let error as ArgumentError: return (.invalidArgument, error.description)
  case let error as DataError: return (.fileError, error.description)
  case let error as TrainingError:
    if case .invalidData = error { return (.invalidArgument, error.description) }
    return (.trainingError, error.description)
  case let error as BackendError:
    switch error {
    case .invalidArgument, .bufferTooSmall: return (.invalidArgument, error.description)
    default: return (.backendError, error.description)
    }
  case let error as CocoaError: return (.fileError, error.localizedDescription)
  // What is left comes from the system's file and memory calls.
  default: return (.fileError, String(describing: error))
  }
}

@_cdecl("sigah_last_error")
public func sigahLastError() -> UnsafePointer<CChar> { LastError.message }

nonisolated(unsafe) private let version: UnsafeMutablePointer<CChar> = strdup(ModelFile.toolVersion)!

@_cdecl("sigah_version")
public func sigahVersion() -> UnsafePointer<CChar> { UnsafePointer(version) }

@_cdecl("sigah_model_format_version")
public func sigahModelFormatVersion() -> Int32 { Int32(ModelFile.formatVersion) }

@_cdecl("sigah_string_free")
public func sigahStringFree(_ string: UnsafeMutablePointer<CChar>?) { free(string) }
