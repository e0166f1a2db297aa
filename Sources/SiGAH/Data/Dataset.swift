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

  /// Loads `path`. MNIST image files pick up their labels file beside them
  /// (`…-images-idx3-ubyte` → `…-labels-idx1-ubyte`); CSV labels come from `labelColumn`.
  public static func load(_ path: String, labelColumn: Int? = nil) throws -> Dataset {
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
