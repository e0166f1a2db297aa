// Issue 13's reproductions, kept as regression tests: sizes that overflow, shapes written
// backwards, empty items, cut or non-finite checkpoint and model tensors all give a data
// error naming the file; CSV with CRLF line ends and a byte-order mark is read as written.

import Backend
import Foundation
import Testing

@testable import SiGAH

extension ReaderTests {
  func bigEndian(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

  /// A version-1 .npy file with `header` (padded as NumPy pads) and `payload`.
  func npy(_ header: String, payload: [UInt8] = [], _ name: String) throws -> String {
    var text = header
    while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
    text += "\n"
    let length = UInt16(text.utf8.count)
    return try write(
      [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8) + payload,
      name)
  }

  @Test func headerSizesThatOverflowAreErrors() throws {
    let idx = try write([0, 0, 8, 3] + bigEndian(.max) + bigEndian(.max) + bigEndian(.max), "huge-idx3-ubyte")
    expectError(idx, ["byte 16", "more than", "4294967295 × 4294967295 × 4294967295"]) {
      _ = try IDXFormat.readImages(idx)
    }
    let hugeShape = try npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", "h.npy")
    expectError(hugeShape, ["more than", "4611686018427387904 × 4"]) { _ = try NPYFormat.readMatrix(hugeShape) }
    let backwards = try npy("{'descr': '<f4', 'fortran_order': False, 'shape': )4, 128(, }", "b.npy")
    expectError(backwards, ["shape"]) { _ = try NPYFormat.readMatrix(backwards) }
    let words = try npy("{'descr': '<f4', 'fortran_order': False, 'shape': (two, 3), }", "w.npy")
    expectError(words, ["whole numbers", "two"]) { _ = try NPYFormat.readMatrix(words) }

    let header = #"{"W":{"dtype":"F32","shape":[4611686018427387904,4611686018427387904],"data_offsets":[0,16]}}"#
    let length = UInt64(header.utf8.count)
    let tensors = try write(
      withUnsafeBytes(of: length.littleEndian) { Array($0) } + Array(header.utf8) + Array(repeating: 0, count: 16),
      "huge.safetensors")
    expectError(tensors, ["'W'", "does not hold"]) { _ = try SafeTensors.read(from: tensors) }
  }

  @Test func imagesWithoutPixelsAreErrors() throws {
    let empty = try write([0, 0, 8, 3] + bigEndian(10) + bigEndian(0) + bigEndian(0), "empty-idx3-ubyte")
    expectError(empty, ["byte 8", "at least one value"]) { _ = try IDXFormat.readImages(empty) }
  }

  @Test func csvWithCRLFAndAByteOrderMarkIsReadAsWritten() throws {
    let file = try write([0xEF, 0xBB, 0xBF] + Array("1,2\r\n3,4\r\n\r\n5,6".utf8), "crlf.csv")
    let (vectors, _) = try CSVFormat.read(file)
    #expect(vectors == Matrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6]))
    // A header of names (as pandas writes) is skipped; a later line of words is an error.
    let header = try write(Array("x,y,label\n1,2,0\n3,4,1\n".utf8), "header.csv")
    let (withHeader, labels) = try CSVFormat.read(header, labelColumn: -1)
    #expect(withHeader == Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]) && labels == [0, 1])
    let words = try write(Array("1,2\nx,y\n".utf8), "words.csv")
    expectError(words, ["line 2", "expected a finite number"]) { _ = try CSVFormat.read(words) }
  }

  /// A checkpoint of a tiny model, then the same file with one thing broken.
  @Test func checkpointsAreCheckedAgainstTheirModel() throws {
    let data = Matrix(rows: 40, columns: 3, values: (0..<120).map { Float($0 % 7) / 7 })
    var configuration = SiGAHConfiguration()
    (configuration.bits, configuration.batchSize) = (4, 20)
    var options = TrainingOptions()
    (options.epochs, options.checkpointEvery, options.checkpointPath) = (1, 1, path("good.ckpt"))
    _ = try SiGAHTrainer(configuration: configuration, data: data, backend: try CPUBackend(), options: options).train()
    let good = try SafeTensors.read(from: path("good.ckpt"))
    #expect(try Checkpoint.read(from: path("good.ckpt")).epoch == 1)

    func broken(_ name: String, _ change: (inout SafeTensors) -> Void) throws -> String {
      var file = good
      change(&file)
      try file.write(to: path(name))
      return path(name)
    }
    let negative = try broken("negative.ckpt") { $0.metadata["checkpoint.epoch"] = "-3" }
    expectError(negative, ["checkpoint.epoch", "-3"]) { _ = try Checkpoint.read(from: negative) }
    let cut = try broken("cut.ckpt") {
      $0.tensors["adam.m.W"] = .init(shape: [10], values: Array(repeating: 0, count: 10))
    }
    expectError(cut, ["adam.m.W", "found 10"]) { _ = try Checkpoint.read(from: cut) }
    let nan = try broken("nan.ckpt") { $0.tensors["W"]!.values[0] = .nan }
    expectError(nan, ["tensor 'W'", "finite"]) { _ = try Checkpoint.read(from: nan) }
  }
}

extension ReaderTests {
  /// `gzip -c` of each file in turn, the last one cut to `keep` bytes.
  func concatenatedGzip(_ files: [String], keep: Int, _ name: String) throws -> String {
    var bytes = Data()
    for (index, file) in files.enumerated() {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = ["gzip", "-c", file]
      let pipe = Pipe()
      process.standardOutput = pipe
      try process.run()
      let member = pipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      bytes += index == files.count - 1 ? member.prefix(keep) : member
    }
    try bytes.write(to: URL(fileURLWithPath: path(name)))
    return path(name)
  }

