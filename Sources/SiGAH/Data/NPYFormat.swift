// NumPy .npy files, 2-D: what np.save writes every day is read (float16/32/64,
// int8/16/32/64, uint8/16/32/64, either byte order, C or Fortran order); what this tool
// writes is little-endian C order (float32 vectors, uint8 or uint64 codes, int32 ids).

import Foundation

public enum NPYFormat {
  /// A NumPy dtype string such as `<f4`, `>i8` or `|u1`: kind, size and byte order.
  public struct ElementType: Sendable, Equatable {
    public enum Kind: Character, Sendable { case float = "f", signed = "i", unsigned = "u" }
    public let kind: Kind
    public let size: Int
    public let bigEndian: Bool

    public static let float32 = ElementType(kind: .float, size: 4, bigEndian: false)
    public static let float64 = ElementType(kind: .float, size: 8, bigEndian: false)
    public static let int32 = ElementType(kind: .signed, size: 4, bigEndian: false)
    public static let uint8 = ElementType(kind: .unsigned, size: 1, bigEndian: false)
    public static let uint64 = ElementType(kind: .unsigned, size: 8, bigEndian: false)

    init(kind: Kind, size: Int, bigEndian: Bool) {
      (self.kind, self.size, self.bigEndian) = (kind, size, size > 1 && bigEndian)
    }

    /// Parses a descr; nil for what is not a number of a supported width.
    init?(descr: String) {
      let characters = Array(descr)
      guard characters.count >= 3, "<>|=".contains(characters[0]), let kind = Kind(rawValue: characters[1]),
        let size = Int(String(characters[2...])),
        kind == .float ? [2, 4, 8].contains(size) : [1, 2, 4, 8].contains(size)
      else { return nil }
      self.init(kind: kind, size: size, bigEndian: characters[0] == ">")
    }

    /// The descr this tool writes for it.
    public var rawValue: String { "\(size == 1 ? "|" : bigEndian ? ">" : "<")\(kind.rawValue)\(size)" }

    /// The value at byte `offset` as a Double (integers up to 2⁵³ exactly).
    func value(in raw: UnsafeRawBufferPointer, at offset: Int) -> Double {
      var bits: UInt64 = 0
      for byte in 0..<size {
        let shift = bigEndian ? 8 * (size - 1 - byte) : 8 * byte
        bits |= UInt64(raw[offset + byte]) << UInt64(shift)
      }
      switch (kind, size) {
      case (.float, 2): return Double(Float16(bitPattern: UInt16(bits)))
      case (.float, 4): return Double(Float(bitPattern: UInt32(bits)))
      case (.float, _): return Double(bitPattern: bits)
      case (.signed, _):
        let unused = UInt64(64 - 8 * size)
        return Double(Int64(bitPattern: bits << unused) >> Int64(unused))  // sign-extended
      case (.unsigned, _): return Double(bits)
      }
    }
  }

  /// A parsed header: element type, shape, order, and where the data starts.
  struct Header {
    var type: ElementType
    var rows: Int
    var columns: Int
    var dataOffset: Int
    /// Column-major (`np.save(X.T)`, `np.asfortranarray`): element (i, j) at j·rows + i.
    var fortranOrder = false
  }

