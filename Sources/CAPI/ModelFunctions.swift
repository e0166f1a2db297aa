// sigah_train, sigah_model_*, sigah_encode: the command line's `train` and `encode` on
// caller-owned arrays.

import Foundation
import SiGAH

@_cdecl("sigah_train")
public func sigahTrain(
  _ backend: OpaquePointer?, _ method: UnsafePointer<CChar>?, _ vectors: UnsafeRawPointer?, _ dtype: Int32,
  _ rows: Int64, _ columns: Int64, _ options: UnsafePointer<CChar>?, _ progress: ProgressFunction?,
  _ user: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
  guarded("sigah_train") {
    let backend = try object(backend, BackendHandle.self, "backend").backend
    guard let method else { throw ArgumentError("method is NULL") }
    guard let out else { throw ArgumentError("out is NULL") }
    let job = try TrainingOptions.job(
      method: String(cString: method), options: options.map { String(cString: $0) } ?? "")
    let data = try matrix(vectors, dtype, rows: rows, columns: columns, name: "vectors")
    let report = reporter(progress, user)
    let model = try job.run(data: data, backend: backend) { event in
      switch event {
      case .batch(_, let done, let total): report("batch", done, total)
      case .epoch(let epoch): report("epoch", epoch.epoch, job.epochs)
      case .rankingNeighbours(let done, let total): report("ranking-neighbours", done, total)
      case .rankingStep(let step, let total): report("ranking", step, total)
      case .fitting(_, let done, let total): report("fitting", done, total)
      case .checkpoint, .rankingCheckpoint: break
      }
    }
    give(ModelHandle(model), to: out)
  }
}

@_cdecl("sigah_model_load")
public func sigahModelLoad(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
  guarded("sigah_model_load") {
    guard let path, let out else { throw ArgumentError("path and out must not be NULL") }
    give(ModelHandle(try HashModel.read(from: String(cString: path))), to: out)
  }
}

@_cdecl("sigah_model_save")
public func sigahModelSave(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
  guarded("sigah_model_save") {
    let model = try object(model, ModelHandle.self, "model").model
    guard let path else { throw ArgumentError("path is NULL") }
    try model.write(to: String(cString: path))
  }
}

@_cdecl("sigah_model_method")
public func sigahModelMethod(_ model: OpaquePointer?) -> UnsafePointer<CChar>? {
  (try? object(model, ModelHandle.self, "model")).map { UnsafePointer($0.method) }
}

@_cdecl("sigah_model_bits")
public func sigahModelBits(_ model: OpaquePointer?) -> Int32 {
  (try? object(model, ModelHandle.self, "model")).map { Int32($0.model.bits) } ?? -1
}

@_cdecl("sigah_model_dimension")
public func sigahModelDimension(_ model: OpaquePointer?) -> Int64 {
  (try? object(model, ModelHandle.self, "model")).map { Int64($0.model.inputDimension) } ?? -1
}

@_cdecl("sigah_model_free")
public func sigahModelFree(_ model: OpaquePointer?) { release(model) }

@_cdecl("sigah_encode")
public func sigahEncode(
  _ model: OpaquePointer?, _ backend: OpaquePointer?, _ vectors: UnsafeRawPointer?, _ dtype: Int32, _ rows: Int64,
  _ columns: Int64, _ codes: UnsafeMutablePointer<UInt8>?, _ progress: ProgressFunction?,
  _ user: UnsafeMutableRawPointer?
) -> Int32 {
  guarded("sigah_encode") {
    let handle = try object(model, ModelHandle.self, "model")
    let model = handle.model
    let backend = try object(backend, BackendHandle.self, "backend").backend
    guard columns == model.inputDimension else {
      throw ArgumentError("vectors have dimension \(columns), but the model expects \(model.inputDimension)")
    }
    // Bytes stay bytes up to the device: a quarter of the upload.
    let bytes = try byteMatrix(vectors, dtype, rows: rows, columns: columns, name: "vectors")
    let data =
      try bytes.map { EncoderRows.bytes($0) }
      ?? .floats(
        matrix(vectors, dtype, rows: rows, columns: columns, name: "vectors"))
    guard let codes else { throw ArgumentError("codes is NULL") }
    let report = reporter(progress, user)
    let encoded = try handle.encode(data, backend: backend) { report("encoding", $0, Int(rows)) }
    encoded.copyBytes(into: UnsafeMutableRawBufferPointer(start: codes, count: Int(rows) * ((model.bits + 7) / 8)))
  }
}