  @Test func gzipCutAtAMemberIsAnErrorAndAFIFOIsRefused() throws {
    try TexmexFormat.writeVectors(Matrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6]), to: path("v.fvecs"))
    let whole = try concatenatedGzip([path("v.fvecs"), path("v.fvecs")], keep: .max, "whole.fvecs.gz")
    #expect(try TexmexFormat.readVectors(whole).rows == 6)
    let cut = try concatenatedGzip([path("v.fvecs"), path("v.fvecs")], keep: 10, "cut.fvecs.gz")
    expectError(cut, ["truncated"]) { _ = try TexmexFormat.readVectors(cut) }
    let fifo = path("fifo.fvecs.gz")
    #expect(mkfifo(fifo, 0o600) == 0)
    expectError(fifo, ["not a regular file"]) { _ = try TexmexFormat.readVectors(fifo) }
  }
}

extension ReaderTests {
  /// What np.save writes every day reads as the same matrix: float16, int8, int64 and
  /// uint16, big-endian, and Fortran order (the array [[1, 2, 3], [4, -5, 6]] each time;
  /// uint16 takes its absolute values).
  @Test func npyOfEveryCommonDtypeAndOrderIsRead() throws {
    let expected = Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, -5, 6])
    let values: [Double] = [1, 2, 3, 4, -5, 6]
    let fortran: [Double] = [1, 4, 2, -5, 3, 6]
    func bytes(_ numbers: [Double], _ encode: (Double) -> [UInt8]) -> [UInt8] { numbers.flatMap(encode) }
    let cases: [(String, String, [UInt8])] = [
      ("f2", "<f2", bytes(values) { withUnsafeBytes(of: Float16($0).bitPattern.littleEndian) { Array($0) } }),
      ("i1", "|i1", bytes(values) { [UInt8(bitPattern: Int8($0))] }),
      ("i8be", ">i8", bytes(values) { withUnsafeBytes(of: Int64($0).bigEndian) { Array($0) } }),
      ("f8be", ">f8", bytes(values) { withUnsafeBytes(of: $0.bitPattern.bigEndian) { Array($0) } }),
    ]
    for (name, descr, payload) in cases {
      let file = try npy(
        "{'descr': '\(descr)', 'fortran_order': False, 'shape': (2, 3), }", payload: payload, "\(name).npy")
      #expect(try NPYFormat.readMatrix(file) == expected, "\(descr)")
    }
    let column = try npy(
      "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
      payload: bytes(fortran) { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } }, "fortran.npy")
    #expect(try NPYFormat.readMatrix(column) == expected)
    let unsigned = try npy(
      "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3), }",
      payload: bytes(values) { withUnsafeBytes(of: UInt16(abs($0)).littleEndian) { Array($0) } }, "u2.npy")
    #expect(try NPYFormat.readMatrix(unsigned).values == [1, 2, 3, 4, 5, 6])
    let complex = try npy(
      "{'descr': '<c8', 'fortran_order': False, 'shape': (1, 1), }", payload: [0, 0, 0, 0, 0, 0, 0, 0], "c.npy")
    expectError(complex, ["dtype", "<c8"]) { _ = try NPYFormat.readMatrix(complex) }
  }
}

extension ReaderTests {
  /// Ids go to the kind of file their name says, and read back from either kind; another
  /// name is an error that writes nothing.
  @Test func tablesFollowTheirNames() throws {
    let ids: [Int32] = [3, 1, 4, 1, 5, 9]
    for name in ["ids.npy", "ids.ivecs"] {
      try Tables.write(integers: ids, columns: 3, to: path(name))
      let table = try Tables.readIntegers(path(name))
      #expect(table.rows == 2 && table.columns == 3 && table.values == ids, "\(name)")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path("ids.npy"))).prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
    expectError(path("ids.txt"), ["unknown kind of file", ".ivecs or .npy"]) {
      try Tables.write(integers: ids, columns: 3, to: path("ids.txt"))
    }
    #expect(!FileManager.default.fileExists(atPath: path("ids.txt")))
    let distances = Matrix(rows: 1, columns: 2, values: [0.5, 2])
    try Tables.write(distances, to: path("d.fvecs"))
    #expect(try TexmexFormat.readVectors(path("d.fvecs")) == distances)
  }
}
