// CSV vectors: one vector a line, comma-separated numbers, an optional label column.
// Blank lines and lines starting with '#' are skipped; a first line in which no field is a
// number is a header of names and is skipped too (pandas' `to_csv` writes one).

import Foundation

public enum CSVFormat {
  /// Reads vectors, and labels from column `labelColumn` (0-based; −1 = the last) when given.
  public static func read(_ path: String, labelColumn: Int? = nil) throws -> (vectors: Matrix, labels: [Int32]?) {
    let data = try FileBytes.read(path)
    var text = String(decoding: data, as: UTF8.self)
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }  // a UTF-8 byte-order mark
    var values: [Float] = []
    var labels: [Int32] = []
    var width: Int?
    var seenHeader = false
    var lineNumber = 0
    // "\r\n" is one Character in Swift: splitting on isNewline takes it, "\n" and "\r".
    for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      lineNumber += 1
      let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      var fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      // Tab- or semicolon-separated numbers would read as one unparsable field: the first
      // such line would pass for a header and the next fail without saying why.
      if fields.count == 1, let separator = ["\t", ";"].first(where: { trimmed.contains($0) }),
        trimmed.split(separator: Character(separator)).contains(where: {
          Double($0.trimmingCharacters(in: .whitespaces)) != nil
        })
      {
        throw DataError(
          file: path, position: "line \(lineNumber)",
          "expected comma-separated values, found \(separator == "\t" ? "tab" : "semicolon")-separated ones")
      }
      if width == nil && !seenHeader && fields.allSatisfy({ Double($0) == nil }) {
        seenHeader = true
        continue
      }
      if let labelColumn {
        let index = labelColumn < 0 ? fields.count + labelColumn : labelColumn
        guard fields.indices.contains(index) else {
          throw DataError(
            file: path, position: "line \(lineNumber)",
            "expected a label in column \(labelColumn) (0-based; −1 = the last), found \(fields.count) columns")
        }
        guard let label = Int32(fields[index]) else {
          throw DataError(file: path, position: "line \(lineNumber), column \(index + 1)", "expected an integer label")
        }
        labels.append(label)
        fields.remove(at: index)
      }
      if width == nil { width = fields.count }
      guard fields.count == width else {
        throw DataError(
          file: path, position: "line \(lineNumber)",
          "expected \(width!) numbers as on the first line, found \(fields.count)")
      }
      for (column, field) in fields.enumerated() {
        guard let value = Float(field), value.isFinite else {
          throw DataError(
            file: path, position: "line \(lineNumber), column \(column + 1)",
            "expected a finite number, found '\(field)'")
        }
        values.append(value)
      }
    }
    guard let width, width > 0 else { throw DataError(file: path, position: "", "the file holds no vectors") }
    return (Matrix(rows: values.count / width, columns: width, values: values), labelColumn == nil ? nil : labels)
  }
}
