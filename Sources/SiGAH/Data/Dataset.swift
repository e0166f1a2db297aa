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
    let kind = format.hasPrefix("idx") ? "-images-idx3-ubyte\(format == "idx.gz" ? ".gz" : "")" : ".\(format)"
    let copy = try copyStandardInput(kind: kind)
    defer { TemporaryFiles.remove(copy.slot) }
    defer { unlink(copy.path) }
    let path = copy.path
    do {
      var dataset = try loadFile(path, labelColumn: labelColumn)
      dataset.name = "standard input"
      return dataset
    } catch let error as DataError where error.file == path {
      throw DataError(file: "standard input", position: error.position, error.message)
    }
  }

  /// Copies standard input into a new private file (0600, created exclusively under an
  /// unpredictable name in the temporary folder, listed for removal on signals) whose name
  /// ends in `kind`, for the file readers. A directory or unreadable input is an error.
  static func copyStandardInput(kind: String) throws -> (path: String, slot: Int?) {
    try FileBytes.refuseDirectoryOnStandardInput()
    let folder = FileManager.default.temporaryDirectory.path
    guard
      let (path, descriptor, slot) = TemporaryFiles.createExclusive(
        mode: 0o600, name: { "\(folder)/sigah-stdin-\(getpid())-\($0)\(kind)" })
    else {
      throw DataError(
        file: "standard input", position: "",
        "cannot be kept in \(folder) to be read: \(String(cString: strerror(errno)))")
    }
    var failure: String?
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    copying: while true {
      let count = read(STDIN_FILENO, buffer, 1 << 20)
      if count == 0 { break }
      if count < 0 {
        if errno == EINTR { continue }
        failure = "cannot be read: \(String(cString: strerror(errno)))"
        break
      }
      var offset = 0
      while offset < count {
        let written = write(descriptor, buffer + offset, count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = "cannot be kept in \(folder) to be read: \(String(cString: strerror(errno)))"
          break copying
        }
        offset += written
      }
    }
    close(descriptor)
    if let failure {
      unlink(path)
      TemporaryFiles.remove(slot)
      throw DataError(file: "standard input", position: "", failure)
    }
    return (path, slot)
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

  /// The vectors of a file whose values are bytes (.bvecs, MNIST's idx3-ubyte, plain or
  /// .gz) as bytes with the table of the Floats `load` would give; nil for other files and
  /// standard input.
  public static func loadBytes(_ path: String) throws -> ByteMatrix? {
    let plain = path.hasSuffix(".gz") ? String(path.dropLast(3)) : path
    if plain.hasSuffix(".bvecs") { return try TexmexFormat.readBytes(path) }
    if plain.contains("idx3-ubyte") { return try IDXFormat.readImageBytes(path) }
    return nil
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
