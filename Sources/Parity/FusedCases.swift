// Parity cases of the fused and device-side operations a training step is made of, and of
// buffer slices, each against a Float64 reference written out here.

import Backend
import Foundation

extension ParitySuite {
  static func fusedCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    let activations: [Activation] = [.leakyReLU(slope: 0.2), .tanh, .identity, .selu]
    for (rows, columns) in [(1, 1), (7, 93), (500, 64)] {
      let matrix = gaussians(rows * columns, seed: 401)
      let bias = gaussians(columns, seed: 402)
      let gradient = gaussians(rows * columns, seed: 403)
      for activation in activations {
        let shape = "\(activation), \(rows)×\(columns)"
        cases.append(
          ParityCase(
            operation: "biasActivate", shape: shape, tolerance: 1e-6,
            run: { backend in
              let (m, b) = (try backend.makeBuffer(matrix), try backend.makeBuffer(bias))
              try backend.biasActivate(activation, bias: b, m, rows: rows, columns: columns)
              return doubles(try backend.download(m))
            },
            reference: {
              (0..<(rows * columns)).map {
                Reference.activate(activation, Double(Float(matrix[$0] + bias[$0 % columns])))
              }
            }))
        // The output y = f(x) is the input of the backward pass, as in training.
        let output = matrix.map { Float(Reference.activate(activation, Double($0))) }
        cases.append(
          ParityCase(
            operation: "activationBackwardWithBiasGradient", shape: shape, tolerance: 1e-5,
            run: { backend in
              let (y, dy) = (try backend.makeBuffer(output), try backend.makeBuffer(gradient))
              let db = try backend.makeBuffer(Float.self, count: columns)
              try backend.activationBackwardWithBiasGradient(
                activation, output: y, outputGradient: dy, into: dy, rows: rows, columns: columns, biasGradient: db)
              return doubles(try backend.download(dy)) + doubles(try backend.download(db))
            },
            reference: {
              let dx = (0..<(rows * columns)).map {
                Reference.derivative(activation, output: Double(output[$0])) * Double(gradient[$0])
              }
              let db = (0..<columns).map { j in (0..<rows).reduce(0.0) { $0 + dx[$1 * columns + j] } }
              return dx + db
            }))
      }
    }
    for count in [1, 93, 500 * 784] {
      let x = gaussians(count, seed: 404)
      for reduction in [RowReduction.sum, .sumOfSquares, .sumOfAbsoluteValues] {
        cases.append(
          ParityCase(
            // Float32 sums of 392,000 positive terms err by up to ~1e-4 relative in any order
            // (measured 1.1e-4 against Float64): the long case is held to 1e-3.
            operation: "accumulate", shape: "\(reduction), \(count), twice into slot 2",
            tolerance: count > 100_000 ? 1e-3 : 1e-5,
            run: { backend in
              let dx = try backend.makeBuffer(x)
              let accumulator = try backend.makeBuffer([Float](repeating: 0.5, count: 4))
              for _ in 0..<2 {
                try backend.accumulate(dx, count: count, reduction, scale: -0.75, into: accumulator, index: 2)
              }
              return doubles(try backend.download(accumulator))
            },
            reference: {
              let total = x.reduce(0.0) { total, v in
                let v = Double(v)
                switch reduction {
                case .sum: return total + v
                case .sumOfSquares: return total + v * v
                case .sumOfAbsoluteValues: return total + Swift.abs(v)
                }
              }
              return [0.5, 0.5, 0.5 - 1.5 * total, 0.5]
            }))
      }
    }
    for (sourceRows, rows, columns, centred) in [(10, 1, 1, false), (93, 40, 7, true), (1000, 500, 784, true)] {
      let source = gaussians(sourceRows * columns, seed: 405)
      let mean = gaussians(columns, seed: 406)
      var generator = SeededGenerator(seed: 407)
      let order = generator.permutation(sourceRows).map(Int32.init)
      let first = sourceRows - rows
      cases.append(
        ParityCase(
          operation: "gatherRows", shape: "\(rows) of \(sourceRows)×\(columns)\(centred ? ", centred" : "")",
          tolerance: 0,
          run: { backend in
            let out = try backend.makeBuffer(Float.self, count: rows * columns)
            try backend.gatherRows(
              try backend.makeBuffer(source), sourceRows: sourceRows, indices: try backend.makeBuffer(order),
              first: first, rows: rows, columns: columns, subtracting: centred ? try backend.makeBuffer(mean) : nil,
              into: out)
            return doubles(try backend.download(out))
          },
          reference: {
            (0..<(rows * columns)).map { index in
              let (r, j) = (index / columns, index % columns)
              let value = source[Int(order[first + r]) * columns + j]
              return Double(centred ? value - mean[j] : value)
            }
          }))
    }
    for (count, decayed) in [(93, 40), (1000, 0), (4096, 4096)] {
      let theta = gaussians(count, seed: 408)
      let gradient = gaussians(count, seed: 409)
      let step = AdamStep(learningRate: 1e-2, weightDecay: 0.5, step: 2)
      cases.append(
        ParityCase(
          operation: "adamUpdate", shape: "\(count), decay on the first \(decayed)", tolerance: 1e-5,
          run: { backend in
            let p = try backend.makeBuffer(theta)
            let zeros = [Float](repeating: 0, count: count)
            try backend.adamUpdate(
              parameters: p, gradients: try backend.makeBuffer(gradient), firstMoment: try backend.makeBuffer(zeros),
              secondMoment: try backend.makeBuffer(zeros), count: count, decayed: decayed, step: step)
            return doubles(try backend.download(p))
          },
          reference: {
            let (c1, c2) = step.biasCorrections
            return (0..<count).map { i in
              let g = Double(gradient[i]) + (i < decayed ? 0.5 : 0) * Double(theta[i])
              let m = 0.1 * g
              let v = 0.001 * g * g
              return Double(theta[i]) - 1e-2 * (m * Double(c1)) / ((v * Double(c2)).squareRoot() + 1e-8)
            }
          }))
    }
    return cases
  }

  static func distanceMatchingCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for (rows, sigma) in [(1, nil), (7, Float(0.5)), (64, nil), (500, nil)] as [(Int, Float?)] {
      let distances = gaussians(rows * rows, seed: 410).map { Swift.abs($0) }
      cases.append(
        ParityCase(
          operation: "exponentialSimilarity", shape: "\(rows)×\(rows), σ = \(sigma.map { "\($0)" } ?? "pairs/total")",
          tolerance: 1e-5,
          run: { backend in
            let total = try backend.makeBuffer([distances.reduce(0, +)])
            let s = try backend.makeBuffer(Float.self, count: rows * rows)
            try backend.exponentialSimilarity(
              try backend.makeBuffer(distances), count: rows * rows, sigma: sigma, total: total,
              pairs: rows * (rows - 1), into: s)
            return doubles(try backend.download(s))
          },
          reference: {
            let total = Double(distances.reduce(0, +))
            let pairs = Double(rows * (rows - 1))
            let used = sigma.map(Double.init) ?? (pairs > 0 && total > 0 ? pairs / total : 1)
            return distances.map { Foundation.exp(-used * Double($0)) }
          }))
    }
    for (rows, nearest, tied) in [(1, 0, false), (7, 2, true), (64, 10, true), (500, 75, false), (93, 92, false)] {
      // Tied: distances rounded to a few values, so that the k-th is shared and ties by index matter.
      var distances = gaussians(rows * rows, seed: 411).map {
        tied ? ($0 * 2).rounded() * ($0 * 2).rounded() : Swift.abs($0)
      }
      for i in 0..<rows { distances[i * rows + i] = 0 }
      let d = distances
      cases.append(
        ParityCase(
          operation: "nearestSelection", shape: "\(rows)×\(rows), nearest \(nearest)\(tied ? ", ties" : "")",
          tolerance: 0,
          run: { backend in
            let out = try backend.makeBuffer(Float.self, count: rows * rows)
            try backend.nearestSelection(try backend.makeBuffer(d), rows: rows, nearest: nearest, into: out)
            return doubles(try backend.download(out))
          },
          reference: { Reference.nearestSelection(d, rows: rows, nearest: nearest) }))
    }
    for rows in [1, 7, 93, 500] {
      let products = gaussians(rows * rows, seed: 412)
      var distances = gaussians(rows * rows, seed: 413).map { Swift.abs($0) * 3 }
      for i in 0..<rows { distances[i * rows + i] = 0 }
      let d = distances
      let sums = (0..<rows).map { i in (0..<rows).reduce(Float(0)) { $0 + d[i * rows + $1] } }
      let selected = Reference.nearestSelection(d, rows: rows, nearest: max(0, min(rows - 1, rows / 7))).map(Float.init)
      cases.append(
        ParityCase(
          operation: "distanceMatchingResidual", shape: "\(rows)×\(rows)", tolerance: 1e-5,
          run: { backend in
            let p = try backend.makeBuffer(products)
            // Loss rows at an offset, added to what is there: [1, …, 1 + rows·ℓ, …].
            let loss = try backend.makeBuffer([Float](repeating: 1, count: rows + 3))
            try backend.distanceMatchingResidual(
              products: p, distances: try backend.makeBuffer(d), rowSums: try backend.makeBuffer(sums),
              selected: try backend.makeBuffer(selected), rows: rows, loss: LossRows(loss, offset: 2, scale: 0.5))
            return doubles(try backend.download(p)) + doubles(try backend.download(loss))
          },
          reference: {
            let others = Double(max(rows - 1, 1))
            var g = [Double](repeating: 0, count: rows * rows)
            var loss = [Double](repeating: 1, count: rows + 3)
            for i in 0..<rows {
              for j in 0..<rows {
                let index = i * rows + j
                let scale = ((Double(sums[i]) / others) * (Double(sums[j]) / others)).squareRoot()
                let target = 1 - (scale > 0 ? Double(d[index]) / scale : 0)
                let e = Double(products[index]) - target
                let near = selected[index] > 0 || selected[j * rows + i] > 0
                g[index] = near ? e : max(e, 0)
                loss[2 + i] += 0.5 * e * g[index]
              }
            }
            return g + loss
          }))
    }
    return cases
  }

  static func bufferCases() -> [ParityCase] {
    let values = gaussians(1000, seed: 414)
    return [
      ParityCase(
        operation: "makeSlice", shape: "a slice written; slice, parent region, rest of parent", tolerance: 0,
        run: { backend in
          let parent = try backend.makeBuffer(values)
          let offset = backend.sliceAlignment / MemoryLayout<Float>.stride * 3
          let slice = try backend.makeSlice(of: parent, offset: offset, count: 100)
          try backend.fill(slice, value: 7, count: 100)
          let whole = try backend.download(parent)
          let region = offset..<(offset + 100)
          let rest = whole.indices.filter { !region.contains($0) }
          return [
            try backend.download(slice).allSatisfy { $0 == 7 } ? 1 : 0,
            whole[region].allSatisfy { $0 == 7 } ? 1 : 0,
            rest.allSatisfy { whole[$0] == values[$0] } ? 1 : 0,
          ]
        },
        reference: { [1, 1, 1] })
    ]
  }
}
