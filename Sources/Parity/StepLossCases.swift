// Parity cases of the fused training-step operations (Backend.swift's last section): the
// GEMM with its epilogues and row sums, the graph's distances and similarity with their row
// sums, and the row-wise losses, each against a Float64 reference written out here. Loss
// rows start from ones at an offset, so that an operation that overwrites instead of
// adding, or writes outside its rows, fails.

import Backend
import Foundation

extension ParitySuite {
  static let fusedGemmShapes = [(1, 1, 1), (7, 93, 64), (93, 7, 500), (64, 50, 257)]

  /// Every product shape of the GEMM parity cases, both transposes of each operand: where a
  /// per-shape setting must be placed to be held to all of them.
  public static var gemmCaseShapes: [GemmShape] {
    (gemmShapes + fusedGemmShapes).flatMap { m, n, k in
      [(false, false), (true, false), (false, true), (true, true)].map {
        GemmShape(m: m, n: n, k: k, transposeA: $0, transposeB: $1)
      }
    }
  }

  public static func fusedGemmCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    let activation = Activation.leakyReLU(slope: 0.2)
    for (index, (m, n, k)) in fusedGemmShapes.enumerated() {
      let a = gaussians(m * k, seed: UInt64(600 + index))
      let b = gaussians(k * n, seed: UInt64(610 + index))
      let c = gaussians(m * n, seed: UInt64(620 + index))
      let bias = gaussians(n, seed: UInt64(630 + index))
      let output = gaussians(m * n, seed: UInt64(640 + index)).map { Float(Reference.activate(activation, Double($0))) }
      for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
        for (name, epilogue) in [("bias·activation", 1), ("activation′", 2), ("none, Σrows", 0)] {
          let beta: Float = epilogue == 2 ? 0.5 : 0
          let label = "\(m)×\(n)·\(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : ""), \(name), β=\(beta)"
          cases.append(
            ParityCase(
              operation: "gemm+epilogue", shape: label, tolerance: 1e-5,
              run: { backend in
                let (da, db, dc) = (try backend.makeBuffer(a), try backend.makeBuffer(b), try backend.makeBuffer(c))
                let sums = try backend.makeBuffer(Float.self, count: m)
                let fused: GemmEpilogue =
                  switch epilogue {
                  case 1: .biasActivation(bias: try backend.makeBuffer(bias), activation)
                  case 2: .activationGradient(activation, output: try backend.makeBuffer(output))
                  default: .none
                  }
                try backend.gemm(
                  da, transposeA: transposeA, db, transposeB: transposeB, into: dc, m: m, n: n, k: k, alpha: 1.25,
                  beta: beta, epilogue: fused, rowSumsOfA: epilogue == 0 ? sums : nil)
                return doubles(try backend.download(dc)) + (epilogue == 0 ? doubles(try backend.download(sums)) : [])
              },
              reference: {
                var product = Reference.gemm(
                  a, transposeA: transposeA, b, transposeB: transposeB, c, m: m, n: n, k: k, alpha: 1.25, beta: beta)
                for index in product.indices {
                  switch epilogue {
                  case 1: product[index] = Reference.activate(activation, product[index] + Double(bias[index % n]))
                  case 2: product[index] *= Reference.derivative(activation, output: Double(output[index]))
                  default: break
                  }
                }
                guard epilogue == 0 else { return product }
                return product
                  + (0..<m).map { i in
                    (0..<k).reduce(0.0) { $0 + Double(transposeA ? a[$1 * m + i] : a[i * k + $1]) }
                  }
              }))
        }
      }
    }
    return cases
  }

  /// One case for each part of an operation's outputs (gradients and loss rows differ in
  /// scale, and a tolerance relative to the larger would hide errors in the smaller).
  static func partCases(
    _ operation: String, _ shape: String, parts: [String], tolerance: Double = 1e-5,
    run: @escaping @Sendable (any Backend) throws -> [[Double]], reference: @escaping @Sendable () -> [[Double]]
  ) -> [ParityCase] {
    parts.enumerated().map { index, part in
      ParityCase(
        operation: operation, shape: "\(shape): \(part)", tolerance: tolerance,
        run: { try run($0)[index] }, reference: { reference()[index] })
    }
  }

  static func stepLossCases() -> [ParityCase] {
    graphRowCases() + energyLossCases() + penaltyCases() + codeGradientCases() + binaryCrossEntropyCases()
  }

  /// Loss rows of `rows` rows at offset 2 of a buffer of ones, after the operation.
  static func lossRows(_ backend: any Backend, rows: Int, scale: Float) throws -> LossRows {
    LossRows(try backend.makeBuffer([Float](repeating: 1, count: rows + 3)), offset: 2, scale: scale)
  }

  static func expectedLossRows(_ losses: [Double], scale: Double) -> [Double] {
    [1, 1] + losses.map { 1 + scale * $0 } + [1]
  }

  static func graphRowCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for rows in [1, 7, 93, 500] {
      let x = gaussians(rows * 16, seed: 650)
      let norms = (0..<rows).map { i in (0..<16).reduce(Float(0)) { $0 + x[i * 16 + $1] * x[i * 16 + $1] } }
      let gram = (0..<(rows * rows)).map { index in
        (0..<16).reduce(Float(0)) { $0 + x[index / rows * 16 + $1] * x[index % rows * 16 + $1] }
      }
      let reference = (0..<(rows * rows)).map { index -> Double in
        let (i, j) = (index / rows, index % rows)
        return i == j ? 0 : max(0, Double(norms[i]) + Double(norms[j]) - 2 * Double(gram[index])).squareRoot()
      }
      let rowSums = (0..<rows).map { i in reference[(i * rows)..<((i + 1) * rows)].reduce(0, +) }
      cases.append(
        ParityCase(
          operation: "distancesFromGram+rowSums", shape: "\(rows)×\(rows), √, zero diagonal", tolerance: 1e-4,
          run: { backend in
            let (g, sums) = (try backend.makeBuffer(gram), try backend.makeBuffer(Float.self, count: rows))
            let n = try backend.makeBuffer(norms)
            try backend.distancesFromGram(
              g, rowNorms: n, columnNorms: n, rows: rows, columns: rows, squareRoot: true, zeroDiagonal: true, into: g,
              rowSums: sums)
            return doubles(try backend.download(g)) + doubles(try backend.download(sums))
          },
          reference: { reference + rowSums }))
      let distances = reference.map { Float($0) }
      let floatSums = rowSums.map { Float($0) }
      for sigma in [nil, Float(0.5)] {
        cases.append(
          ParityCase(
            operation: "similarityWithDegrees", shape: "\(rows)×\(rows), σ \(sigma.map { "\($0)" } ?? "from the sums")",
            tolerance: 1e-5,
            run: { backend in
              let (s, degrees) = (try backend.makeBuffer(distances), try backend.makeBuffer(Float.self, count: rows))
              try backend.similarityWithDegrees(
                s, rows: rows, sigma: sigma, distanceRowSums: try backend.makeBuffer(floatSums),
                pairs: rows * (rows - 1), into: s, degrees: degrees)
              return doubles(try backend.download(s)) + doubles(try backend.download(degrees))
            },
            reference: {
              let total = floatSums.reduce(0.0) { $0 + Double($1) }
              let pairs = Double(rows * (rows - 1))
              let used = sigma.map(Double.init) ?? (pairs > 0 && total > 0 ? pairs / total : 1)
              let s = distances.map { Foundation.exp(-used * Double($0)) }
              return s + (0..<rows).map { i in s[(i * rows)..<((i + 1) * rows)].reduce(0, +) }
            }))
      }
    }
    return cases
  }

  static func energyLossCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for (rows, columns) in [(1, 1), (8, 93), (1000, 784)] {
      let r = gaussians(rows * columns, seed: 660)
      let a = gaussians(rows * columns, seed: 661)
      let start = gaussians(rows * columns, seed: 662)
      // κ puts the energies around the margin, so both sides of the hinge are taken.
      let kappa = 0.5 / Float(columns)
      let (hingeFrom, margin, gradientScale) = (rows / 2, Float(1), Float(0.25))
      let energies = (0..<rows).map { i in
        Double(kappa)
          * (0..<columns).reduce(0.0) { total, j in
            let residual = Double(r[i * columns + j]) - Double(a[i * columns + j])
            return total + residual * residual
          }
      }
      let slopes = (0..<rows).map { i in i < hingeFrom ? 1.0 : (Double(margin) - energies[i] > 0 ? -1 : 0) }
      let gradient = (0..<(rows * columns)).map { index in
        Double(gradientScale) * slopes[index / columns] * 2 * Double(kappa)
          * (Double(r[index]) - Double(a[index]))
      }
      cases += partCases(
        "energyLoss", "\(rows)×\(columns), hinge from \(hingeFrom)",
        parts: ["residual gradient", "input gradient", "loss rows"],
        run: { backend in
          let (dr, da) = (try backend.makeBuffer(Float.self, count: rows * columns), try backend.makeBuffer(start))
          let loss = try lossRows(backend, rows: rows, scale: 2)
          try backend.energyLoss(
            output: try backend.makeBuffer(r), input: try backend.makeBuffer(a), rows: rows, columns: columns,
            energyScale: kappa, hingeFrom: hingeFrom, margin: margin, gradientScale: gradientScale, into: dr,
            inputGradient: da, loss: loss)
          return [
            doubles(try backend.download(dr)), doubles(try backend.download(da)),
            doubles(try backend.download(loss.buffer)),
          ]
        },
        reference: {
          [
            gradient, zip(start, gradient).map { Double($0) - $1 },
            expectedLossRows(
              (0..<rows).map { i in i < hingeFrom ? energies[i] : max(0, Double(margin) - energies[i]) }, scale: 2),
          ]
        })
    }
    return cases
  }

  static func penaltyCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for (rows, columns) in [(1, 1), (7, 93), (500, 1568)] {
      let x = gaussians(rows * columns, seed: 670)
      let target = gaussians(rows * columns, seed: 671)
      let start = gaussians(rows * columns, seed: 672)
      cases += partCases(
        "squaredErrorLoss", "\(rows)×\(columns)", parts: ["gradient", "loss rows"],
        run: { backend in
          let gradient = try backend.makeBuffer(Float.self, count: rows * columns)
          let loss = try lossRows(backend, rows: rows, scale: 0.5)
          try backend.squaredErrorLoss(
            try backend.makeBuffer(x), target: try backend.makeBuffer(target), rows: rows, columns: columns,
            gradientScale: 3, into: gradient, loss: loss)
          return [doubles(try backend.download(gradient)), doubles(try backend.download(loss.buffer))]
        },
        reference: {
          let difference = zip(x, target).map { Double($0) - Double($1) }
          let losses = (0..<rows).map { i in
            difference[(i * columns)..<((i + 1) * columns)].reduce(0) { $0 + $1 * $1 }
          }
          return [difference.map { 3 * $0 }, expectedLossRows(losses, scale: 0.5)]
        })
      for kind in [RowReduction.sumOfSquares, .sumOfAbsoluteValues] {
        for accumulate in [false, true] {
          cases += partCases(
            "penaltyGradient", "\(rows)×\(columns), \(kind)\(accumulate ? ", added" : "")",
            parts: ["gradient", "loss rows"],
            run: { backend in
              let gradient = try backend.makeBuffer(start)
              let loss = try lossRows(backend, rows: rows, scale: 0.25)
              try backend.penaltyGradient(
                try backend.makeBuffer(x), rows: rows, columns: columns,
                Penalty(kind, gradientScale: 1.5, loss: loss), accumulate: accumulate, into: gradient)
              return [doubles(try backend.download(gradient)), doubles(try backend.download(loss.buffer))]
            },
            reference: {
              let squares = kind == .sumOfSquares
              let slopes = x.map { v in squares ? 2 * Double(v) : Double(v > 0 ? 1 : (v < 0 ? -1 : 0)) }
              let gradient = (0..<x.count).map { (accumulate ? Double(start[$0]) : 0) + 1.5 * slopes[$0] }
              let losses = (0..<rows).map { i in
                x[(i * columns)..<((i + 1) * columns)].reduce(0.0) {
                  $0 + (squares ? Double($1) * Double($1) : Swift.abs(Double($1)))
                }
              }
              return [gradient, expectedLossRows(losses, scale: 0.25)]
            })
        }
      }
    }
    return cases
  }

  static func codeGradientCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for (rows, bits) in [(1, 1), (7, 64), (500, 64), (93, 130)] {
      let h = gaussians(rows * bits, seed: 680).map { Float(Foundation.tanh(Double($0))) }
      let start = gaussians(rows * bits, seed: 681)
      let products = gaussians(rows * bits, seed: 682)
      let degrees = gaussians(rows, seed: 683).map { Swift.abs($0) }
      for (quantised, graphed) in [(true, true), (true, false), (false, true)] {
        cases += partCases(
          "codeGradient", "\(rows)×\(bits)\(quantised ? ", quantisation" : "")\(graphed ? ", graph" : "")",
          parts: ["gradient", "graph products", "quantisation loss rows", "graph loss rows"],
          run: { backend in
            let gradient = try backend.makeBuffer(start)
            let negated = try backend.makeBuffer(products)
            let (quantisationLoss, graphLoss) = (
              try lossRows(backend, rows: rows, scale: -0.5), try lossRows(backend, rows: rows, scale: 0.75)
            )
            try backend.codeGradient(
              codes: try backend.makeBuffer(h), rows: rows, bits: bits, gradient: gradient,
              quantisation: quantised ? Penalty(.sumOfSquares, gradientScale: -0.125, loss: quantisationLoss) : nil,
              graph: graphed
                ? GraphGradient(
                  negatedProducts: negated, degrees: try backend.makeBuffer(degrees), gradientScale: 0.3,
                  loss: graphLoss) : nil,
              activation: .tanh)
            return [
              doubles(try backend.download(gradient)), doubles(try backend.download(negated)),
              doubles(try backend.download(quantisationLoss.buffer)), doubles(try backend.download(graphLoss.buffer)),
            ]
          },
          reference: {
            var gradient = start.map(Double.init)
            var laplacian = products.map(Double.init)
            var (squares, graphLosses) = ([Double](repeating: 0, count: rows), [Double](repeating: 0, count: rows))
            for index in 0..<(rows * bits) {
              let (i, value) = (index / bits, Double(h[index]))
              if graphed {
                laplacian[index] += Double(degrees[i]) * value
                graphLosses[i] += value * laplacian[index]
                gradient[index] += 0.3 * laplacian[index]
              }
              if quantised {
                squares[i] += value * value
                gradient[index] += -0.125 * 2 * value
              }
              gradient[index] *= 1 - value * value
            }
            // Absent parts leave their loss rows at one.
            return [
              gradient, laplacian, expectedLossRows(squares, scale: quantised ? -0.5 : 0),
              expectedLossRows(graphLosses, scale: graphed ? 0.75 : 0),
            ]
          })
      }
    }
    return cases
  }

  /// Binary cross-entropy in one pass: logits from an offset, fewer and more of them than a
  /// work-group has lanes, the gradient written at another offset over (β 0, its old
  /// values NaN, never read) or added to (β 1) what was there, the loss added to an
  /// accumulator element that starts at 1; and with neither gradient nor accumulator.
  static func binaryCrossEntropyCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    for (count, target, beta, withGradient) in [
      (37, Float(1), Float(0), true), (300, 0, 1, true), (300, 0.25, 0, false),
    ] {
      let logits = gaussians(count + 3, seed: 640, scale: 4)
      let old = gaussians(count + 5, seed: 641)
      let (lossScale, gradientScale) = (Float(0.7), Float(0.3))
      cases.append(
        ParityCase(
          operation: "binaryCrossEntropy",
          shape: "\(count), target \(target), beta \(beta)\(withGradient ? "" : ", loss only")", tolerance: 1e-5,
          run: { backend in
            let accumulator = try backend.makeBuffer([Float](repeating: 1, count: 3))
            let gradient = try backend.makeBuffer(beta == 0 ? old.map { _ in Float.nan } : old)
            try backend.binaryCrossEntropy(
              try backend.makeBuffer(logits), offset: 3, count: count, target: target, lossScale: lossScale,
              accumulator: accumulator, index: 1, gradient: withGradient ? gradient : nil, gradientOffset: 5,
              gradientScale: gradientScale, beta: beta)
            return doubles(try backend.download(accumulator))
              + (withGradient ? doubles(Array(try backend.download(gradient)[5...])) : [])
          },
          reference: {
            let x = logits[3...].map(Double.init)
            let t = Double(target)
            let loss = x.reduce(0.0) { $0 + max($1, 0) + log1p(exp(-abs($1))) - t * $1 }
            let gradient = zip(x, old[5...]).map { x, old in
              Double(gradientScale) * (1 / (1 + exp(-x)) - t) + Double(beta) * Double(old)
            }
            return [1, 1 + Double(lossScale) * loss, 1] + (withGradient ? gradient : [])
          }))
    }
    return cases
  }
}
