// Byte data (pixels, `.bvecs` components) kept as bytes, so that an encoder uploads a
// quarter of the bytes a Float copy would and widens them on the device, exactly.

import Backend

public struct ByteMatrix: Sendable, Equatable {
  public let rows: Int
  public let columns: Int
  /// `rows × columns` values, row-major.
  public var values: [UInt8]

  public init(rows: Int, columns: Int, values: [UInt8]) {
    precondition(values.count == rows * columns, "a \(rows)×\(columns) matrix needs \(rows * columns) values")
    (self.rows, self.columns, self.values) = (rows, columns, values)
  }

  public func slice(ofRows range: Range<Int>) -> ArraySlice<UInt8> {
    values[(range.lowerBound * columns)..<(range.upperBound * columns)]
  }

  /// The same values as Floats, each exact.
  public var floats: Matrix { Matrix(rows: rows, columns: columns, values: values.map(Float.init)) }
}

/// The rows an encoder reads: Floats, or bytes widened on the device.
public enum EncoderRows: Sendable {
  case floats(Matrix)
  case bytes(ByteMatrix)

  public var rows: Int {
    switch self {
    case .floats(let matrix): return matrix.rows
    case .bytes(let matrix): return matrix.rows
    }
  }

  public var columns: Int {
    switch self {
    case .floats(let matrix): return matrix.columns
    case .bytes(let matrix): return matrix.columns
    }
  }

  func rowBlocks(_ size: Int) -> [Range<Int>] { Matrix(rows: rows, columns: 0, values: []).rowBlocks(size) }

  func requireDimension(_ dimension: Int) throws {
    try Matrix(rows: 0, columns: columns, values: []).requireDimension(dimension)
  }

  /// Rows `range` as Floats in `target`: Floats uploaded as they are; bytes uploaded into
  /// `bytes` (grown to `capacity` elements when short) and widened there.
  func upload(
    _ range: Range<Int>, into target: DeviceBuffer<Float>, bytes: inout DeviceBuffer<UInt8>?, capacity: Int,
    backend: any Backend
  ) throws {
    switch self {
    case .floats(let matrix):
      try backend.upload(matrix.slice(ofRows: range), to: target)
    case .bytes(let matrix):
      let count = range.count * matrix.columns
      if (bytes?.count ?? 0) < count { bytes = try backend.makeBuffer(UInt8.self, count: max(capacity, count)) }
      try backend.upload(matrix.slice(ofRows: range), to: bytes!)
      try backend.widenBytes(bytes!, count: count, into: target)
    }
  }
}
