// safetensors files: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, and the raw little-endian data. String metadata
// sits under "__metadata__". Only F32 tensors are used by this library.

import Foundation

public struct SafeTensors: Equatable {
  public struct Tensor: Equatable {
    public var shape: [Int]
    public var values: [Float]

    /// Throws unless every value is finite: a model of NaN weights would encode silently.
    func requireFinite(file: String, name: String) throws {
      if let index = values.firstIndex(where: { !$0.isFinite }) {
        throw DataError(
          file: file, position: "tensor '\(name)', value \(index)", "expected finite values, found \(values[index])")
      }
    }

    public init(shape: [Int], values: [Float]) {
      self.shape = shape
      self.values = values
    }
  }

  public var metadata: [String: String]
  public var tensors: [String: Tensor]

  public init(metadata: [String: String] = [:], tensors: [String: Tensor] = [:]) {
    self.metadata = metadata
    self.tensors = tensors
  }

  // MARK: Writing

  public func encoded() throws -> Data {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var offset = 0
    let names = tensors.keys.sorted()
    for name in names {
      let tensor = tensors[name]!
      let bytes = tensor.values.count * 4
      header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
      offset += bytes
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    // Pad with spaces so the data starts 8-byte aligned, as the format recommends.
    while json.count % 8 != 0 { json.append(0x20) }
    var data = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    for name in names {
      tensors[name]!.values.withUnsafeBufferPointer { values in
        for value in values {
          withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
      }
    }
    return data
  }

  public func write(to path: String) throws {
    try AtomicFile.write(try encoded(), to: path)
  }

  // MARK: Reading

  public static func read(from path: String) throws -> SafeTensors {
    try decode(try FileBytes.read(path), file: path)
  }

  public static func decode(_ data: Data, file: String) throws -> SafeTensors {
    guard data.count >= 8 else {
      throw DataError(
        file: file, position: "byte 0", "expected an 8-byte safetensors header length, found \(data.count) bytes")
    }
    let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.1) << (8 * UInt64($1.0)) }
    guard headerLength <= UInt64(data.count - 8) else {
      throw DataError(
        file: file, position: "byte 0", "header length \(headerLength) runs past the end of the \(data.count)-byte file"
      )
    }
    let headerEnd = 8 + Int(headerLength)
    let parsed = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd))
    guard let header = parsed as? [String: Any] else {
      throw DataError(file: file, position: "byte 8", "expected a JSON object as the safetensors header")
    }
    var result = SafeTensors()
    if let metadata = header["__metadata__"] {
      guard let strings = metadata as? [String: String] else {
        throw DataError(file: file, position: "header", "expected __metadata__ to map strings to strings")
      }
      result.metadata = strings
    }
    let payload = data.count - headerEnd
    for (name, entry) in header where name != "__metadata__" {
      guard let fields = entry as? [String: Any], let dtype = fields["dtype"] as? String,
        let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
        offsets.count == 2
      else {
        throw DataError(file: file, position: "header entry '\(name)'", "expected dtype, shape and data_offsets")
      }
      guard dtype == "F32" else {
        throw DataError(file: file, position: "header entry '\(name)'", "expected dtype F32, found \(dtype)")
      }
      guard let bytes = CheckedSize.product(shape + [4]), offsets[0] >= 0, offsets[1] >= offsets[0],
        offsets[1] <= payload, offsets[1] - offsets[0] == bytes
      else {
        throw DataError(
          file: file, position: "header entry '\(name)'",
          "byte range \(offsets) does not hold a \(shape) F32 tensor inside the \(payload)-byte data section")
      }
      let count = bytes / 4
      var values = [Float](repeating: 0, count: count)
      let start = headerEnd + offsets[0]
      data.withUnsafeBytes { raw in
        for i in 0..<count {
          values[i] = Float(
            bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
        }
      }
      result.tensors[name] = Tensor(shape: shape, values: values)
    }
    return result
  }
}
