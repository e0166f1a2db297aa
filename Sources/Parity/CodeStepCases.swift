// Parity cases of BA's code step (`flipCodeBits`) against its definition run serially in
// Float: every product in it is by ±1, so every backend must give the same codes, flip
// counts and mismatch counts exactly.

import Backend

extension ParitySuite {
  static func codeStepCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    // A single bit; a block that starts past row 0 (rows before it untouched); widths that
    // are not a power of two and wider than a GPU group; one pass against several.
    for (rows, bits, passes, firstRow) in [
      (1, 1, 1, 0), (37, 64, 4, 5), (9, 93, 2, 0), (300, 16, 4, 100), (5, 200, 4, 0),
    ] {
      let total = firstRow + rows
      // G = BBᵀ of a random decoder, as the code step gets it; targets of the same order.
      let basis = gaussians(bits * 2 * bits, seed: 140)
      let gram = (0..<(bits * bits)).map { entry in
        (0..<(2 * bits)).reduce(Float(0)) {
          $0 + basis[entry / bits * 2 * bits + $1] * basis[entry % bits * 2 * bits + $1]
        }
      }
      let scale = Double(bits).squareRoot() * 2
      let projections = gaussians(rows * bits, seed: 141, scale: scale)
      let shift = gaussians(bits, seed: 142)
      // Some scores exactly 0: h is +1 there.
      let scores = gaussians(rows * bits, seed: 143).enumerated().map { $0.offset % 7 == 3 ? 0 : $0.element }
      let codes = gaussians(total * bits, seed: 144).map { $0 < 0 ? Float(-1) : 1 }
      let penalty = Float(0.1)
      cases.append(
        ParityCase(
          operation: "flipCodeBits", shape: "\(rows) rows from \(firstRow), \(bits) bits, \(passes) passes",
          tolerance: 0,
          run: { backend in
            let z = try backend.makeBuffer(codes)
            let (flips, mismatches) = (
              try backend.makeBuffer([Float](repeating: -1, count: total)),
              try backend.makeBuffer([Float](repeating: -1, count: total))
            )
            try backend.flipCodeBits(
              z, firstRow: firstRow, rows: rows, bits: bits, projections: try backend.makeBuffer(projections),
              shift: try backend.makeBuffer(shift), scores: try backend.makeBuffer(scores),
              gram: try backend.makeBuffer(gram), penalty: penalty, passes: passes, flips: flips, mismatches: mismatches
            )
            return doubles(try backend.download(z) + backend.download(flips) + backend.download(mismatches))
          },
          reference: {
            Reference.codeStep(
              codes: codes, firstRow: firstRow, rows: rows, bits: bits, projections: projections, shift: shift,
              scores: scores, gram: gram, penalty: penalty, passes: passes)
          }))
    }
    return cases
  }
}

extension Reference {
  /// The code step as METHOD.md §11 states it, one row after another: the codes, then the
  /// flips and mismatches of every row (−1 before `firstRow`, which it leaves alone).
  public static func codeStep(
    codes: [Float], firstRow: Int, rows: Int, bits k: Int, projections: [Float], shift: [Float], scores: [Float],
    gram g: [Float], penalty: Float, passes: Int
  ) -> [Double] {
    var z = codes
    var flips = [Float](repeating: -1, count: firstRow + rows)
    var mismatches = flips
    let mu = penalty * ((0..<k).reduce(Float(0)) { $0 + g[$1 * k + $1] } / Float(k))
    for i in 0..<rows {
      let row = (firstRow + i) * k
      let h = (0..<k).map { scores[i * k + $0] < 0 ? Float(-1) : 1 }
      let v = (0..<k).map { projections[i * k + $0] - shift[$0] + mu * h[$0] }
      var gz = (0..<k).map { a in (0..<k).reduce(Float(0)) { $0 + g[a * k + $1] * z[row + $1] } }
      var count = 0
      for _ in 0..<passes {
        let before = count
        for a in 0..<k where g[a * k + a] - z[row + a] * gz[a] + z[row + a] * v[a] < 0 {
          let za = z[row + a]
          z[row + a] = -za
          for b in 0..<k { gz[b] -= 2 * za * g[b * k + a] }
          count += 1
        }
        if count == before { break }
      }
      flips[firstRow + i] = Float(count)
      mismatches[firstRow + i] = Float((0..<k).filter { h[$0] != z[row + $0] }.count)
    }
    return (z + flips + mismatches).map(Double.init)
  }
}
