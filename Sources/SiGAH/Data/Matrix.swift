// A dense row-major Float32 matrix on the host: one vector a row.

import Backend

public struct Matrix: Sendable, Equatable {
  public let rows: Int
  public let columns: Int
  /// `rows × columns` values, row-major.
  public var values: [Float]

  public init(rows: Int, columns: Int, values: [Float]) {
    precondition(values.count == rows * columns, "a \(rows)×\(columns) matrix needs \(rows * columns) values")
    self.rows = rows
    self.columns = columns
    self.values = values
  }

  public init(rows: Int, columns: Int, repeating value: Float = 0) {
    self.init(rows: rows, columns: columns, values: Array(repeating: value, count: rows * columns))
  }

  public subscript(row: Int) -> ArraySlice<Float> {
    values[(row * columns)..<((row + 1) * columns)]
  }

  /// The values of the rows in `range`, row-major.
  public func values(ofRows range: Range<Int>) -> [Float] { Array(slice(ofRows: range)) }

  /// The values of rows `range`, not copied (an upload reads them in place).
  public func slice(ofRows range: Range<Int>) -> ArraySlice<Float> {
    values[(range.lowerBound * columns)..<(range.upperBound * columns)]
  }

  /// `0..<rows` cut into consecutive blocks of at most `size` rows, the last one short.
  public func rowBlocks(_ size: Int) -> [Range<Int>] {
    stride(from: 0, to: rows, by: max(size, 1)).map { $0..<Swift.min($0 + max(size, 1), rows) }
  }

  /// The rows at `indices`, in that order.
  public func rows(_ indices: some Collection<Int>) -> Matrix {
    var out: [Float] = []
    out.reserveCapacity(indices.count * columns)
    for index in indices { out.append(contentsOf: self[index]) }
    return Matrix(rows: indices.count, columns: columns, values: out)
  }

  /// Column means, accumulated in Float64.
  public func columnMeans() -> [Float] {
    columnSums().map { Float($0 / Double(max(rows, 1))) }
  }

  /// Each column's sum, in Float64.
  func columnSums() -> [Double] {
    var sums = [Double](repeating: 0, count: columns)
    for i in 0..<rows {
      for j in 0..<columns { sums[j] += Double(values[i * columns + j]) }
    }
    return sums
  }
}

extension Matrix {
  /// Throws unless the rows have `dimension` components: every model's encoder asks it.
  public func requireDimension(_ dimension: Int) throws {
    guard columns == dimension else {
      throw BackendError.invalidArgument(
        operation: "encode", message: "the model expects vectors of dimension \(dimension), the data has \(columns)")
    }
  }
}
