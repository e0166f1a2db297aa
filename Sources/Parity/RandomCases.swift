// Parity cases of the counter-based random fill: uniform and Bernoulli draws are exact
// (24-bit integers made floats), Gaussian ones go through log and cos and are held to 1e-5.

import Backend
import Foundation

extension ParitySuite {
  public static func randomCases() -> [ParityCase] {
    let distributions: [(RandomDistribution, Double)] = [
      (.uniform, 0), (.bernoulli(probability: 0.3), 0), (.gaussian(standardDeviation: 0.15), 1e-5),
    ]
    var cases: [ParityCase] = []
    for (distribution, tolerance) in distributions {
      for count in [1, 93, 500 * 93] {
        let (seed, counter): (UInt64, UInt64) = (0x1234_5678_9ABC, 77)
        cases.append(
          ParityCase(
            operation: "fillRandom", shape: "\(distribution), \(count)", tolerance: tolerance,
            run: { backend in
              let buffer = try backend.makeBuffer(Float.self, count: count)
              try backend.fillRandom(buffer, count: count, distribution, seed: seed, counter: counter)
              return doubles(try backend.download(buffer))
            },
            reference: {
              let key = CounterHash.key(seed: seed, counter: counter)
              return (0..<count).map { i in
                let first = Double(CounterHash.bits(key: key, index: i, lane: 0))
                switch distribution {
                case .uniform: return first * 0x1p-24
                case .bernoulli(let p): return first < Double(CounterHash.threshold(probability: p)) ? 1 : 0
                case .gaussian(let deviation):
                  let u2 = Double(CounterHash.bits(key: key, index: i, lane: 1)) * 0x1p-24
                  return Double(deviation) * (-2 * log((first + 1) * 0x1p-24)).squareRoot() * cos(2 * Double.pi * u2)
                }
              }
            }))
      }
    }
    return cases
  }
}

extension ParitySuite {
  /// Column blocks copied between matrices of different widths (concatenation and its
  /// split), onto a destination whose other columns must stay as they were.
  public static func copyColumnsCases() -> [ParityCase] {
    // The last two start past row 0 on one side or both, as GMANs' stacked halves do.
    [
      (1, 1, 1, 0, 0, 3, 0, 2), (7, 5, 9, 0, 4, 12, 0, 0), (500, 64, 848, 0, 784, 128, 0, 64),
      (32, 784, 784, 0, 0, 816, 32, 0), (5, 3, 11, 7, 8, 3, 2, 0),
    ].map {
      rows, columns, sourceStride, sourceRow, sourceColumn, destinationStride, destinationRow, destinationColumn in
      let source = gaussians((sourceRow + rows) * sourceStride, seed: 515)
      let destination = gaussians((destinationRow + rows) * destinationStride, seed: 516)
      return ParityCase(
        operation: "copyColumns",
        shape:
          "\(rows)×\(columns) from \(sourceRow), \(sourceColumn) of \(sourceStride) "
          + "to \(destinationRow), \(destinationColumn) of \(destinationStride)",
        tolerance: 0,
        run: { backend in
          let (from, to) = (try backend.makeBuffer(source), try backend.makeBuffer(destination))
          try backend.copyColumns(
            from, rows: rows, columns: columns, sourceStride: sourceStride, sourceRow: sourceRow,
            sourceColumn: sourceColumn, into: to, destinationStride: destinationStride, destinationRow: destinationRow,
            destinationColumn: destinationColumn)
          return doubles(try backend.download(to))
        },
        reference: {
          var out = doubles(destination)
          for row in 0..<rows {
            for column in 0..<columns {
              out[(destinationRow + row) * destinationStride + destinationColumn + column] = Double(
                source[(sourceRow + row) * sourceStride + sourceColumn + column])
            }
          }
          return out
        })
    }
  }
}
