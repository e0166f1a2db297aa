// TEXMEX vector files (SIFT1M, GIST1M, Deep1M): each record is an int32 dimension `d`
// followed by `d` values: float32 (.fvecs), uint8 (.bvecs) or int32 (.ivecs).

import Foundation

public enum TexmexFormat: String, Sendable {
  case fvecs, bvecs, ivecs

  var valueSize: Int { self == .bvecs ? 1 : 4 }

  /// The kind a file's name says, a `.gz` ending aside (`.bvecs.gz` holds bytes, not
  /// Floats); `.fvecs` for any other name.
  init(named path: String) {
    let plain = path.hasSuffix(".gz") ? String(path.dropLast(3)) : path
    self = plain.hasSuffix(".bvecs") ? .bvecs : plain.hasSuffix(".ivecs") ? .ivecs : .fvecs
  }

  /// Splits a file into records, checking every dimension. Returns (rows, dimension).
  static func layout(_ data: Data, file: String, format: TexmexFormat) throws -> (rows: Int, dimension: Int) {
    guard data.count >= 4 else {
      throw DataError(
        file: file, position: "byte 0",
        data.isEmpty
          ? "the file is empty; expected at least one record" : "expected a 4-byte dimension, found \(data.count) bytes"
      )
    }
    let dimension = Int(FileBytes.int32(data, 0))
    guard dimension >= 1 else {
      throw DataError(file: file, position: "record 0", "expected a positive dimension, found \(dimension)")
    }
    let recordSize = 4 + dimension * format.valueSize
    guard data.count % recordSize == 0 else {
      throw DataError(
        file: file, position: "record \(data.count / recordSize)",
        "truncated: \(data.count % recordSize) bytes where a \(recordSize)-byte record of dimension \(dimension) was expected"
      )
    }
    let rows = data.count / recordSize
    for row in 1..<max(rows, 1) {
      let found = Int(FileBytes.int32(data, row * recordSize))
      guard found == dimension else {
        throw DataError(
          file: file, position: "record \(row)", "expected dimension \(dimension) as in record 0, found \(found)")
      }
    }
    return (rows, dimension)
  }

  /// Vectors of a .fvecs or .bvecs file as Float32; NaN and infinities are rejected.
  public static func readVectors(_ path: String) throws -> Matrix {
    try readVectors(path, share: { 0..<$0 }).vectors
  }

