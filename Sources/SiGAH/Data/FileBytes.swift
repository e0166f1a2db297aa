// Reading a whole file once: memory-mapped when plain, inflated once when gzip.

import CZlib
import Foundation

enum FileBytes {
  /// The file's bytes; `.gz` files are inflated. Each file is read exactly once.
  static func read(_ path: String) throws -> Data {
    if path == "-" { return try readStandardInput() }
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
      throw DataError(file: path, position: "", "no such file")
    }
    // A FIFO or device would block or never end; data sets are files.
    guard attributes[.type] as? FileAttributeType == .typeRegular else {
      throw DataError(file: path, position: "", "is not a regular file")
    }
    guard access(path, R_OK) == 0 else {
      throw DataError(file: path, position: "", "cannot be read: \(String(cString: strerror(errno)))")
    }
    if path.hasSuffix(".gz") { return try inflate(path) }
    do {
      return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
      throw DataError(file: path, position: "", "cannot be read: \(String(cString: strerror(errno)))")
    }
  }

  /// Throws when standard input is a directory (`< folder`), which reads as nothing.
  static func refuseDirectoryOnStandardInput() throws {
    var status = stat()
    if fstat(STDIN_FILENO, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
      throw DataError(file: "standard input", position: "", "is a directory; expected the bytes of a file")
    }
  }

  /// Standard input to its end (codes, ids, a model or an index given as `-`), within the
  /// memory budget.
  private static func readStandardInput() throws -> Data {
    try refuseDirectoryOnStandardInput()
    var data = Data()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = chunk.withUnsafeMutableBytes { Foundation.read(STDIN_FILENO, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw DataError(
          file: "-", position: "byte \(data.count)", "cannot be read: \(String(cString: strerror(errno)))")
      }
      if count == 0 { return data }
      try MemoryBudget.require(
        data.count + count, for: "-", position: "byte \(data.count)", "standard input (larger than this machine holds)")
      data.append(contentsOf: chunk[0..<count])
    }
  }

  private static func inflate(_ path: String) throws -> Data {
    guard let file = gzopen(path, "rb") else {
      throw DataError(file: path, position: "", "cannot be opened as gzip")
    }
    defer { gzclose(file) }
    var data = Data()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
      if count < 0 {
        throw DataError(file: path, position: "byte \(data.count) of the inflated stream", "is not valid gzip data")
      }
      if count == 0 { break }
      try MemoryBudget.require(
        data.count + Int(count), for: path, position: "byte \(data.count) of the inflated stream",
        "the inflated stream (a gzip bomb, or a file too large for this machine)")
      data.append(contentsOf: chunk[0..<Int(count)])
    }
    // gzread stops quietly where a stream is cut; zlib keeps the reason.
    var status: Int32 = Z_OK
    _ = gzerror(file, &status)
    guard status == Z_OK else {
      throw DataError(
        file: path, position: "byte \(data.count) of the inflated stream",
        "the gzip data end in the middle of a stream (truncated)")
    }
    return data
  }

  /// Little-endian Int32 at `offset`.
  static func int32(_ data: Data, _ offset: Int) -> Int32 {
    data.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: Int32.self)) }
  }

  /// Big-endian UInt32 at `offset` (IDX headers).
  static func bigEndianUInt32(_ data: Data, _ offset: Int) -> UInt32 {
    data.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
  }
}
