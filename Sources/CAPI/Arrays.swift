// Caller-owned arrays read at the boundary: vectors of any of sigah_dtype's element
// types become a Matrix once (checked finite, as the file readers check them), and codes
// in Faiss's byte layout become PackedCodes once.

import Foundation
import SiGAH

/// `sigah_dtype`.
enum ElementType: Int32 {
  case float32 = 0
  case float64 = 1
  case uint8 = 2
  case int32 = 3

  var size: Int {
    switch self {
    case .float32, .int32: return 4
    case .float64: return 8
    case .uint8: return 1
    }
  }
}

/// `rows × columns` as a checked Int: both at least 1 (or rows 0 when `allowEmpty`), the
/// product and its bytes within the address space.
func checkedShape(_ rows: Int64, _ columns: Int64, elementSize: Int, name: String, allowEmpty: Bool = false) throws
  -> (rows: Int, columns: Int)
{
  guard rows >= (allowEmpty ? 0 : 1), columns >= 1 else {
    throw ArgumentError("\(name): expected at least \(allowEmpty ? 0 : 1) rows and 1 column, got \(rows) × \(columns)")
  }
  let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
  let (bytes, overflowBytes) = count.multipliedReportingOverflow(by: Int64(elementSize))
  guard !overflow, !overflowBytes, bytes <= Int64(Int.max / 2) else {
    throw ArgumentError("\(name): \(rows) × \(columns) elements do not fit in memory")
  }
  return (Int(rows), Int(columns))
}

/// The caller's vectors as a Matrix of Float, converted as the file readers convert them.
func matrix(_ pointer: UnsafeRawPointer?, _ dtype: Int32, rows: Int64, columns: Int64, name: String) throws -> Matrix {
  guard let type = ElementType(rawValue: dtype) else {
    throw ArgumentError("\(name): unknown dtype \(dtype) (expected 0 float32, 1 float64, 2 uint8 or 3 int32)")
  }
  let (n, d) = try checkedShape(rows, columns, elementSize: type.size, name: name)
  guard let pointer else { throw ArgumentError("\(name) is NULL") }
  let count = n * d
  var values = [Float](repeating: 0, count: count)
  switch type {
  case .float32:
    let source = pointer.bindMemory(to: Float.self, capacity: count)
    for i in 0..<count { values[i] = source[i] }
  case .float64:
    let source = pointer.bindMemory(to: Double.self, capacity: count)
    for i in 0..<count { values[i] = Float(source[i]) }
  case .uint8:
    let source = pointer.bindMemory(to: UInt8.self, capacity: count)
    for i in 0..<count { values[i] = Float(source[i]) }
  case .int32:
    let source = pointer.bindMemory(to: Int32.self, capacity: count)
    for i in 0..<count { values[i] = Float(source[i]) }
  }
  if let bad = values.firstIndex(where: { !$0.isFinite }) {
    throw ArgumentError(
      "\(name): row \(bad / d), column \(bad % d): expected a finite Float32 value, found \(values[bad])")
  }
  return Matrix(rows: n, columns: d, values: values)
}

/// The caller's vectors as they are when they are bytes (every byte a finite value), which
/// an encoder uploads as bytes; nil for the other element types.
func byteMatrix(_ pointer: UnsafeRawPointer?, _ dtype: Int32, rows: Int64, columns: Int64, name: String) throws
  -> ByteMatrix?
{
  guard dtype == ElementType.uint8.rawValue else { return nil }
  let (n, d) = try checkedShape(rows, columns, elementSize: 1, name: name)
  guard let pointer else { throw ArgumentError("\(name) is NULL") }
  return ByteMatrix(
    rows: n, columns: d,
    values: Array(UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: n * d)))
}

/// The caller's codes: `count` rows of ⌈bits/8⌉ bytes, the bits past the length zero.
func codes(_ pointer: UnsafePointer<UInt8>?, count: Int64, bits: Int32, name: String, allowEmpty: Bool = false)
  throws -> PackedCodes
{
  guard (1...4096).contains(bits) else { throw ArgumentError("bits must be between 1 and 4096, got \(bits)") }
  let bytesPerCode = (Int(bits) + 7) / 8
  let (n, _) = try checkedShape(count, Int64(bytesPerCode), elementSize: 1, name: name, allowEmpty: allowEmpty)
  guard let pointer else { throw ArgumentError("\(name) is NULL") }
  let packed = PackedCodes(
    count: n, bits: Int(bits), bytes: UnsafeRawBufferPointer(start: pointer, count: n * bytesPerCode))
  if let row = packed.firstCodeWithPaddingBits {
    throw ArgumentError("\(name): code \(row) has bits set past bit \(bits - 1), where its last byte must hold zeros")
  }
  return packed
}

/// A C progress callback as a Swift closure (none when the caller passed NULL).
public typealias ProgressFunction =
  @convention(c) (UnsafePointer<CChar>?, Int64, Int64, UnsafeMutableRawPointer?) -> Void

func reporter(_ function: ProgressFunction?, _ user: UnsafeMutableRawPointer?) -> (String, Int, Int) -> Void {
  guard let function else { return { _, _, _ in } }
  return { stage, done, total in stage.withCString { function($0, Int64(done), Int64(total), user) } }
}
