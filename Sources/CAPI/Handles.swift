// The objects behind the C API's opaque pointers. A handle is a retained Swift object
// passed to C as an unmanaged pointer; its *_free function releases it.

import Backend
import Foundation
import SiGAH

final class BackendHandle {
  let backend: any Backend
  /// `sigah_backend_summary`'s string, owned by the handle.
  let summary: UnsafeMutablePointer<CChar>

  init(_ backend: any Backend) {
    self.backend = backend
    summary = strdup(backend.summary)!
  }

  deinit { free(summary) }
}

final class ModelHandle {
  let model: HashModel
  let method: UnsafeMutablePointer<CChar>
  /// The model held on the backend of the last `sigah_encode`, so that encoding a query
  /// at a time uploads the weights once. A call is handed the encoder alone (a
  /// concurrent call on the same model makes its own) and gives it back when done.
  private var encoder: ModelEncoder?
  private let encoderLock = NSLock()

  init(_ model: HashModel) {
    self.model = model
    method = strdup(model.method.rawValue)!
  }

  deinit { free(method) }

  func encode(_ data: EncoderRows, backend: any Backend, progress: (Int) -> Void) throws -> PackedCodes {
    let kept = encoderLock.withLock { () -> ModelEncoder? in
      defer { encoder = nil }
      return encoder?.backend === backend ? encoder : nil
    }
    let used = try kept ?? ModelEncoder(model, backend: backend)
    let codes = try used.encode(data, progress: progress)
    encoderLock.withLock { encoder = used }
    return codes
  }
}

final class IndexHandle {
  let index: MultiIndexHash
  init(_ index: MultiIndexHash) { self.index = index }
}

/// Radius matches in Faiss's layout: query q's are entries `limits[q] ..< limits[q + 1]`.
/// The arrays are allocated here, so their addresses stay valid for the handle's life.
final class MatchesHandle {
  let count: Int
  let limits: UnsafeMutablePointer<Int64>
  let ids: UnsafeMutablePointer<Int32>
  let distances: UnsafeMutablePointer<Int32>

  init(_ matches: [RadiusSearch.Match], queries: Int) {
    count = matches.count
    limits = .allocate(capacity: queries + 1)
    limits.initialize(repeating: 0, count: queries + 1)
    for match in matches { limits[Int(match.query) + 1] += 1 }
    for q in 0..<queries { limits[q + 1] += limits[q] }
    ids = .allocate(capacity: max(count, 1))
    distances = .allocate(capacity: max(count, 1))
    for (i, match) in matches.enumerated() { (ids[i], distances[i]) = (match.id, match.distance) }
  }

  deinit {
    limits.deallocate()
    ids.deallocate()
    distances.deallocate()
  }
}

/// The handle object behind `pointer`, or an argument error naming the parameter.
func object<T: AnyObject>(_ pointer: OpaquePointer?, _ type: T.Type, _ name: String) throws -> T {
  guard let pointer else { throw ArgumentError("\(name) is NULL") }
  return Unmanaged<T>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
}

/// Hands a new object to C through `out`.
func give(_ object: AnyObject, to out: UnsafeMutablePointer<OpaquePointer?>?) {
  out?.pointee = OpaquePointer(Unmanaged.passRetained(object).toOpaque())
}

func release(_ pointer: OpaquePointer?) {
  guard let pointer else { return }
  Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer)).release()
}
