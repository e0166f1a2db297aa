// The file of a multi-index hash (`sigah index`), little-endian:
//   "SIGAHMIH", format version (u32), bits (u32), substrings m (u32), codes n (u64),
//   the n packed codes (u64 words, METHOD.md §4), then per substring its 2^len + 1 bucket
//   offsets (u32) and its n ids (u32).
// Every size and every offset and id is checked on reading: a damaged file is an error
// naming the place, never a crash or a wrong answer.

import Backend
import Foundation

extension MultiIndexHash {
  static let magic = Array("SIGAHMIH".utf8)
  static let formatVersion: UInt32 = 1

  public func write(to path: String) throws {
    var data = Data()
    data.reserveCapacity(32 + memoryBytes)
    func append<T: FixedWidthInteger>(_ value: T) {
      withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
    // Arrays as they lie in memory: little-endian machines (x86-64, arm64), as every format here.
    func append<T: FixedWidthInteger>(_ values: [T]) { values.withUnsafeBytes { data.append(contentsOf: $0) } }
    data.append(contentsOf: Self.magic)
    append(Self.formatVersion)
    append(UInt32(codes.bits))
    append(UInt32(substrings.count))
    append(UInt64(codes.count))
    append(codes.words)
    for (offsets, ids) in zip(offsets, ids) {
      append(offsets)
      append(ids)
    }
    try AtomicFile.write(data, to: path)
  }

  public static func read(from path: String) throws -> MultiIndexHash {
    let data = try FileBytes.read(path)
    func fail(_ position: String, _ message: String) -> DataError { DataError(file: path, position: position, message) }
    guard data.count >= 28, Array(data.prefix(8)) == magic else {
      throw fail("header", "expected a sigah multi-index file (it starts with SIGAHMIH)")
    }
    func u32(_ offset: Int) -> UInt32 {
      data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    }
    let version = u32(8)
    guard version == formatVersion else {
      throw fail("header", "was written in multi-index format \(version); this sigah reads format \(formatVersion)")
    }
    let bits = Int(u32(12))
    let m = Int(u32(16))
    let count = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 20, as: UInt64.self) }
    guard (1...maximumCodeBits).contains(bits), (1...bits).contains(m), (bits + m - 1) / m <= maximumSubstringBits
    else {
      throw fail(
        "header",
        "expected 1 to \(maximumCodeBits) bits in 1 to \(maximumCodeBits) substrings of at most \(maximumSubstringBits) bits, found \(bits) bits in \(m)"
      )
    }
    guard count >= 1, count <= UInt64(UInt32.max) else {
      throw fail("header", "expected 1 to \(UInt32.max) codes, found \(count)")
    }
    let n = Int(count)
    let substrings = split(bits: bits, into: m)
    let words = codeWords(bits: bits)
    var expected = 28
    for size in [CheckedSize.product([n, words, 8])]
      + substrings.map({ CheckedSize.product([(1 << $0.length) + 1 + n, 4]) })
    {
      guard let size, case (let sum, false) = expected.addingReportingOverflow(size) else {
        throw fail("header", "sizes overflow")
      }
      expected = sum
    }
    guard data.count == expected else {
      throw fail(
        "size", "expected \(expected) bytes for \(n) codes of \(bits) bits in \(m) substrings, found \(data.count)")
    }
    func array<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, count: Int) -> [T] {
      [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        data.withUnsafeBytes { raw in
          UnsafeMutableRawBufferPointer(buffer).copyMemory(
            from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count * MemoryLayout<T>.size)]))
        }
        for i in 0..<count { buffer[i] = T(littleEndian: buffer[i]) }
        initialized = count
      }
    }
    var position = 28
    let codeWords = array(UInt64.self, at: position, count: n * words)
    position += n * words * 8
    var offsets: [[UInt32]] = []
    var ids: [[UInt32]] = []
    for (j, substring) in substrings.enumerated() {
      let buckets = 1 << substring.length
      let table = array(UInt32.self, at: position, count: buckets + 1)
      position += (buckets + 1) * 4
      let members = array(UInt32.self, at: position, count: n)
      position += n * 4
      guard table[0] == 0, table[buckets] == UInt32(n), zip(table, table.dropFirst()).allSatisfy({ $0 <= $1 }) else {
        throw fail("table \(j)", "expected bucket offsets rising from 0 to \(n)")
      }
      var filed = [Bool](repeating: false, count: n)
      for id in members {
        guard id < UInt32(n), !filed[Int(id)] else {
          throw fail("table \(j)", "expected each id below \(n) exactly once, found \(id) out of range or twice")
        }
        filed[Int(id)] = true
      }
      offsets.append(table)
      ids.append(members)
    }
    let codes = PackedCodes(count: n, bits: bits, words: codeWords)
    if let row = codes.firstCodeWithPaddingBits {
      throw fail(
        "code \(row)", "expected a \(bits)-bit code (bits \(bits) and up 0), found bits set past bit \(bits - 1)")
    }
    // A table that does not file each code under its own substring would answer wrongly;
    // the check reads each code once, as the table's ordered copy is made.
    let tableCodes = inParallel(m) { j in
      orderedCodes(codes, table: ids[j], offsets: offsets[j], substring: substrings[j], checked: true)
    }
    if let j = tableCodes.firstIndex(where: { $0 == nil }) {
      throw fail("table \(j)", "an id is filed under a bucket its code does not have")
    }
    return MultiIndexHash(
      codes: codes, substrings: substrings, offsets: offsets, ids: ids, tableCodes: tableCodes.map { $0! })
  }
}
