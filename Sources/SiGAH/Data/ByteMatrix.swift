// Byte data (pixels, `.bvecs` components) kept as bytes, so that an encoder uploads a
// quarter of the bytes a Float copy would and widens them on the device, exactly, each byte
// through a 256-entry table of the Float it stands for (the byte itself, or MNIST's v/255).

import Backend

public struct ByteMatrix: Sendable, Equatable {
  public let rows: Int
  public let columns: Int
  /// `rows × columns` values, row-major.
  public var values: [UInt8]
  /// The Float each byte value stands for: `0…255` itself, or MNIST's `v/255`.
  public var table: [Float]

  /// Each byte its own value.
  public static let identity = (0..<256).map { Float($0) }

  public init(rows: Int, columns: Int, values: [UInt8], table: [Float] = ByteMatrix.identity) {
    precondition(values.count == rows * columns, "a \(rows)×\(columns) matrix needs \(rows * columns) values")
    precondition(table.count == 256, "a byte table has 256 values")
    (self.rows, self.columns, self.values, self.table) = (rows, columns, values, table)
  }

  public func slice(ofRows range: Range<Int>) -> ArraySlice<UInt8> {
    values[(range.lowerBound * columns)..<(range.upperBound * columns)]
  }

  /// The same values as Floats, each its table entry.
  public var floats: Matrix { Matrix(rows: rows, columns: columns, values: values.map { table[Int($0)] }) }
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

  /// Rows `range` as Floats in `target`: Floats uploaded as they are; bytes uploaded
  /// through `staging` and widened there.
  func upload(
    _ range: Range<Int>, into target: DeviceBuffer<Float>, staging: ByteStaging, capacity: Int, backend: any Backend
  ) throws {
    switch self {
    case .floats(let matrix):
      try backend.upload(matrix.slice(ofRows: range), to: target)
    case .bytes(let matrix):
      try staging.widen(matrix, rows: range, into: target, capacity: capacity, backend: backend)
    }
  }
}

/// An encoder's buffers for byte rows: a block of bytes (grown to a block's elements when
/// short) and the table they widen through (uploaded when it changes).
final class ByteStaging {
  private var bytes: DeviceBuffer<UInt8>?
  private var table: (values: [Float], buffer: DeviceBuffer<Float>)?

  func widen(
    _ matrix: ByteMatrix, rows range: Range<Int>, into target: DeviceBuffer<Float>, capacity: Int,
    backend: any Backend
  ) throws {
    let count = range.count * matrix.columns
    if (bytes?.count ?? 0) < count { bytes = try backend.makeBuffer(UInt8.self, count: max(capacity, count)) }
    if table?.values != matrix.table { table = (matrix.table, try backend.makeBuffer(matrix.table)) }
    try backend.upload(matrix.slice(ofRows: range), to: bytes!)
    try backend.widenBytes(bytes!, count: count, table: table!.buffer, into: target)
  }
}
