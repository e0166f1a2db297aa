// CPU backend: row and column reductions, the margin loss and distances from a Gram matrix.

extension CPUBackend {
  public func reduceRows(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, _ reduction: RowReduction,
    into out: DeviceBuffer<Float>
  ) throws {
    try Validate.positive("reduceRows", "rows", rows)
    try Validate.positive("reduceRows", "columns", columns)
    try Validate.fits("reduceRows", "matrix", matrix, needs: rows * columns)
    try Validate.fits("reduceRows", "out", out, needs: rows)
    let m = try pointer(matrix, "reduceRows", "matrix")
    let o = try pointer(out, "reduceRows", "out")
    for i in 0..<rows {
      let row = m + i * columns
      var total: Float = 0
      switch reduction {
      case .sum: for j in 0..<columns { total += row[j] }
      case .sumOfSquares: for j in 0..<columns { total += row[j] * row[j] }
      case .sumOfAbsoluteValues: for j in 0..<columns { total += abs(row[j]) }
      }
      o[i] = total
    }
  }

  public func sumColumns(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, into out: DeviceBuffer<Float>
  ) throws {
    try Validate.positive("sumColumns", "rows", rows)
    try Validate.positive("sumColumns", "columns", columns)
    try Validate.fits("sumColumns", "matrix", matrix, needs: rows * columns)
    try Validate.fits("sumColumns", "out", out, needs: columns)
    let m = try pointer(matrix, "sumColumns", "matrix")
    let o = try pointer(out, "sumColumns", "out")
    o.update(repeating: 0, count: columns)
    for i in 0..<rows {
      let row = m + i * columns
      for j in 0..<columns { o[j] += row[j] }
    }
  }

  public func marginLoss(
    energies: DeviceBuffer<Float>, count: Int, margin: Float, losses: DeviceBuffer<Float>,
    gradient: DeviceBuffer<Float>
  ) throws {
    try Validate.positive("marginLoss", "count", count)
    try Validate.fits("marginLoss", "energies", energies, needs: count)
    try Validate.fits("marginLoss", "losses", losses, needs: count)
    try Validate.fits("marginLoss", "gradient", gradient, needs: count)
    let e = try pointer(energies, "marginLoss", "energies")
    let l = try pointer(losses, "marginLoss", "losses")
    let g = try pointer(gradient, "marginLoss", "gradient")
    for i in 0..<count {
      let gap = margin - e[i]
      l[i] = gap > 0 ? gap : 0
      g[i] = gap > 0 ? -1 : 0
    }
  }

  public func distancesFromGram(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>,
    rows: Int, columns: Int, squareRoot: Bool, zeroDiagonal: Bool,
    into distances: DeviceBuffer<Float>
  ) throws {
    try Validate.positive("distancesFromGram", "rows", rows)
    try Validate.positive("distancesFromGram", "columns", columns)
    try Validate.fits("distancesFromGram", "gram", gram, needs: rows * columns)
    try Validate.fits("distancesFromGram", "rowNorms", rowNorms, needs: rows)
    try Validate.fits("distancesFromGram", "columnNorms", columnNorms, needs: columns)
    try Validate.fits("distancesFromGram", "distances", distances, needs: rows * columns)
    let g = try pointer(gram, "distancesFromGram", "gram")
    let a = try pointer(rowNorms, "distancesFromGram", "rowNorms")
    let b = try pointer(columnNorms, "distancesFromGram", "columnNorms")
    let d = try pointer(distances, "distancesFromGram", "distances")
    for i in 0..<rows {
      for j in 0..<columns {
        let squared = zeroDiagonal && i == j ? 0 : max(0, a[i] + b[j] - 2 * g[i * columns + j])
        d[i * columns + j] = squareRoot ? squared.squareRoot() : squared
      }
    }
  }
}
