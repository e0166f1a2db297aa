// CPU backend: BA's code step (METHOD.md §11), rows in parallel, each row's bits in order.

extension CPUBackend {
  public func uncheckedFlipCodeBits(
    _ codes: DeviceBuffer<Float>, firstRow: Int, rows: Int, bits k: Int, projections: DeviceBuffer<Float>,
    shift: DeviceBuffer<Float>, scores: DeviceBuffer<Float>, gram: DeviceBuffer<Float>, penalty: Float,
    passes: Int, flips: DeviceBuffer<Float>, mismatches: DeviceBuffer<Float>
  ) throws {
    let operation = "flipCodeBits"
    let z = try pointer(codes, operation, "codes") + firstRow * k
    let projected = try pointer(projections, operation, "projections")
    let s = try pointer(shift, operation, "shift")
    let score = try pointer(scores, operation, "scores")
    let g = try pointer(gram, operation, "gram")
    let flipped = try pointer(flips, operation, "flips") + firstRow
    let differing = try pointer(mismatches, operation, "mismatches") + firstRow
    var diagonal: Float = 0
    for a in 0..<k { diagonal += g[a * k + a] }
    let mu = penalty * (diagonal / Float(k))
    parallelChunks(rows, minimumPerChunk: max(1, 4096 / k)) { range in
      var gz = [Float](repeating: 0, count: k)
      var v = [Float](repeating: 0, count: k)
      for i in range {
        let row = i * k
        for a in 0..<k {
          let h: Float = score[row + a] < 0 ? -1 : 1
          v[a] = projected[row + a] - s[a] + mu * h
          var sum: Float = 0
          for b in 0..<k { sum += g[a * k + b] * z[row + b] }
          gz[a] = sum
        }
        var count = 0
        for _ in 0..<passes {
          var any = false
          for a in 0..<k {
            let za = z[row + a]
            // Δ of flipping bit a: 4G_aa − 4z_a(Gz)_a + 4z_a·v_a.
            if g[a * k + a] - za * gz[a] + za * v[a] < 0 {
              z[row + a] = -za
              for b in 0..<k { gz[b] -= 2 * za * g[b * k + a] }
              count += 1
              any = true
            }
          }
          if !any { break }
        }
        var unlike = 0
        for a in 0..<k where (score[row + a] < 0 ? -1 : 1) != z[row + a] { unlike += 1 }
        flipped[i] = Float(count)
        differing[i] = Float(unlike)
      }
    }
  }
}
