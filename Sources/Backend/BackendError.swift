// Typed errors for every backend: each reads as a sentence a user can act on.

public enum BackendError: Error, Equatable, CustomStringConvertible {
  /// A size or shape argument that cannot be right, e.g. a zero row count.
  case invalidArgument(operation: String, message: String)
  /// A buffer shorter than the shape the operation was given needs.
  case bufferTooSmall(operation: String, argument: String, needed: Int, actual: Int)
  /// A buffer made by another backend instance.
  case foreignBuffer(operation: String, argument: String)
  /// A requested backend that cannot be used here, and why.
  case unavailable(backend: String, reason: String)
  /// An OpenCL call that returned an error status.
  case openCL(call: String, status: Int32, name: String)
  /// An OpenCL program that failed to build; carries the compiler's log.
  case kernelBuildFailed(program: String, log: String)

  public var description: String {
    switch self {
    case .invalidArgument(let operation, let message):
      return "\(operation): \(message)"
    case .bufferTooSmall(let operation, let argument, let needed, let actual):
      return "\(operation): buffer '\(argument)' holds \(actual) elements but the shape "
        + "given needs at least \(needed)"
    case .foreignBuffer(let operation, let argument):
      return "\(operation): buffer '\(argument)' belongs to another backend; "
        + "make buffers with the backend that uses them"
    case .unavailable(let backend, let reason):
      return "the \(backend) backend is unavailable: \(reason)"
    case .openCL(let call, let status, let name):
      return "OpenCL call \(call) failed with \(name) (\(status))"
    case .kernelBuildFailed(let program, let log):
      return "OpenCL program '\(program)' failed to build:\n\(log)"
    }
  }
}
