// Readers and writers: round trips, and every malformed file rejected with an error that
// names the file, the place and what was expected.

import Backend
import Foundation
import Testing

@testable import SiGAH

@Suite struct ReaderTests {
  let folder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sigah-readers-\(UUID())")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }()

  func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

  func write(_ bytes: [UInt8], _ name: String) throws -> String {
    try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
    return path(name)
  }

  /// `file` compressed by gzip beside it, as `file.gz`.
  func gzip(_ file: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-kf", file]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return file + ".gz"
  }

  func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
  func float(_ value: Float) -> [UInt8] { withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }

  /// The reader's error, which must name the file and contain each fragment.
  func expectError(_ file: String, _ fragments: [String], _ read: () throws -> Void) {
    do {
      try read()
      Issue.record("\(file) was accepted")
    } catch let error as DataError {
      #expect(error.file == file)
      for fragment in fragments { #expect(error.description.contains(fragment), "\(error)") }
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func texmexRoundTripsAndRejectsMalformedFiles() throws {
    let matrix = Matrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6])
    try TexmexFormat.writeVectors(matrix, to: path("a.fvecs"))
    #expect(try TexmexFormat.readVectors(path("a.fvecs")) == matrix)
    try TexmexFormat.writeIntegers([1, 2, 3, 4], dimension: 2, to: path("a.ivecs"))
    #expect(try TexmexFormat.readIntegers(path("a.ivecs")).values == [1, 2, 3, 4])
    let bvecs = try write(int32(2) + [7, 9] + int32(2) + [0, 255], "b.bvecs")
    #expect(try TexmexFormat.readVectors(bvecs).values == [7, 9, 0, 255])
    #expect(try TexmexFormat.readBytes(bvecs) == ByteMatrix(rows: 2, columns: 2, values: [7, 9, 0, 255]))
    // The byte reader checks records as the Float reader does.
    let changingBytes = try write(int32(2) + [7, 9] + int32(1) + [0, 255], "c.bvecs")
    expectError(changingBytes, ["record 1", "expected dimension 2"]) { _ = try TexmexFormat.readBytes(changingBytes) }
    let truncatedBytes = try write(int32(2) + [7, 9] + int32(2) + [0], "t.bvecs")
    expectError(truncatedBytes, ["truncated"]) { _ = try TexmexFormat.readBytes(truncatedBytes) }

    let empty = try write([], "empty.fvecs")
    expectError(empty, ["empty"]) { _ = try TexmexFormat.readVectors(empty) }
    let truncated = try write(int32(2) + float(1) + float(2) + int32(2) + float(3), "t.fvecs")
    expectError(truncated, ["record 1", "truncated"]) { _ = try TexmexFormat.readVectors(truncated) }
    let changing = try write(int32(2) + float(1) + float(2) + int32(1) + float(3) + float(4), "c.fvecs")
    expectError(changing, ["record 1", "expected dimension 2"]) { _ = try TexmexFormat.readVectors(changing) }
    let nan = try write(int32(2) + float(1) + float(.nan), "n.fvecs")
    expectError(nan, ["record 0, component 1", "finite"]) { _ = try TexmexFormat.readVectors(nan) }
    let infinite = try write(int32(1) + float(1) + int32(1) + float(-.infinity), "i.fvecs")
    expectError(infinite, ["record 1, component 0", "finite"]) { _ = try TexmexFormat.readVectors(infinite) }
    let negative = try write(int32(-3) + float(1), "d.fvecs")
    expectError(negative, ["record 0", "positive dimension"]) { _ = try TexmexFormat.readVectors(negative) }
  }

  @Test func idxReadsImagesAndLabelsAndRejectsMalformedFiles() throws {
    func header(_ magic: UInt32, _ sizes: [UInt32]) -> [UInt8] {
      ([magic] + sizes).flatMap { withUnsafeBytes(of: $0.bigEndian) { Array($0) } }
    }
    let images = try write(header(0x803, [2, 1, 2]) + [0, 255, 51, 102], "x-images-idx3-ubyte")
    _ = try write(header(0x801, [2]) + [3, 7], "x-labels-idx1-ubyte")
    let dataset = try Dataset.load(images)
    #expect(dataset.vectors == Matrix(rows: 2, columns: 2, values: [0, 1, 0.2, 0.4]))
    #expect(dataset.labels == [3, 7])
    // As bytes, the same Floats through the pixel table; the same checks.
    let bytes = try #require(try Dataset.loadBytes(images))
    #expect(bytes.values == [0, 255, 51, 102] && bytes.floats == dataset.vectors)

    let wrongMagic = try write(header(0x801, [2, 1, 2]) + [0, 0, 0, 0], "w-idx3-ubyte")
    expectError(wrongMagic, ["byte 0", "expected IDX magic 0x00000803"]) { _ = try IDXFormat.readImages(wrongMagic) }
    let short = try write(header(0x803, [2, 1, 2]) + [0, 0, 0], "s-idx3-ubyte")
    expectError(short, ["expected 4 data bytes", "found 3"]) { _ = try IDXFormat.readImages(short) }
    expectError(short, ["expected 4 data bytes", "found 3"]) { _ = try IDXFormat.readImageBytes(short) }
    let tiny = try write([0, 0], "tiny-idx3-ubyte")
    expectError(tiny, ["byte 0", "IDX header"]) { _ = try IDXFormat.readImages(tiny) }
    let mismatch = try write(header(0x803, [2, 1, 2]) + [0, 0, 0, 0], "m-images-idx3-ubyte")
    _ = try write(header(0x801, [3]) + [1, 2, 3], "m-labels-idx1-ubyte")
    expectError(path("m-labels-idx1-ubyte"), ["expected 2 labels"]) { _ = try Dataset.load(mismatch) }
  }

  @Test func gzipFilesAreInflatedOnceAndBrokenOnesRejected() throws {
    // The bundled MNIST file is gzip: 10,000 images of 784 pixels.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let images = try IDXFormat.readImages(root.appendingPathComponent("data/mnist/t10k-images-idx3-ubyte.gz").path)
    #expect(images.rows == 10_000 && images.columns == 784)
    let bytes = try IDXFormat.readImageBytes(root.appendingPathComponent("data/mnist/t10k-images-idx3-ubyte.gz").path)
    #expect(bytes.floats == images)
    // A gzipped .bvecs or .ivecs file is read as its kind, not as Floats: 5 records of
    // dimension 4 (8 bytes each) would also split into 2 well-formed .fvecs records.
    let records = (0..<5).flatMap { row in int32(4) + (0..<4).map { UInt8(row * 4 + $0) } }
    let plain = try write(records, "g.bvecs")
    let zipped = try gzip(plain)
    #expect(try TexmexFormat.readVectors(zipped) == (try TexmexFormat.readVectors(plain)))
    #expect(try Dataset.load(zipped).vectors.rows == 5)
    #expect(try Dataset.loadBytes(zipped) == (try TexmexFormat.readBytes(plain)))
    try TexmexFormat.writeIntegers([1, 2, 3, 4, 5, 6], dimension: 3, to: path("g.ivecs"))
    #expect(try TexmexFormat.readVectors(try gzip(path("g.ivecs"))).values == [1, 2, 3, 4, 5, 6])
    let broken = try write([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3], "broken-idx3-ubyte.gz")
    #expect(throws: DataError.self) { try IDXFormat.readImages(broken) }
  }

  @Test func npyRoundTripsEveryTypeAndRejectsMalformedFiles() throws {
    let matrix = Matrix(rows: 2, columns: 3, values: [1, -2, 3.5, 4, 5, 6])
    try NPYFormat.write(matrix, to: path("a.npy"))
    #expect(try NPYFormat.readMatrix(path("a.npy")) == matrix)
    try NPYFormat.write(integers: [1, -2, 3, 4], rows: 2, columns: 2, to: path("i.npy"))
    #expect(try NPYFormat.readMatrix(path("i.npy")).values == [1, -2, 3, 4])
    let codes = PackedCodes(count: 2, bits: 70, words: [0xDEAD_BEEF_0123_4567, 0x3F, 1, 0x20])
    try NPYFormat.write(codes: codes, words: false, to: path("c8.npy"))
    try NPYFormat.write(codes: codes, words: true, to: path("c64.npy"))
    #expect(try NPYFormat.readCodes(path("c8.npy"), bits: 70) == codes)
    #expect(try NPYFormat.readCodes(path("c64.npy"), bits: 70) == codes)
    // float64 and uint8 as NumPy writes them.
    var f8 = Array(NPYFormat.encodeHeader(.float64, rows: 1, columns: 2))
    for value in [1.5, -2.25] { f8 += withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    #expect(try NPYFormat.readMatrix(try write(f8, "f8.npy")).values == [1.5, -2.25])

    let notNpy = try write(Array("hello, world".utf8), "x.npy")
    expectError(notNpy, ["byte 0", "magic"]) { _ = try NPYFormat.readMatrix(notNpy) }
    let threeD = Array(NPYFormat.encodeHeader(.float32, rows: 1, columns: 1)).map { $0 }
    var text = String(decoding: threeD[10...], as: UTF8.self).replacingOccurrences(of: "(1, 1)", with: "(1, 1, 1)")
    text = String(text.dropLast(3)) + "\n"
    let threeDFile = try write(
      Array(threeD[0..<8]) + [UInt8(text.utf8.count), 0] + Array(text.utf8) + float(1), "3d.npy")
    expectError(threeDFile, ["header", "2-D"]) { _ = try NPYFormat.readMatrix(threeDFile) }
    let truncated = Array(NPYFormat.encodeHeader(.float32, rows: 2, columns: 2)) + float(1)
    let truncatedFile = try write(truncated, "t.npy")
    expectError(truncatedFile, ["expected 16 data bytes", "found 4"]) { _ = try NPYFormat.readMatrix(truncatedFile) }
    let withNaN = Array(NPYFormat.encodeHeader(.float32, rows: 1, columns: 2)) + float(1) + float(.nan)
    let nanFile = try write(withNaN, "nan.npy")
    expectError(nanFile, ["row 0, column 1", "finite"]) { _ = try NPYFormat.readMatrix(nanFile) }
    let unsupported = String(
      decoding: NPYFormat.encodeHeader(.float32, rows: 1, columns: 1).dropFirst(10), as: UTF8.self
    )
    .replacingOccurrences(of: "<f4", with: "<c8")
    let complexFile = try write(
      Array(NPYFormat.encodeHeader(.float32, rows: 1, columns: 1).prefix(10)) + Array(unsupported.utf8) + float(1)
        + float(1), "c.npy")
    expectError(complexFile, ["header", "'<c8'"]) { _ = try NPYFormat.readMatrix(complexFile) }
  }

  @Test func csvReadsLabelsAndRejectsMalformedLines() throws {
    let good = try write(Array("# comment\n1, 2, 0\n3,4,1\n\n".utf8), "a.csv")
    let (vectors, labels) = try CSVFormat.read(good, labelColumn: -1)
    #expect(vectors == Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
    #expect(labels == [0, 1])
    let ragged = try write(Array("1,2\n3\n".utf8), "r.csv")
    expectError(ragged, ["line 2", "expected 2 numbers"]) { _ = try CSVFormat.read(ragged) }
    let text = try write(Array("1,2\n3,abc\n".utf8), "t.csv")
    expectError(text, ["line 2, column 2", "'abc'"]) { _ = try CSVFormat.read(text) }
    let nan = try write(Array("1,nan\n".utf8), "n.csv")
    expectError(nan, ["line 1, column 2", "finite"]) { _ = try CSVFormat.read(nan) }
    let empty = try write(Array("# only a comment\n".utf8), "e.csv")
    expectError(empty, ["no vectors"]) { _ = try CSVFormat.read(empty) }
    let badLabel = try write(Array("1,2,x\n".utf8), "l.csv")
    expectError(badLabel, ["line 1, column 3", "integer label"]) { _ = try CSVFormat.read(badLabel, labelColumn: 2) }
  }

  @Test func unknownFormatAndMissingFile() {
    expectError("/nonexistent/x.fvecs", ["no such file"]) { _ = try Dataset.load("/nonexistent/x.fvecs") }
    expectError(path("x.txt"), ["unknown format", ".fvecs"]) { _ = try Dataset.load(path("x.txt")) }
  }

  @Test func atomicWritesLeaveNoPartialFile() throws {
    // A folder that cannot be written: the write fails and nothing is left behind.
    let target = "/proc/sigah-cannot-write/model.safetensors"
    #expect(throws: DataError.self) { try AtomicFile.write(Data([1, 2, 3]), to: target) }
    #expect(!FileManager.default.fileExists(atPath: target))
    let file = path("ok.bin")
    try AtomicFile.write(Data([1, 2, 3]), to: file)
    #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data([1, 2, 3]))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("partial") }
    #expect(leftovers.isEmpty)
  }
}

/// Reading a share of the rows (what an MPI rank reads) gives those rows of the whole
/// read, for TEXMEX and .npy in either memory order; a bad record in the share is named.
struct ShareReaderTests {
  @Test func sharesConcatenateToTheWholeFile() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shares-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    var generator = SeededGenerator(seed: 12)
    let whole = Matrix(rows: 17, columns: 5, values: generator.gaussians(count: 85))
    let fvecs = folder.appendingPathComponent("x.fvecs").path
    let npy = folder.appendingPathComponent("x.npy").path
    try TexmexFormat.writeVectors(whole, to: fvecs)
    try NPYFormat.write(whole, to: npy)
    for path in [fvecs, npy] {
      var rows: [Float] = []
      for rank in 0..<3 {
        let (share, part, total) = try Dataset.loadShare(path) { count in
          let base = count / 3
          let extra = count % 3
          let start = rank * base + min(rank, extra)
          return start..<(start + base + (rank < extra ? 1 : 0))
        }
        #expect(total == 17 && share.rows == part.count)
        rows += share.values
      }
      #expect(rows == whole.values, "\(path)")
    }
    // A record of another dimension inside the share is an error naming it.
    var bytes = try Data(contentsOf: URL(fileURLWithPath: fvecs))
    bytes.replaceSubrange((3 * 24)..<(3 * 24 + 4), with: [6, 0, 0, 0])
    try bytes.write(to: URL(fileURLWithPath: fvecs))
    #expect(throws: DataError.self) { try Dataset.loadShare(fvecs) { _ in 2..<5 } }
    #expect(try Dataset.loadShare(fvecs) { _ in 5..<9 }.vectors.rows == 4, "a share without it reads")
  }
}
