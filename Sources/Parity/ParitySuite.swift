// The table of parity cases: every Backend operation on awkward shapes (1, 7, 64, 93,
// 500, 1024), with fixed seeded inputs. Tolerances are relative to the largest expected
// magnitude: Float32 products of length k err by about √k·2⁻²⁴, so 1e-5 holds to k = 1024
// with margin; element-wise maps are held to 1e-6 (1e-5 for backward passes, where
// tanh's 1 − y² cancels as |y| → 1); integer outputs must be equal.

import Backend
import Foundation

public enum ParitySuite {
  public static let gemmShapes = [(1, 1, 1), (7, 93, 64), (93, 7, 500), (64, 500, 93), (500, 64, 1024)]
  public static let elementCounts = [1, 7, 64, 93, 500 * 93]
  public static let matrixShapes = [(1, 1), (7, 93), (93, 7), (500, 1024)]

  /// Every case, in a fixed order.
  public static func cases() -> [ParityCase] {
    gemmCases() + elementwiseCases() + activationCases() + reductionCases() + lossAndGraphCases()
      + codeCases() + rankingCases() + rankingLossCases() + optimiserCases() + fusedCases() + distanceMatchingCases()
      + bufferCases() + randomCases() + copyColumnsCases() + fusedGemmCases() + stepLossCases() + selectionCases()
      + codeStepCases() + solveCases() + encodeCases()
  }