  /// `vectorAsColumn` reads a 1-D array of n values (labels as NumPy saves them) as n × 1.
  static func header(_ data: Data, file: String, vectorAsColumn: Bool = false) throws -> Header {
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    guard data.count >= 10, Array(data.prefix(6)) == magic else {
      throw DataError(file: file, position: "byte 0", "expected the .npy magic \\x93NUMPY")
    }
    let major = data[data.startIndex + 6]
    let lengthSize = major == 1 ? 2 : 4
    guard major >= 1 && major <= 3, data.count >= 8 + lengthSize else {
      throw DataError(file: file, position: "byte 6", "expected .npy format version 1, 2 or 3, found \(major)")
    }
    let length = (0..<lengthSize).reduce(0) { $0 | Int(data[data.startIndex + 8 + $1]) << (8 * $1) }
    let start = 8 + lengthSize
    guard data.count >= start + length else {
      throw DataError(file: file, position: "byte \(start)", "the header runs past the end of the file")
    }
    let text = String(decoding: data[(data.startIndex + start)..<(data.startIndex + start + length)], as: UTF8.self)
    func field(_ key: String) -> String? {
      guard let range = text.range(of: "'\(key)':") else { return nil }
      return String(text[range.upperBound...]).trimmingCharacters(in: .whitespaces)
    }
    guard let descrField = field("descr"), let quote = descrField.dropFirst().firstIndex(of: "'") else {
      throw DataError(file: file, position: "header", "expected a 'descr' entry")
    }
    let descr = String(descrField[descrField.index(after: descrField.startIndex)..<quote])
    guard let type = ElementType(descr: descr) else {
      throw DataError(
        file: file, position: "header",
        "expected a dtype of float16/32/64, int8/16/32/64 or uint8/16/32/64 in either byte order, found '\(descr)'")
    }
    let fortranOrder = field("fortran_order")?.hasPrefix("True") ?? false
    guard let shapeField = field("shape"), let open = shapeField.firstIndex(of: "("),
      let close = shapeField[open...].firstIndex(of: ")")
    else {
      throw DataError(file: file, position: "header", "expected a 'shape' entry of the form (rows, columns)")
    }
    let entries = shapeField[shapeField.index(after: open)..<close].split(separator: ",")
      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    var sizes = entries.compactMap { Int($0) }
    guard sizes.count == entries.count else {
      throw DataError(
        file: file, position: "header",
        "expected whole numbers in the shape, found (\(entries.joined(separator: ", ")))")
    }
    if vectorAsColumn && sizes.count == 1 { sizes.append(1) }
    guard sizes.count == 2 else {
      throw DataError(
        file: file, position: "header",
        "expected a \(vectorAsColumn ? "1-D or " : "")2-D array, found shape (\(sizes.map(String.init).joined(separator: ", ")))"
      )
    }
    let offset = start + length
    guard let needed = CheckedSize.product([sizes[0], sizes[1], type.size]), data.count - offset == needed else {
      throw DataError(
        file: file, position: "byte \(offset)",
        "expected \(CheckedSize.product([sizes[0], sizes[1], type.size]).map { "\($0)" } ?? "more than \(Int.max)") "
          + "data bytes for shape \(sizes[0]) × \(sizes[1]) of \(type.rawValue), found \(data.count - offset)"
      )
    }
    guard sizes[0] >= 1, sizes[1] >= 1 else { throw DataError(file: file, position: "header", "the array is empty") }
    return Header(type: type, rows: sizes[0], columns: sizes[1], dataOffset: offset, fortranOrder: fortranOrder)
  }

  /// A 2-D array as Float32; NaN and infinities are rejected.
  /// A 2-D array as Float32, in rows whatever its order; NaN, infinities and values that
  /// do not fit a Float32 are rejected.
  public static func readMatrix(_ path: String) throws -> Matrix {
    try readMatrix(path, share: { 0..<$0 }).vectors
  }

  /// The rows `share(rows)` of a 2-D array, and its row count. A plain C-order file is
  /// memory-mapped and only those rows are read; a Fortran-order one is read whole.
  public static func readMatrix(_ path: String, share: (Int) -> Range<Int>) throws -> (
    vectors: Matrix, rows: Range<Int>, total: Int
  ) {
    let data = try FileBytes.read(path)
    let h = try header(data, file: path)
    let part = share(h.rows)
    precondition(part.lowerBound >= 0 && part.upperBound <= h.rows)
    try MemoryBudget.require(
      part.count * h.columns * 4, for: path, "its \(part.count) × \(h.columns) values as Float32")
    var values = [Float](repeating: 0, count: part.count * h.columns)
    try data.withUnsafeBytes { raw in
      for row in part {
        for column in 0..<h.columns {
          let stored = h.fortranOrder ? column * h.rows + row : row * h.columns + column
          let stored64 = h.type.value(in: raw, at: h.dataOffset + h.type.size * stored)
          let value = Float(stored64)
          guard value.isFinite else {
            // A finite Float64 past Float32's range is not "inf" in the file: say what it is.
            throw DataError(
              file: path, position: "row \(row), column \(column)",
              stored64.isFinite
                ? "expected a number within Float32's range (±3.4e38), found \(stored64)"
                : "expected a finite number, found \(stored64)")
          }
          values[(row - part.lowerBound) * h.columns + column] = value
        }
      }
    }
    return (Matrix(rows: part.count, columns: h.columns, values: values), part, h.rows)
  }

  /// A 2-D integer array (ids, ground truth) as Int32, whatever its integer dtype, byte
  /// order or memory order; values outside Int32 are rejected.
  public static func readIntegers(_ path: String, vectorAsColumn: Bool = false) throws -> (
    rows: Int, columns: Int, values: [Int32]
  ) {
    let data = try FileBytes.read(path)
    let h = try header(data, file: path, vectorAsColumn: vectorAsColumn)
    guard h.type.kind != .float else {
      throw DataError(file: path, position: "header", "expected an integer dtype for ids, found \(h.type.rawValue)")
    }
    var values = [Int32](repeating: 0, count: h.rows * h.columns)
    try data.withUnsafeBytes { raw in
      for stored in values.indices {
        let (row, column) =
          h.fortranOrder ? (stored % h.rows, stored / h.rows) : (stored / h.columns, stored % h.columns)
        let value = h.type.value(in: raw, at: h.dataOffset + h.type.size * stored)
        guard let id = Int32(exactly: value) else {
          throw DataError(
            file: path, position: "row \(row), column \(column)", "expected an id that fits 32 bits, found \(value)")
        }
        values[row * h.columns + column] = id
      }
    }
    return (h.rows, h.columns, values)
  }

