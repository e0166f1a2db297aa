// Class labels for semantic evaluation, one integer a vector, from a file of their own:
// a 1-D or one-column integer .npy (np.save(labels)), a one-column .ivecs, or text with
// one integer a line. CIFAR- and NUS-WIDE-style features ship their labels this way.

import Foundation

public enum LabelsFile {
  /// The labels in `path`, exactly `count` of them (the rows of the data they label).
  public static func read(_ path: String, count: Int) throws -> [Int32] {
    let labels: [Int32]
    if path.hasSuffix(".npy") || path.hasSuffix(".ivecs") {
      let table =
        path.hasSuffix(".npy")
        ? try NPYFormat.readIntegers(path, vectorAsColumn: true) : try Tables.readIntegers(path)
      guard table.columns == 1 else {
        throw DataError(
          file: path, position: "header", "expected one label a row (1-D or one column), found \(table.columns) columns"
        )
      }
      labels = table.values
    } else {
      labels = try text(path)
    }
    guard labels.count == count else {
      throw DataError(file: path, position: "", "expected \(count) labels, one for each vector, found \(labels.count)")
    }
    return labels
  }

  /// One integer a line; blank lines at the end are ignored.
  static func text(_ path: String) throws -> [Int32] {
    let data = try FileBytes.read(path)
    var labels: [Int32] = []
    var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    while lines.last?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true { lines.removeLast() }
    for (number, line) in lines.enumerated() {
      guard let label = Int32(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw DataError(
          file: path, position: "line \(number + 1)", "expected an integer label, found '\(line.prefix(40))'")
      }
      labels.append(label)
    }
    return labels
  }
}
