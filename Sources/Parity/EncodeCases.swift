// Parity cases of a linear hash's fused encoding (`projectSignPack`, kernels/encode.cl).
// The inputs and addends are small integers and the offsets halves, so every projection is
// exact in Float whatever the order of its sum and never 0: every backend must give the
// same codes, and leave the codes outside its range alone.

import Backend

extension ParitySuite {
  static func encodeCases() -> [ParityCase] {
    var cases: [ParityCase] = []
    // One bit of one column; rows from past the first, codes from past the first; a
    // partial second word; more rows than a work-group codes; the longest code; with an
    // addend (an MLP's skip): rows multiplied in place, centred rows, a partial last block.
    for (rows, columns, bits, firstRow, firstCode, centre, adds) in [
      (1, 1, 1, 0, 0, false, false), (37, 33, 64, 5, 3, true, false), (16, 784, 70, 0, 0, true, false),
      (100, 93, 130, 7, 0, false, false), (3, 5, maximumCodeBits, 1, 2, true, false), (1, 1, 1, 0, 0, false, true),
      (37, 256, 64, 0, 3, false, true), (67, 40, 130, 2, 0, true, true),
    ] {
      var generator = SeededGenerator(seed: 160)
      let integers = { (count: Int, range: ClosedRange<Int>) in
        (0..<count).map { _ in Float(range.lowerBound + Int(generator.next() % UInt64(range.count))) }
      }
      let x = integers((firstRow + rows) * columns, 0...15)
      let mean = integers(columns, 0...7)
      // Wᵀ, columns × bits.
      let transposed = integers(columns * bits, -3...3)
      let offset = integers(bits, -5...5).map { $0 + 0.5 }
      let addend = adds ? integers(rows * bits, -40...40) : nil
      let words = codeWords(bits: bits)
      let untouched = [UInt64](repeating: 0xDEAD_BEEF_0BAD_F00D, count: (firstCode + rows + 1) * words)
      cases.append(
        ParityCase(
          operation: "projectSignPack",
          shape: "\(rows)×\(columns) from row \(firstRow), \(bits) bits from code \(firstCode)"
            + (centre ? ", centred" : "") + (adds ? ", with an addend" : ""),
          tolerance: 0,
          run: { backend in
            let codes = try backend.makeBuffer(untouched)
            let workspace = SignProjectionWorkspace(
              rows: rows, centred: try backend.makeBuffer(Float.self, count: rows * columns),
              projections: try backend.makeBuffer(Float.self, count: rows * bits),
              codes: try backend.makeBuffer(UInt64.self, count: rows * words),
              identity: try backend.makeBuffer((0..<Int32(firstRow + rows)).map { $0 }))
            try backend.projectSignPack(
              try backend.makeBuffer(x), firstRow: firstRow, rows: rows, columns: columns,
              subtracting: centre ? try backend.makeBuffer(mean) : nil,
              transposedProjection: try backend.makeBuffer(transposed),
              adding: try addend.map { try backend.makeBuffer($0) }, offset: try backend.makeBuffer(offset), bits: bits,
              into: codes, firstCode: firstCode,
              workspace: workspace)
            return halves(try backend.download(codes))
          },
          reference: {
            var codes = untouched
            for i in 0..<rows {
              let values = (0..<bits).map { b -> Double in
                let start: Double = Double(offset[b]) + Double(addend?[i * bits + b] ?? 0)
                return (0..<columns).reduce(start) { sum, k in
                  let value: Double = Double(x[(firstRow + i) * columns + k]) - (centre ? Double(mean[k]) : 0)
                  return sum + value * Double(transposed[k * bits + b])
                }
              }
              let packed = Reference.signPack(values.map(Float.init), rows: 1, bits: bits)
              codes.replaceSubrange(((firstCode + i) * words)..<((firstCode + i + 1) * words), with: packed)
            }
            return halves(codes)
          }))
    }
    return cases
  }
}
