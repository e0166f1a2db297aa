// MNIST's IDX files, plain or gzip: a big-endian header (magic 0x0000 08 NN, where
// 08 = unsigned byte and NN the number of dimensions), the sizes, then the bytes.

import Foundation

public enum IDXFormat {
  /// The Float a pixel byte stands for: scaled to [0, 1].
  public static let pixelValues = (0..<256).map { Float($0) / 255 }

  /// Images (`idx3-ubyte`) as one row each, pixels scaled to [0, 1].
  public static func readImages(_ path: String) throws -> Matrix {
    let (sizes, data, offset) = try header(path, dimensions: 3)
    let (rows, columns) = (sizes[0], sizes[1] * sizes[2])
    try MemoryBudget.require(rows * columns * 4, for: path, "its \(rows) × \(columns) pixels as Float32")
    var values = [Float](repeating: 0, count: rows * columns)
    data.withUnsafeBytes { raw in
      for i in 0..<(rows * columns) { values[i] = pixelValues[Int(raw[offset + i])] }
    }
    return Matrix(rows: rows, columns: columns, values: values)
  }

  /// The same images as their bytes, with `pixelValues` as the table they stand for: a
  /// quarter of the memory, and of the upload when they are encoded.
  public static func readImageBytes(_ path: String) throws -> ByteMatrix {
    let (sizes, data, offset) = try header(path, dimensions: 3)
    let (rows, columns) = (sizes[0], sizes[1] * sizes[2])
    try MemoryBudget.require(rows * columns, for: path, "its \(rows) × \(columns) pixels as bytes")
    let values = data.withUnsafeBytes { raw in Array(raw[offset..<(offset + rows * columns)]) }
    return ByteMatrix(rows: rows, columns: columns, values: values, table: pixelValues)
  }

  /// Labels (`idx1-ubyte`).
  public static func readLabels(_ path: String) throws -> [Int32] {
    let (sizes, data, offset) = try header(path, dimensions: 1)
    return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in (0..<sizes[0]).map { Int32(raw[offset + $0]) } }
  }

  private static func header(_ path: String, dimensions: Int) throws -> (sizes: [Int], data: Data, offset: Int) {
    let data = try FileBytes.read(path)
    guard data.count >= 4 + 4 * dimensions else {
      throw DataError(
        file: path, position: "byte 0",
        "expected an IDX header of \(4 + 4 * dimensions) bytes, found \(data.count) bytes")
    }
    let magic = FileBytes.bigEndianUInt32(data, 0)
    let expected = UInt32(0x0800) | UInt32(dimensions)
    guard magic == expected else {
      throw DataError(
        file: path, position: "byte 0",
        "expected IDX magic 0x\(String(expected, radix: 16, uppercase: true).leftPadded(8)) (\(dimensions)-dimensional unsigned bytes), found 0x\(String(magic, radix: 16, uppercase: true).leftPadded(8))"
      )
    }
    let sizes = (0..<dimensions).map { Int(FileBytes.bigEndianUInt32(data, 4 + 4 * $0)) }
    let offset = 4 + 4 * dimensions
    guard sizes[0] >= 1 else { throw DataError(file: path, position: "byte 4", "the file holds no items") }
    guard sizes.dropFirst().allSatisfy({ $0 >= 1 }) else {
      throw DataError(file: path, position: "byte 8", "expected items of at least one value, found sizes \(sizes)")
    }
    guard let needed = CheckedSize.product(sizes), data.count - offset == needed else {
      throw DataError(
        file: path, position: "byte \(offset)",
        "expected \(CheckedSize.product(sizes).map { "\($0)" } ?? "more than \(Int.max)") data bytes for sizes "
          + "\(sizes.map(String.init).joined(separator: " × ")), found \(data.count - offset) (truncated or padded)")
    }
    return (sizes, data, offset)
  }
}

extension String {
  func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