  /// The rows `share(rows)` of a .fvecs or .bvecs file, and its row count. A plain file is
  /// memory-mapped and only those records are checked and read (an MPI rank's part of a
  /// file larger than its memory); the first record's dimension fixes the layout.
  public static func readVectors(_ path: String, share: (Int) -> Range<Int>) throws -> (
    vectors: Matrix, rows: Range<Int>, total: Int
  ) {
    let format = TexmexFormat(named: path)
    var values: [Float] = []
    let (dimension, part, total) = try forEachRecord(path, format: format, share: share, as: ("Float32", 4)) {
      rows, dimension in
      values = [Float](repeating: 0, count: rows * dimension)
    } body: { raw, base, offset, dimension, row in
      for j in 0..<dimension {
        let value: Float
        switch format {
        case .fvecs:
          value = Float(
            bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * j, as: UInt32.self)))
        case .bvecs: value = Float(raw[base + j])
        case .ivecs:
          value = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * j, as: Int32.self)))
        }
        guard value.isFinite else {
          throw DataError(
            file: path, position: "record \(row), component \(j)", "expected a finite number, found \(value)")
        }
        values[offset + j] = value
      }
    }
    return (Matrix(rows: part.count, columns: dimension, values: values), part, total)
  }

  /// The vectors of a .bvecs file as they are stored, bytes (a quarter of the memory of
  /// their Floats, and of the upload when they are encoded), checked as `readVectors`
  /// checks them.
  public static func readBytes(_ path: String) throws -> ByteMatrix {
    var values: [UInt8] = []
    let (dimension, part, _) = try forEachRecord(
      path, format: .bvecs, share: { 0..<$0 }, as: ("bytes", 1),
      allocate: { rows, dimension in values = [UInt8](repeating: 0, count: rows * dimension) },
      body: { raw, base, offset, dimension, _ in
        for j in 0..<dimension { values[offset + j] = raw[base + j] }
      })
    return ByteMatrix(rows: part.count, columns: dimension, values: values)
  }

  /// Walks the records `share(rows)` of a file: the layout fixed by the first record,
  /// memory for them checked (`element`: what they become, its name and size in bytes) and
  /// `allocate`d, then for each record its dimension checked and `body` given the bytes, the
  /// offset of its values, its first element in the result, the dimension and the record's
  /// number.
  private static func forEachRecord(
    _ path: String, format: TexmexFormat, share: (Int) -> Range<Int>, as element: (name: String, size: Int),
    allocate: (_ rows: Int, _ dimension: Int) -> Void,
    body: (_ raw: UnsafeRawBufferPointer, _ base: Int, _ offset: Int, _ dimension: Int, _ row: Int) throws -> Void
  ) throws -> (dimension: Int, part: Range<Int>, total: Int) {
    let data = try FileBytes.read(path)
    let total: Int
    let dimension: Int
    // A layout check of every record touches the whole file; a share checks its own.
    let firstDimension = data.count >= 4 ? Int(FileBytes.int32(data, 0)) : 0
    if firstDimension >= 1, data.count % (4 + firstDimension * format.valueSize) == 0 {
      (total, dimension) = (data.count / (4 + firstDimension * format.valueSize), firstDimension)
    } else {
      (total, dimension) = try layout(data, file: path, format: format)
    }
    let part = share(total)
    precondition(part.lowerBound >= 0 && part.upperBound <= total)
    let recordSize = 4 + dimension * format.valueSize
    try MemoryBudget.require(
      part.count * dimension * element.size, for: path, "its \(part.count) × \(dimension) vectors as \(element.name)")
    allocate(part.count, dimension)
    try data.withUnsafeBytes { raw in
      for row in part {
        let found = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: row * recordSize, as: Int32.self)))
        guard found == dimension else {
          throw DataError(
            file: path, position: "record \(row)", "expected dimension \(dimension) as in record 0, found \(found)")
        }
        try body(raw, row * recordSize + 4, (row - part.lowerBound) * dimension, dimension, row)
      }
    }
    return (dimension, part, total)
  }

  /// The rows of an .ivecs file (ground-truth ids), each `dimension` long.
  public static func readIntegers(_ path: String) throws -> (rows: Int, dimension: Int, values: [Int32]) {
    let data = try FileBytes.read(path)
    let (rows, dimension) = try layout(data, file: path, format: .ivecs)
    var values = [Int32](repeating: 0, count: rows * dimension)
    for row in 0..<rows {
      for j in 0..<dimension {
        values[row * dimension + j] = FileBytes.int32(data, row * (4 + 4 * dimension) + 4 + 4 * j)
      }
    }
    return (rows, dimension, values)
  }

  /// Writes rows of `dimension` int32 values as .ivecs (atomically).
  public static func writeIntegers(_ values: [Int32], dimension: Int, to path: String) throws {
    precondition(dimension >= 1 && values.count % dimension == 0)
    var data = Data(capacity: values.count / dimension * (4 + 4 * dimension))
    for row in 0..<(values.count / dimension) {
      withUnsafeBytes(of: Int32(dimension).littleEndian) { data.append(contentsOf: $0) }
      for j in 0..<dimension {
        withUnsafeBytes(of: values[row * dimension + j].littleEndian) { data.append(contentsOf: $0) }
      }
    }
    try AtomicFile.write(data, to: path)
  }

  /// Writes a matrix as .fvecs (atomically).
  public static func writeVectors(_ matrix: Matrix, to path: String) throws {
    var data = Data(capacity: matrix.rows * (4 + 4 * matrix.columns))
    for row in 0..<matrix.rows {
      withUnsafeBytes(of: Int32(matrix.columns).littleEndian) { data.append(contentsOf: $0) }
      for value in matrix[row] { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    }
    try AtomicFile.write(data, to: path)
  }
}
