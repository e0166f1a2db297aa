// Multi-index hashing answers exactly what the linear scan answers, ties by index
// included: k-nearest and radius queries on random codes with many ties, on codes that
// do not fill a word, on learned (ITQ) codes of MNIST; and its file survives a write and
// read, while damaged files are refused.

import Backend
import Foundation
import Testing

@testable import SiGAH

struct MultiIndexHashTests {
  static func randomCodes(_ count: Int, bits: Int, seed: UInt64, densityBits: Int = 64) -> PackedCodes {
    var generator = SeededGenerator(seed: seed)
    let words = codeWords(bits: bits)
    var values = [UInt64](repeating: 0, count: count * words)
    for i in 0..<count {
      for w in 0..<words {
        let used = min(64, bits - 64 * w)
        let mask: UInt64 = used == 64 ? .max : (1 << UInt64(used)) - 1
        // A few distinct words make many equal codes and equal distances.
        values[i * words + w] =
          (densityBits < 64 ? generator.next() % (1 << UInt64(densityBits)) : generator.next()) & mask
      }
    }
    return PackedCodes(count: count, bits: bits, words: values)
  }

  func linear(_ queries: PackedCodes, _ database: PackedCodes, k: Int) throws -> TopK {
    let backend = try CPUBackend()
    return try backend.hammingTopK(
      queries: try backend.makeBuffer(queries.words), queryCount: queries.count,
      database: try backend.makeBuffer(database.words), databaseCount: database.count, bits: database.bits, k: k)
  }

  // 8 tables of 3,000 codes: many buckets of one or two codes, so a k = 100 sink fills
  // over many buckets, the first of which holds fewer codes than it has room for.
  @Test(arguments: [(64, nil as Int?, 64), (64, 4, 8), (64, 8, 64), (37, 3, 64), (128, 6, 64), (20, 1, 64)])
  func equalsTheLinearScan(bits: Int, substrings: Int?, densityBits: Int) throws {
    let database = Self.randomCodes(3000, bits: bits, seed: 1, densityBits: densityBits)
    let queries = Self.randomCodes(40, bits: bits, seed: 2, densityBits: densityBits)
    let index = try MultiIndexHash(codes: database, substrings: substrings)
    for k in [1, 10, 100] {
      let expected = try linear(queries, database, k: k)
      let found = try index.search(queries, k: k)
      #expect(found.ids == expected.ids, "\(bits) bits, k = \(k)")
      #expect(found.distances == expected.distances)
    }
    for radius in [0, 3, bits / 4] {
      let expected = try RadiusSearch.within(radius, queries: queries, database: database, backend: try CPUBackend())
      #expect(try index.within(radius, queries: queries) == expected, "radius \(radius)")
    }
  }

  @Test func equalsTheLinearScanOnLearnedCodes() throws {
    let (split, _) = try MNISTAccuracyTests.setup.get()
    let backend = try CPUBackend()
    let itq = try LinearBaselines.itq(split.database, bits: 32, seed: 0, backend: backend)
    let database = try itq.encode(split.database, backend: backend)
    let queries = try itq.encode(split.queries, backend: backend)
    let index = try MultiIndexHash(codes: database)
    let expected = try linear(queries, database, k: 50)
    let found = try index.search(queries, k: 50)
    #expect(found.ids == expected.ids && found.distances == expected.distances)
  }

  @Test func fileRoundTripsAndDamageIsRefused() throws {
    let database = Self.randomCodes(500, bits: 48, seed: 3)
    let index = try MultiIndexHash(codes: database, substrings: 3)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID()).mih").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try index.write(to: path)
    let read = try MultiIndexHash.read(from: path)
    let queries = Self.randomCodes(10, bits: 48, seed: 4)
    #expect(try read.search(queries, k: 7).ids == index.search(queries, k: 7).ids)
    #expect(read.substrings == index.substrings)

    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let damaged: [(String, (inout Data) -> Void)] = [
      ("magic", { $0[0] = 0x41 }),
      (
        "bits",
        {
          $0[12] = 0xFF
          $0[13] = 0xFF
        }
      ),
      ("truncated", { $0.removeLast(3) }),
      ("an id out of range", { $0[$0.count - 1] = 0xFF }),
      (
        "two ids swapped across buckets",
        { data in
          // The last table's first two ids, exchanged: filed under buckets they are not in.
          let start = data.count - 500 * 4
          let first = data[start..<(start + 4)]
          let last = data[(data.count - 4)...]
          data.replaceSubrange(start..<(start + 4), with: last)
          data.replaceSubrange((data.count - 4)..., with: first)
        }
      ),
    ]
    for (name, damage) in damaged {
      var copy = bytes
      damage(&copy)
      try copy.write(to: URL(fileURLWithPath: path))
      #expect(throws: DataError.self, "\(name)") { try MultiIndexHash.read(from: path) }
    }
    bytes.removeAll()
  }

  @Test func substringsSplitTheBitsEvenly() {
    #expect(MultiIndexHash.split(bits: 37, into: 3).map(\.length) == [13, 12, 12])
  }
}