  static func gaussians(_ count: Int, seed: UInt64, scale: Double = 1) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return generator.gaussians(count: count, standardDeviation: scale)
  }

  static func doubles(_ values: [Float]) -> [Double] { values.map(Double.init) }

  // MARK: Dense algebra

  public static func gemmCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for (index, (m, n, k)) in gemmShapes.enumerated() {
      for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = gaussians(m * k, seed: UInt64(100 + index))
        let b = gaussians(k * n, seed: UInt64(200 + index))
        // beta = 0 with a NaN-filled C checks that C is never read then (BLAS rule).
        let beta: Float = transposeA == transposeB ? 0 : -0.5
        let c = beta == 0 ? [Float](repeating: .nan, count: m * n) : gaussians(m * n, seed: 300)
        let alpha: Float = 1.25
        let label = "\(m)×\(n)·\(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : ""), β=\(beta)"
        cases.append(
          ParityCase(
            operation: "gemm", shape: label, tolerance: 1e-5,
            run: { backend in
              let (da, db, dc) = (try backend.makeBuffer(a), try backend.makeBuffer(b), try backend.makeBuffer(c))
              try backend.gemm(
                da, transposeA: transposeA, db, transposeB: transposeB, into: dc, m: m, n: n, k: k,
                alpha: alpha, beta: beta)
              return doubles(try backend.download(dc))
            },
            reference: {
              Reference.gemm(
                a, transposeA: transposeA, b, transposeB: transposeB, c, m: m, n: n, k: k,
                alpha: alpha, beta: beta)
            }))
      }
    }
    return cases
  }

  static func elementwiseCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for (rows, columns) in matrixShapes {
      let matrix = gaussians(rows * columns, seed: 11)
      let vector = gaussians(max(rows, columns), seed: 12)
      let shape = "\(rows)×\(columns)"
      cases.append(
        ParityCase(
          operation: "addRowVector", shape: shape, tolerance: 1e-6,
          run: { backend in
            let (m, v) = (try backend.makeBuffer(matrix), try backend.makeBuffer(vector))
            try backend.addRowVector(v, to: m, rows: rows, columns: columns)
            return doubles(try backend.download(m))
          },
          reference: {
            (0..<(rows * columns)).map { Double(matrix[$0]) + Double(vector[$0 % columns]) }
          }))
      cases.append(
        ParityCase(
          operation: "scaleRows", shape: shape, tolerance: 1e-6,
          run: { backend in
            let (m, v) = (try backend.makeBuffer(matrix), try backend.makeBuffer(vector))
            try backend.scaleRows(m, by: v, rows: rows, columns: columns)
            return doubles(try backend.download(m))
          },
          reference: {
            (0..<(rows * columns)).map { Double(matrix[$0]) * Double(vector[$0 / columns]) }
          }))
    }
    for count in elementCounts {
      // Every byte value, then a repeating pattern, through MNIST's table (v/255 as the
      // host divides): each the table's Float exactly, a tail past the count untouched.
      let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
      let table = (0..<256).map { Float($0) / 255 }
      cases.append(
        ParityCase(
          operation: "widenBytes", shape: "\(count)", tolerance: 0,
          run: { backend in
            let out = try backend.makeBuffer([Float](repeating: -1, count: count + 1))
            try backend.widenBytes(
              try backend.makeBuffer(bytes), count: count, table: try backend.makeBuffer(table), into: out)
            return doubles(try backend.download(out))
          },
          reference: { bytes.map { Double(table[Int($0)]) } + [-1] }))
    }
    for count in elementCounts {
      let x = gaussians(count, seed: 21)
      let y = gaussians(count, seed: 22)
      cases.append(
        ParityCase(
          operation: "linearCombination", shape: "\(count), in place on y", tolerance: 1e-6,
          run: { backend in
            let (dx, dy) = (try backend.makeBuffer(x), try backend.makeBuffer(y))
            try backend.linearCombination(alpha: 0.75, dx, beta: -2, dy, into: dy, count: count)
            return doubles(try backend.download(dy))
          },
          reference: { (0..<count).map { 0.75 * Double(x[$0]) - 2 * Double(y[$0]) } }))
      cases.append(
        ParityCase(
          operation: "multiply", shape: "\(count)", tolerance: 1e-6,
          run: { backend in
            let (dx, dy) = (try backend.makeBuffer(x), try backend.makeBuffer(y))
            let dz = try backend.makeBuffer(Float.self, count: count)
            try backend.multiply(dx, dy, into: dz, count: count)
            return doubles(try backend.download(dz))
          },
          reference: { (0..<count).map { Double(x[$0]) * Double(y[$0]) } }))
    }
    let input = gaussians(93 * 7, seed: 23) + [0, -0]
    for function in [UnaryFunction.sign, .abs, .square, .exp(scale: -0.37), .softplus, .log] {
      cases.append(
        ParityCase(
          operation: "map", shape: "\(function), \(input.count)", tolerance: 1e-6,
          run: { backend in
            let (dx, dy) = (try backend.makeBuffer(input), try backend.makeBuffer(Float.self, count: input.count))
            try backend.map(function, dx, into: dy, count: input.count)
            return doubles(try backend.download(dy))
          },
          reference: { input.map { Reference.map(function, Double($0)) } }))
    }
    let count = 64
    cases.append(
      ParityCase(
        operation: "fill", shape: "\(count) of 93", tolerance: 0,
        run: { backend in
          let buffer = try backend.makeBuffer(input.prefix(93).map { $0 })
          try backend.fill(buffer, value: 2.5, count: count)
          return doubles(try backend.download(buffer))
        },
        reference: {
          [Double](repeating: 2.5, count: count) + input[count..<93].map(Double.init)
        }))
    return cases
  }

  static func activationCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    let activations: [Activation] = [.leakyReLU(slope: 0.2), .relu, .tanh, .sigmoid, .identity, .selu]
    for count in [1, 93 * 7] {
      let x = gaussians(count, seed: 31, scale: 2)
      let dy = gaussians(count, seed: 32)
      for activation in activations {
        cases.append(
          ParityCase(
            operation: "activate", shape: "\(activation), \(count)", tolerance: 1e-6,
            run: { backend in
              let (dx, out) = (try backend.makeBuffer(x), try backend.makeBuffer(Float.self, count: count))
              try backend.activate(activation, dx, into: out, count: count)
              return doubles(try backend.download(out))
            },
            reference: { x.map { Reference.activate(activation, Double($0)) } }))
        // The backward pass is fed the Float32 forward output, as in training.
        let y = x.map { Float(Reference.activate(activation, Double($0))) }
        cases.append(
          ParityCase(
            operation: "activationBackward", shape: "\(activation), \(count)", tolerance: 1e-5,
            run: { backend in
              let (dOut, dGrad) = (try backend.makeBuffer(y), try backend.makeBuffer(dy))
              let dx = try backend.makeBuffer(Float.self, count: count)
              try backend.activationBackward(
                activation, output: dOut, outputGradient: dGrad, into: dx, count: count)
              return doubles(try backend.download(dx))
            },
            reference: {
              (0..<count).map { Double(dy[$0]) * Reference.derivative(activation, output: Double(y[$0])) }
            }))
      }
    }
    return cases
  }

  static func reductionCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for (rows, columns) in matrixShapes + [(1, 64 * 93)] {
      let matrix = gaussians(rows * columns, seed: 41)
      for reduction in [RowReduction.sum, .sumOfSquares, .sumOfAbsoluteValues] {
        cases.append(
          ParityCase(
            operation: "reduceRows", shape: "\(reduction), \(rows)×\(columns)", tolerance: 1e-5,
            run: { backend in
              let (m, out) = (try backend.makeBuffer(matrix), try backend.makeBuffer(Float.self, count: rows))
              try backend.reduceRows(m, rows: rows, columns: columns, reduction, into: out)
              return doubles(try backend.download(out))
            },
            reference: {
              (0..<rows).map { i in
                matrix[(i * columns)..<((i + 1) * columns)].reduce(0.0) { total, v in
                  let x = Double(v)
                  switch reduction {
                  case .sum: return total + x
                  case .sumOfSquares: return total + x * x
                  case .sumOfAbsoluteValues: return total + abs(x)
                  }
                }
              }
            }))
      }
      cases.append(
        ParityCase(
          operation: "sumColumns", shape: "\(rows)×\(columns)", tolerance: 1e-5,
          run: { backend in
            let (m, out) = (try backend.makeBuffer(matrix), try backend.makeBuffer(Float.self, count: columns))
            try backend.sumColumns(m, rows: rows, columns: columns, into: out)
            return doubles(try backend.download(out))
          },
          reference: {
            (0..<columns).map { j in (0..<rows).reduce(0.0) { $0 + Double(matrix[$1 * columns + j]) } }
          }))
    }
    return cases
  }

  static func lossAndGraphCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for count in [1, 7, 500] {
      var generator = SeededGenerator(seed: 51)
      let energies = (0..<count).map { _ in Float(generator.uniform() * 0.2) }
      cases.append(
        ParityCase(
          operation: "marginLoss", shape: "\(count), margin 0.1", tolerance: 1e-6,
          run: { backend in
            let e = try backend.makeBuffer(energies)
            let (losses, gradient) = (
              try backend.makeBuffer(Float.self, count: count), try backend.makeBuffer(Float.self, count: count)
            )
            try backend.marginLoss(energies: e, count: count, margin: 0.1, losses: losses, gradient: gradient)
            return doubles(try backend.download(losses) + backend.download(gradient))
          },
          reference: {
            energies.map { max(0, 0.1 - Double($0)) } + energies.map { 0.1 - Double($0) > 0 ? -1 : 0 }
          }))
    }
    for (rows, columns, width) in [(1, 1, 1), (7, 93, 5), (93, 64, 17)] {
      let left = gaussians(rows * width, seed: 61)
      let right = gaussians(columns * width, seed: 62)
      // Norms and Gram in Float32 from real points, so the inputs are consistent.
      let rowNorms = (0..<rows).map { i in
        (0..<width).reduce(Float(0)) { $0 + left[i * width + $1] * left[i * width + $1] }
      }
      let columnNorms = (0..<columns).map { j in
        (0..<width).reduce(Float(0)) { $0 + right[j * width + $1] * right[j * width + $1] }
      }
      let gram = (0..<(rows * columns)).map { index in
        (0..<width).reduce(Float(0)) { $0 + left[index / columns * width + $1] * right[index % columns * width + $1] }
      }
      for squareRoot in [false, true] {
        cases.append(
          ParityCase(
            operation: "distancesFromGram", shape: "\(rows)×\(columns)\(squareRoot ? ", √" : "")",
            tolerance: 1e-6,
            run: { backend in
              let (g, a, b) = (
                try backend.makeBuffer(gram), try backend.makeBuffer(rowNorms), try backend.makeBuffer(columnNorms)
              )
              let d = try backend.makeBuffer(Float.self, count: rows * columns)
              try backend.distancesFromGram(
                g, rowNorms: a, columnNorms: b, rows: rows, columns: columns, squareRoot: squareRoot,
                zeroDiagonal: false, into: d)
              return doubles(try backend.download(d))
            },
            reference: {
              (0..<(rows * columns)).map { index in
                let squared = max(
                  0, Double(rowNorms[index / columns]) + Double(columnNorms[index % columns]) - 2 * Double(gram[index]))
                return squareRoot ? squared.squareRoot() : squared
              }
            }))
      }
    }
    for (rows, columns) in [(1, 7), (64, 93), (500, 64)] {
      let x = gaussians(rows * columns, seed: 71)
      cases.append(
        ParityCase(
          operation: "graphSimilarity (composite)", shape: "\(rows)×\(columns), σ = 1/mean", tolerance: 1e-4,
          run: { backend in
            let dx = try backend.makeBuffer(x)
            let norms = try backend.makeBuffer(Float.self, count: rows)
            let total = try backend.makeBuffer(Float.self, count: 1)
            let s = try backend.makeBuffer(Float.self, count: rows * rows)
            try backend.graphSimilarity(
              dx, rows: rows, columns: columns, sigma: nil, norms: norms, total: total, into: s)
            return doubles(try backend.download(s))
          },
          reference: { Reference.graphSimilarity(x, rows: rows, columns: columns) }))
    }
    return cases
  }

  static func codeCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for bits in [1, 7, 64, 65, 93, 500, 4096] {
      let rows = bits == 4096 ? 3 : 7
      var values = gaussians(rows * bits, seed: UInt64(80 + bits))
      values[0] = 0  // sign(0) = +1
      if values.count > 1 { values[1] = -0.0 }  // −0 >= 0 too: also +1
      let x = values
      cases.append(
        ParityCase(
          operation: "signPack", shape: "\(rows)×\(bits) bits", tolerance: 0,
          run: { backend in
            let dx = try backend.makeBuffer(x)
            let codes = try backend.makeBuffer(UInt64.self, count: rows * codeWords(bits: bits))
            try backend.signPack(dx, rows: rows, bits: bits, into: codes)
            return halves(try backend.download(codes))
          },
          reference: { halves(Reference.signPack(x, rows: rows, bits: bits)) }))
    }
    for (queryCount, databaseCount, bits) in [(1, 1, 1), (7, 93, 64), (7, 93, 65), (3, 500, 500)] {
      let (queries, database) = randomCodes(queryCount, databaseCount, bits: bits, seed: 90)
      cases.append(
        ParityCase(
          operation: "hammingDistances", shape: "\(queryCount)×\(databaseCount), \(bits) bits", tolerance: 0,
          run: { backend in
            let (q, db) = (try backend.makeBuffer(queries), try backend.makeBuffer(database))
            let d = try backend.makeBuffer(Int32.self, count: queryCount * databaseCount)
            try backend.hammingDistances(
              queries: q, queryCount: queryCount, database: db, databaseCount: databaseCount, bits: bits, into: d)
            return try backend.download(d).map(Double.init)
          },
          reference: {
            let words = codeWords(bits: bits)
            return (0..<(queryCount * databaseCount)).map { index in
              let (q, i) = (index / databaseCount, index % databaseCount)
              return Double(
                Reference.hamming(queries[(q * words)..<((q + 1) * words)], database[(i * words)..<((i + 1) * words)]))
            }
          }))
    }
    // 8-bit codes over 500 items: dozens of ties at every distance, so tie order is tested.
    for (queryCount, databaseCount, bits, k) in [
      (7, 500, 8, 1), (7, 500, 8, 50), (7, 500, 8, 500), (3, 1024, 64, 100), (2, 93, 200, 7),
      // Blocks of queries scored together (full and partial blocks, one word and four).
      (37, 700, 8, 20), (37, 300, 200, 9),
    ] {
      let (queries, database) = randomCodes(queryCount, databaseCount, bits: bits, seed: 95)
      cases.append(
        ParityCase(
          operation: "hammingTopK", shape: "\(queryCount)×\(databaseCount), \(bits) bits, k \(k)", tolerance: 0,
          run: { backend in
            let (q, db) = (try backend.makeBuffer(queries), try backend.makeBuffer(database))
            let top = try backend.hammingTopK(
              queries: q, queryCount: queryCount, database: db, databaseCount: databaseCount, bits: bits, k: k)
            return (top.ids + top.distances).map(Double.init)
          },
          reference: {
            let top = Reference.hammingTopK(
              queries: queries, database: database, queryCount: queryCount, databaseCount: databaseCount, bits: bits,
              k: k)
            return (top.ids + top.distances).map(Double.init)
          }))
    }
    // Radius search: none, a few and every code within reach; several database chunks and
    // query groups (37 queries); 8-bit codes tie at every distance.
    for (queryCount, databaseCount, bits, radius) in [
      (1, 1, 1, 0), (7, 500, 8, 0), (7, 500, 8, 2), (37, 700, 8, 3), (5, 300, 8, 8), (3, 1024, 64, 26),
      (2, 93, 200, 90), (37, 300, 200, 88),
    ] {
      let (queries, database) = randomCodes(queryCount, databaseCount, bits: bits, seed: 97)
      cases.append(
        ParityCase(
          operation: "hammingWithin", shape: "\(queryCount)×\(databaseCount), \(bits) bits, radius \(radius)",
          tolerance: 0,
          run: { backend in
            let (q, db) = (try backend.makeBuffer(queries), try backend.makeBuffer(database))
            return flattened(
              try backend.hammingWithin(
                queries: q, queryCount: queryCount, database: db, databaseCount: databaseCount, bits: bits,
                radius: radius))
          },
          reference: {
            flattened(
              Reference.hammingWithin(
                queries: queries, database: database, queryCount: queryCount, databaseCount: databaseCount,
                bits: bits, radius: radius))
          }))
    }
    return cases
  }

  static func optimiserCases() -> [ParityCase] {
    let count = 93 * 7
    let theta = gaussians(count, seed: 101)
    let gradient = gaussians(count, seed: 102)
    let m = gaussians(count, seed: 103, scale: 0.1)
    let v = gaussians(count, seed: 104, scale: 0.1).map { $0 * $0 }
    var cases: [ParityCase] = []
    for (weightDecay, step) in [(Float(0), 1), (Float(5e-4), 3)] {
      let settings = AdamStep(learningRate: 1e-2, weightDecay: weightDecay, step: step)
      cases.append(
        ParityCase(
          operation: "adamUpdate", shape: "\(count), step \(step), decay \(weightDecay)", tolerance: 1e-5,
          run: { backend in
            let buffers = try [theta, gradient, m, v].map { try backend.makeBuffer($0) }
            try backend.adamUpdate(
              parameters: buffers[0], gradients: buffers[1], firstMoment: buffers[2], secondMoment: buffers[3],
              count: count, step: settings)
            return doubles(
              try backend.download(buffers[0]) + backend.download(buffers[2]) + backend.download(buffers[3]))
          },
          reference: { Reference.adam(theta, gradient, m, v, settings) }))
    }
    // Gated: taken at step 3 (the plain update at step 3), not taken, and a step number
    // beyond the corrections table (left alone).
    let tableSteps = 4
    let table = (1...tableSteps).flatMap { step in
      let corrections = AdamStep(learningRate: 1e-2, step: step).biasCorrections
      return [corrections.first, corrections.second]
    }
    for (taken, stepNumber) in [(Int32(1), Int32(3)), (0, 3), (1, 9)] {
      let settings = AdamStep(learningRate: 1e-2, weightDecay: 5e-4, step: tableSteps)
      cases.append(
        ParityCase(
          operation: "gatedAdamUpdate", shape: "\(count), taken \(taken), step \(stepNumber)", tolerance: 1e-5,
          run: { backend in
            let buffers = try [theta, gradient, m, v].map { try backend.makeBuffer($0) }
            let gate = AdamGate(
              schedule: try backend.makeBuffer([0, 0, taken, stepNumber]), slot: 1,
              corrections: try backend.makeBuffer(table))
            try backend.gatedAdamUpdate(
              parameters: buffers[0], gradients: buffers[1], firstMoment: buffers[2], secondMoment: buffers[3],
              count: count, step: settings, gate: gate)
            return doubles(
              try backend.download(buffers[0]) + backend.download(buffers[2]) + backend.download(buffers[3]))
          },
          reference: {
            guard taken == 1, Int(stepNumber) <= tableSteps else { return doubles(theta + m + v) }
            var atStep = settings
            atStep.step = Int(stepNumber)
            return Reference.adam(theta, gradient, m, v, atStep)
          }))
    }
    // The schedule's decision: a mean of σ just above and just below the threshold, over
    // fewer and more elements than a work-group has lanes.
    for (count, offset) in [(37, 5), (200, 3)] {
      let logits = gaussians(count + offset, seed: 105)
      let mean = logits[offset...].reduce(0.0) { $0 + 1 / (1 + exp(-Double($1))) } / Double(count)
      for (threshold, taken) in [(mean - 0.01, 1.0), (mean + 0.01, 0.0)] {
        cases.append(
          ParityCase(
            operation: "scoreGate", shape: "\(count) at \(offset), \(taken == 1 ? "above" : "below")", tolerance: 0,
            run: { backend in
              let schedule = try backend.makeBuffer([3, 7, 1, 5] as [Int32])
              try backend.scoreGate(
                try backend.makeBuffer(logits), offset: offset, count: count, threshold: Float(threshold),
                schedule: schedule, slot: 1)
              return try backend.download(schedule).map(Double.init)
            },
            reference: { [3, 7, taken, 5 + taken] }))
      }
    }
    return cases
  }

  /// Each 64-bit word as two exact Float64 halves (a Double holds 53 bits, not 64).
  static func halves(_ words: [UInt64]) -> [Double] {
    words.flatMap { [Double($0 >> 32), Double($0 & 0xFFFF_FFFF)] }
  }

  /// A radius search's offsets, ids and distances, one after the other.
  static func flattened(_ matches: HammingMatches) -> [Double] {
    matches.offsets.map(Double.init) + matches.ids.map(Double.init) + matches.distances.map(Double.init)
  }

  static func randomCodes(_ queryCount: Int, _ databaseCount: Int, bits: Int, seed: UInt64)
    -> ([UInt64], [UInt64])
  {
    var generator = SeededGenerator(seed: seed)
    let words = codeWords(bits: bits)
    let tailMask: UInt64 = bits % 64 == 0 ? ~0 : (1 << UInt64(bits % 64)) - 1
    func code() -> [UInt64] {
      (0..<words).map { w in generator.next() & (w == words - 1 ? tailMask : ~0) }
    }
    return ((0..<queryCount).flatMap { _ in code() }, (0..<databaseCount).flatMap { _ in code() })
  }
}
