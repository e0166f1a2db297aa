// Ids, distances and ground truth: tables of numbers a row a query, in the file kind their
// name says (.ivecs/.fvecs, as Faiss and the TEXMEX sets ship them, or .npy, as NumPy
// loads them); `-` is text on standard output. Any other name is an error rather than a
// file of the wrong kind under a misleading name.

import Foundation

public enum Tables {
  public enum Destination: Equatable {
    case texmex, numpy, standardOutput
  }

  /// Where `path` sends a table, or a DataError naming what was expected.
  public static func destination(_ path: String, texmex: String) throws -> Destination {
    if path == "-" { return .standardOutput }
    if path.hasSuffix(".npy") { return .numpy }
    if path.hasSuffix(texmex) { return .texmex }
    throw DataError(file: path, position: "", "unknown kind of file; expected a name ending in \(texmex) or .npy, or -")
  }

  /// Writes a table of ids (`columns` a row).
  public static func write(integers values: [Int32], columns: Int, to path: String) throws {
    switch try destination(path, texmex: ".ivecs") {
    case .numpy: try NPYFormat.write(integers: values, rows: values.count / columns, columns: columns, to: path)
    case .texmex: try TexmexFormat.writeIntegers(values, dimension: columns, to: path)
    case .standardOutput:
      for row in 0..<(values.count / columns) {
        print(values[(row * columns)..<((row + 1) * columns)].map(String.init).joined(separator: " "))
      }
    }
  }

  /// Writes a table of numbers (distances).
  public static func write(_ matrix: Matrix, to path: String) throws {
    switch try destination(path, texmex: ".fvecs") {
    case .numpy: try NPYFormat.write(matrix, to: path)
    case .texmex: try TexmexFormat.writeVectors(matrix, to: path)
    case .standardOutput:
      for row in 0..<matrix.rows { print(matrix[row].map { String($0) }.joined(separator: " ")) }
    }
  }

  /// Reads a table of ids (ground truth) from .ivecs or an integer .npy.
  public static func readIntegers(_ path: String) throws -> (rows: Int, columns: Int, values: [Int32]) {
    switch try destination(path, texmex: ".ivecs") {
    case .numpy: return try NPYFormat.readIntegers(path)
    case .texmex:
      let table = try TexmexFormat.readIntegers(path)
      return (table.rows, table.dimension, table.values)
    case .standardOutput: throw DataError(file: path, position: "", "a table of ids is read from a file, not -")
    }
  }
}
