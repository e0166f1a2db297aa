// A data set: vectors, and labels where the format carries them. The format is taken
// from the file name.

import Foundation

public struct Dataset: Sendable {
  public var vectors: Matrix
  /// One label per vector, for the semantic task; nil when the data has none.
  public var labels: [Int32]?
  public var name: String

  public init(vectors: Matrix, labels: [Int32]?, name: String) {
    self.vectors = vectors
    self.labels = labels
    self.name = name
  }

  /// The formats `load` recognises, for messages.
  public static let formats = ".fvecs, .bvecs, .ivecs, .npy, .csv, MNIST idx3-ubyte (plain or .gz)"

  /// The kinds `-` (standard input) may be read as, for `--format`.
  public static let standardInputFormats = ["fvecs", "bvecs", "ivecs", "npy", "csv", "idx", "idx.gz"]

  /// Loads `path`, or standard input when it is `-` (its kind from `format`, one of
  /// `standardInputFormats`). MNIST image files pick up their labels file beside them
  /// (`…-images-idx3-ubyte` → `…-labels-idx1-ubyte`); CSV labels come from `labelColumn`.
  public static func load(_ path: String, labelColumn: Int? = nil, format: String? = nil) throws -> Dataset {
    if path == "-" { return try loadStandardInput(format: format, labelColumn: labelColumn) }
    return try loadFile(path, labelColumn: labelColumn)
  }

  /// Standard input, kept in a temporary file of the kind's name while it is read; errors
  /// name "standard input".
  static func loadStandardInput(format: String?, labelColumn: Int?) throws -> Dataset {
    guard let format, standardInputFormats.contains(format) else {
      throw DataError(
        file: "standard input", position: "",
        "reading - needs --format, one of \(standardInputFormats.joined(separator: ", "))"
          + (format.map { "; got '\($0)'" } ?? ""))
    }
    let name = format.hasPrefix("idx") ? "stdin-images-idx3-ubyte\(format == "idx.gz" ? ".gz" : "")" : "stdin.\(format)"
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sigah-stdin-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent(name).path
    guard FileManager.default.createFile(atPath: path, contents: FileHandle.standardInput.readDataToEndOfFile()) else {
      throw DataError(file: "standard input", position: "", "cannot be kept in \(folder.path) to be read")
    }
    do {
      var dataset = try loadFile(path, labelColumn: labelColumn)
      dataset.name = "standard input"
      return dataset
    } catch let error as DataError where error.file == path {
      throw DataError(file: "standard input", position: error.position, error.message)
    }
  }

  /// The rows `share(rows)` of a vector file and its row count: .fvecs, .bvecs and .npy
  /// are read only there (an MPI rank's part); other kinds are read whole and cut.
  public static func loadShare(_ path: String, share: (Int) -> Range<Int>) throws -> (
    vectors: Matrix, rows: Range<Int>, total: Int
  ) {
    if path.hasSuffix(".fvecs") || path.hasSuffix(".bvecs") { return try TexmexFormat.readVectors(path, share: share) }
    if path.hasSuffix(".npy") { return try NPYFormat.readMatrix(path, share: share) }
    let whole = try load(path).vectors
    let part = share(whole.rows)
    return (whole.rows(part), part, whole.rows)
  }

  static func loadFile(_ path: String, labelColumn: Int?) throws -> Dataset {
    let name = URL(fileURLWithPath: path).lastPathComponent
    let plain = path.hasSuffix(".gz") ? String(path.dropLast(3)) : path
    if plain.hasSuffix(".fvecs") || plain.hasSuffix(".bvecs") || plain.hasSuffix(".ivecs") {
      return Dataset(vectors: try TexmexFormat.readVectors(path), labels: nil, name: name)
    }
    if plain.hasSuffix(".npy") {
      return Dataset(vectors: try NPYFormat.readMatrix(path), labels: nil, name: name)
    }
    if plain.hasSuffix(".csv") {
      let (vectors, labels) = try CSVFormat.read(path, labelColumn: labelColumn)
      return Dataset(vectors: vectors, labels: labels, name: name)
    }
    if plain.contains("idx3-ubyte") {
      let images = try IDXFormat.readImages(path)
      let labelsPath = path.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
      var labels: [Int32]?
      if labelsPath != path, FileManager.default.fileExists(atPath: labelsPath) {
        labels = try IDXFormat.readLabels(labelsPath)
        guard labels!.count == images.rows else {
          throw DataError(
            file: labelsPath, position: "byte 4",
            "expected \(images.rows) labels to match \(name), found \(labels!.count)")
        }
      }
      return Dataset(vectors: images, labels: labels, name: name)
    }
    throw DataError(file: path, position: "", "unknown format; expected one of \(formats)")
  }
}
