// Parity cases of `smallestPerRow`: exact ids and values, ties by index, negative values,
// a count of one and of the whole row.

import Backend

extension ParitySuite {
  static func selectionCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for (rows, columns, count, tied) in [
      (1, 1, 1, false), (7, 93, 10, false), (5, 500, 116, true), (3, 64, 64, true), (4, 20_000, 116, false),
    ] {
      // Tied rows hold few distinct values (rounded), so many ties straddle the cut.
      // (+ 0 turns −0 into +0: the kernels order −0 before +0, as their bits do.)
      let matrix = gaussians(rows * columns, seed: 690).map { tied ? ($0 * 2).rounded() + 0 : $0 }
      cases.append(
        ParityCase(
          operation: "smallestPerRow", shape: "\(rows)×\(columns), count \(count)\(tied ? ", ties" : "")",
          tolerance: 0,
          run: { backend in
            let ids = try backend.makeBuffer(Int32.self, count: rows * count)
            let values = try backend.makeBuffer(Float.self, count: rows * count)
            try backend.smallestPerRow(
              try backend.makeBuffer(matrix), rows: rows, columns: columns, count: count, ids: ids, values: values)
            return try backend.download(ids).map(Double.init) + doubles(try backend.download(values))
          },
          reference: {
            var (ids, values) = ([Double](), [Double]())
            for i in 0..<rows {
              let chosen = (0..<columns).sorted {
                (matrix[i * columns + $0], $0) < (matrix[i * columns + $1], $1)
              }.prefix(count).sorted()
              ids += chosen.map(Double.init)
              values += chosen.map { Double(matrix[i * columns + $0]) }
            }
            return ids + values
          }))
    }
    return cases
  }
}