  /// Packed codes: uint8 rows of ⌈r/8⌉ bytes, or uint64 rows of ⌈r/64⌉ words (the
  /// library's native form). `bits` defaults to every bit of a row.
  public static func readCodes(_ path: String, bits: Int?) throws -> PackedCodes {
    let data = try FileBytes.read(path)
    let h = try header(data, file: path)
    let capacity = h.type == .uint8 ? 8 * h.columns : 64 * h.columns
    guard h.type == .uint8 || h.type == .uint64, !h.fortranOrder else {
      throw DataError(
        file: path, position: "header",
        "expected packed codes as uint8 (|u1) or little-endian uint64 (<u8) in C order, found \(h.type.rawValue)"
          + (h.fortranOrder ? " in Fortran order" : "")
      )
    }
    let r = bits ?? capacity
    guard (1...4096).contains(r) else {
      throw DataError(file: path, position: "header", "expected codes of 1 to 4096 bits, asked for \(r)")
    }
    let expectedColumns = h.type == .uint8 ? (r + 7) / 8 : (r + 63) / 64
    guard expectedColumns == h.columns else {
      throw DataError(
        file: path, position: "header", "expected \(expectedColumns) columns for \(r)-bit codes, found \(h.columns)")
    }
    let payload = Array(data[(data.startIndex + h.dataOffset)...])
    let codes: PackedCodes
    if h.type == .uint8 {
      codes = PackedCodes(count: h.rows, bits: r, bytes: payload)
    } else {
      let words = payload.withUnsafeBytes { raw in
        (0..<(h.rows * h.columns)).map {
          UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))
        }
      }
      codes = PackedCodes(count: h.rows, bits: r, words: words)
    }
    if let row = codes.firstCodeWithPaddingBits {
      throw DataError(
        file: path, position: "row \(row)",
        "expected a \(r)-bit code (bits \(r) and up 0), found bits set past bit \(r - 1): "
          + "the codes are longer than \(r) bits (check --bits)")
    }
    return codes
  }

  /// Writes codes as uint8 rows of ⌈r/8⌉ bytes, or with `words` as uint64 rows.
  public static func write(codes: PackedCodes, words: Bool, to path: String) throws {
    try AtomicFile.write(encoded(codes: codes, words: words), to: path)
  }

  /// The .npy bytes of `codes`: uint8 rows of ⌈r/8⌉ bytes, or with `words` uint64 rows.
  public static func encoded(codes: PackedCodes, words: Bool) -> Data {
    guard words else {
      var data = encodeHeader(.uint8, rows: codes.count, columns: (codes.bits + 7) / 8)
      data.append(contentsOf: codes.bytes)
      return data
    }
    var data = encodeHeader(.uint64, rows: codes.count, columns: codes.wordsPerCode)
    for word in codes.words { withUnsafeBytes(of: word.littleEndian) { data.append(contentsOf: $0) } }
    return data
  }

  static func encodeHeader(_ type: ElementType, rows: Int, columns: Int) -> Data {
    var text = "{'descr': '\(type.rawValue)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
    // Pad so that magic + version + length + header is a multiple of 64, ending in \n.
    while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
    text += "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    withUnsafeBytes(of: UInt16(text.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(text.utf8))
    return data
  }

  public static func write(_ matrix: Matrix, to path: String) throws {
    var data = encodeHeader(.float32, rows: matrix.rows, columns: matrix.columns)
    for value in matrix.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    try AtomicFile.write(data, to: path)
  }

  public static func write(bytes: [UInt8], rows: Int, columns: Int, to path: String) throws {
    precondition(bytes.count == rows * columns)
    var data = encodeHeader(.uint8, rows: rows, columns: columns)
    data.append(contentsOf: bytes)
    try AtomicFile.write(data, to: path)
  }

  /// Writes int32 rows (search results) as `<i4`.
  public static func write(integers: [Int32], rows: Int, columns: Int, to path: String) throws {
    var data = encodeHeader(.int32, rows: rows, columns: columns)
    for value in integers { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
    try AtomicFile.write(data, to: path)
  }
}
