// A kept encoder: the same codes as a model's one-shot encoding for calls of any size, in
// any order, with the weights uploaded once.

import Backend
import Foundation
import Testing

@testable import SiGAH

struct ModelEncoderTests {
  static let (dimension, bits) = (24, 40)

  static func data(rows: Int, seed: UInt64) -> Matrix {
    var generator = SeededGenerator(seed: seed)
    return Matrix(rows: rows, columns: dimension, values: generator.gaussians(count: rows * dimension))
  }

  static func linear() -> HashModel {
    var generator = SeededGenerator(seed: 3)
    return .linear(
      LinearHash(
        mean: generator.gaussians(count: dimension), projection: generator.gaussians(count: bits * dimension),
        offset: generator.gaussians(count: bits), bits: bits), method: .itq)
  }

  static func deep() -> HashModel {
    var generator = SeededGenerator(seed: 4)
    let layers = [
      MLPHash.Layer(
        weight: generator.gaussians(count: 16 * dimension), bias: generator.gaussians(count: 16), inputs: dimension,
        outputs: 16, activation: .leakyReLU(slope: 0.2)),
      MLPHash.Layer(
        weight: generator.gaussians(count: bits * 16), bias: generator.gaussians(count: bits), inputs: 16,
        outputs: bits, activation: .identity),
    ]
    return .deep(MLPHash(mean: generator.gaussians(count: dimension), inputScale: 2, layers: layers), method: .hashgan)
  }

  /// An MLP hash with a skip (the form of SiGAH-DM's hash layer beside its ranking residual).
  static func skipped() -> HashModel {
    guard case .deep(var hash, _) = deep() else { fatalError() }
    var generator = SeededGenerator(seed: 5)
    hash.skip = generator.gaussians(count: bits * dimension)
    return .deep(hash, method: .hashgan)
  }

  /// An MLP hash's skip is written to its file and read back.
  @Test func aSkipSurvivesItsFile() throws {
    let path = temporaryPath("skip.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let model = Self.skipped()
    try model.write(to: path)
    #expect(try SafeTensors.read(from: path).metadata["format_version"] == "2")
    guard case .deep(let read, .hashgan) = try HashModel.read(from: path), case .deep(let hash, _) = model else {
      Issue.record("not the deep model written")
      return
    }
    #expect(read == hash && read.skip != nil)
  }

  /// Growing, shrinking and past the largest block, each call against a fresh encoding.
  @Test(arguments: ["linear", "deep", "skip"])
  func keptEncoderGivesTheOneShotCodes(kind: String) throws {
    let model = kind == "linear" ? Self.linear() : kind == "deep" ? Self.deep() : Self.skipped()
    let backend = try CPUBackend()
    let encoder = try ModelEncoder(model, backend: backend, largestBlock: 64)
    for (index, rows) in [1, 3, 200, 2, 64, 65, 0, 7].enumerated() {
      let data = Self.data(rows: rows, seed: UInt64(10 + index))
      let kept = try encoder.encode(data)
      let oneShot = try model.encode(data, backend: backend)
      #expect(kept.count == rows && kept.words == oneShot.words, "\(kind), \(rows) rows")
    }
  }

  @Test func aSecondCallUploadsOnlyItsRows() throws {
    let backend = try CPUBackend()
    for model in [Self.linear(), Self.deep()] {
      let encoder = try ModelEncoder(model, backend: backend)
      _ = try encoder.encode(Self.data(rows: 5, seed: 1))
      let before = backend.counts
      _ = try encoder.encode(Self.data(rows: 3, seed: 2))
      let spent = backend.counts - before
      #expect(spent.hostToDeviceBytes == 3 * Self.dimension * 4, "\(model.method): \(spent)")
      #expect(spent.deviceToHostBytes == 3 * codeWords(bits: Self.bits) * 8, "\(model.method): \(spent)")
    }
  }

  /// Byte rows cross as bytes and are widened on the backend: the codes of their Float
  /// values, for a quarter of the upload.
  @Test(arguments: ["linear", "deep"])
  func byteRowsGiveTheirFloatsCodes(kind: String) throws {
    let model = kind == "linear" ? Self.linear() : Self.deep()
    let backend = try CPUBackend()
    let encoder = try ModelEncoder(model, backend: backend, largestBlock: 64)
    var generator = SeededGenerator(seed: 31)
    // The first byte rows upload the table of the values they stand for, once.
    _ = try encoder.encode(
      bytes: ByteMatrix(rows: 1, columns: Self.dimension, values: .init(repeating: 0, count: Self.dimension)))
    for rows in [1, 100, 3] {
      let bytes = ByteMatrix(
        rows: rows, columns: Self.dimension,
        values: (0..<(rows * Self.dimension)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
      // The Float call first: a workspace grown to a new size uploads its row ids once.
      let fromFloats = try encoder.encode(bytes.floats)
      let before = backend.counts
      let fromBytes = try encoder.encode(bytes: bytes)
      let uploaded = (backend.counts - before).hostToDeviceBytes
      #expect(fromBytes.words == fromFloats.words, "\(kind), \(rows) rows")
      #expect(uploaded == rows * Self.dimension, "\(kind), \(rows) rows: \(uploaded) bytes uploaded")
    }
  }

  @Test func aWrongDimensionIsAnError() throws {
    let encoder = try ModelEncoder(Self.linear(), backend: try CPUBackend())
    #expect(throws: BackendError.self) {
      _ = try encoder.encode(Matrix(rows: 2, columns: Self.dimension + 1, values: [Float](repeating: 0, count: 50)))
    }
  }
}
