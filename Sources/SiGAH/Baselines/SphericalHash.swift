// Spherical Hashing (Heo, Lee, He, Chang, Yoon, CVPR 2012): bit k is 1 when x lies in
// the hypersphere (p_k, t_k). Pivots are moved by pairwise forces until each sphere holds
// half the training points and each pair of spheres shares a quarter. Codes are ranked
// by Hamming distance here, like every other method (the paper's spherical Hamming
// distance |a⊕b|/|a∧b| is not used), so all methods share one search and evaluation.

import Backend
import Foundation

public struct SphericalHash: Sendable, Equatable {
  /// Pivots `p_k`, `bits × d` row-major.
  public var pivots: [Float]
  /// Radii `t_k`.
  public var radii: [Float]
  public let bits: Int
  public let inputDimension: Int

  public init(pivots: [Float], radii: [Float], bits: Int, inputDimension: Int) {
    self.pivots = pivots
    self.radii = radii
    self.bits = bits
    self.inputDimension = inputDimension
  }

  /// Fits on up to `sampleSize` training rows; stops when the overlaps' mean and standard
  /// deviation are within 10 % and 15 % of n/4 (the paper's ε_m, ε_s), after
  /// `iterations`, or at the first iteration past `deadline`. `progress` receives the
  /// iterations done and `iterations`.
  public static func fit(
    _ data: Matrix, bits: Int, seed: UInt64, backend: any Backend, sampleSize: Int = 10_000, iterations: Int = 50,
    deadline: Date? = nil, progress: (Int, Int) -> Void = { _, _ in }
  ) throws -> SphericalHash {
    var generator = SeededGenerator(seed: seed)
    let sample = data.rows > sampleSize ? data.rows(generator.permutation(data.rows).prefix(sampleSize)) : data
    let (n, d) = (sample.rows, sample.columns)
    guard n >= 2 else {
      throw BackendError.invalidArgument(operation: "sph", message: "needs at least 2 training vectors")
    }
    var pivots = sample.rows(generator.permutation(n).prefix(bits).map { $0 }).values
    while pivots.count < bits * d { pivots += sample[Int(generator.next() % UInt64(n))] }  // more bits than points
    let x = try backend.makeBuffer(sample.values)
    let xNorms = try backend.makeBuffer(Float.self, count: n)
    try backend.squaredRowNorms(x, rows: n, columns: d, into: xNorms)
    let distances = try backend.makeBuffer(Float.self, count: n * bits)
    var radii = [Float](repeating: 0, count: bits)
    let quarter = Double(n) / 4
    for iteration in 0..<iterations {
      let squared = try squaredDistances(
        x, xNorms, rows: n, pivots: pivots, bits: bits, d: d, backend: backend, into: distances)
      // Radius: the median distance, so each sphere holds half the points.
      // Which points each sphere holds, as bit sets: the overlaps of every pair of spheres
      // are then popcounts of ANDs (r² pairs × n/64 words, where a Bool a point took
      // 4,096 bits past 300 s).
      let words = (n + 63) / 64
      var inside = [UInt64](repeating: 0, count: bits * words)
      for k in 0..<bits {
        let column = (0..<n).map { squared[$0 * bits + k] }
        radii[k] = column.sorted()[n / 2].squareRoot()
        for (point, value) in column.enumerated() where value <= radii[k] * radii[k] {
          inside[k * words + point / 64] |= 1 << UInt64(point % 64)
        }
      }
      var overlaps = [Int32](repeating: 0, count: bits * bits)
      inside.withUnsafeBufferPointer { sets in
        overlaps.withUnsafeMutableBufferPointer { out in
          nonisolated(unsafe) let (sets, out) = (sets, out)
          DispatchQueue.concurrentPerform(iterations: bits) { i in
            for j in (i + 1)..<max(bits, i + 1) {
              var count = 0
              for w in 0..<words { count += (sets[i * words + w] & sets[j * words + w]).nonzeroBitCount }
              (out[i * bits + j], out[j * bits + i]) = (Int32(count), Int32(count))
            }
          }
        }
      }
      var forces = [Float](repeating: 0, count: bits * d)
      var deviations: [Double] = []
      for i in 0..<bits {
        for j in 0..<bits where j != i {
          let overlap = Double(overlaps[i * bits + j])
          deviations.append(abs(overlap - quarter))
          let strength = Float(0.5 * (overlap - quarter) / quarter)
          for c in 0..<d { forces[i * d + c] += strength * (pivots[i * d + c] - pivots[j * d + c]) / Float(bits) }
        }
      }
      let mean = deviations.isEmpty ? 0 : deviations.reduce(0, +) / Double(deviations.count)
      let spread =
        deviations.isEmpty
        ? 0 : (deviations.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(deviations.count)).squareRoot()
      progress(iteration + 1, iterations)
      // The last iteration keeps its pivots: the radii returned are theirs.
      let outOfTime = deadline.map { Date() >= $0 } ?? false
      if mean <= 0.1 * quarter && spread <= 0.15 * quarter || iteration == iterations - 1 || outOfTime { break }
      for index in pivots.indices { pivots[index] += forces[index] }
    }
    return SphericalHash(pivots: pivots, radii: radii, bits: bits, inputDimension: d)
  }

  /// `‖x_i − p_k‖²` for every row and pivot, downloaded.
  static func squaredDistances(
    _ x: DeviceBuffer<Float>, _ xNorms: DeviceBuffer<Float>, rows n: Int, pivots: [Float], bits: Int, d: Int,
    backend: any Backend, into distances: DeviceBuffer<Float>
  ) throws -> [Float] {
    let p = try backend.makeBuffer(pivots)
    let pNorms = try backend.makeBuffer(Float.self, count: bits)
    try backend.squaredRowNorms(p, rows: bits, columns: d, into: pNorms)
    try backend.squaredDistances(
      x, rows: n, p, columns: bits, dimension: d, rowNorms: xNorms, columnNorms: pNorms, into: distances)
    return try backend.download(distances, count: n * bits)
  }

  /// Bit k = 1 when `‖x − p_k‖ ≤ t_k`, i.e. `t_k² − ‖x − p_k‖² ≥ 0`, packed on the backend.
  public func encode(_ data: Matrix, backend: any Backend, batchSize: Int = 4096, progress: (Int) -> Void = { _ in })
    throws -> PackedCodes
  {
    try data.requireDimension(inputDimension)
    let batch = max(1, min(batchSize, data.rows))
    let x = try backend.makeBuffer(Float.self, count: batch * inputDimension)
    let norms = try backend.makeBuffer(Float.self, count: batch)
    let distances = try backend.makeBuffer(Float.self, count: batch * bits)
    let squaredRadii = try backend.makeBuffer(radii.map { $0 * $0 })
    let codes = try backend.makeBuffer(UInt64.self, count: batch * codeWords(bits: bits))
    let p = try backend.makeBuffer(pivots)
    let pNorms = try backend.makeBuffer(Float.self, count: bits)
    try backend.squaredRowNorms(p, rows: bits, columns: inputDimension, into: pNorms)
    var words: [UInt64] = []
    for block in data.rowBlocks(batch) {
      let n = block.count
      try backend.upload(data.values(ofRows: block), to: x)
      try backend.squaredRowNorms(x, rows: n, columns: inputDimension, into: norms)
      try backend.squaredDistances(
        x, rows: n, p, columns: bits, dimension: inputDimension, rowNorms: norms, columnNorms: pNorms, into: distances)
      try backend.linearCombination(alpha: -1, distances, beta: 0, distances, into: distances, count: n * bits)
      try backend.addRowVector(squaredRadii, to: distances, rows: n, columns: bits)
      try backend.signPack(distances, rows: n, bits: bits, into: codes)
      words += try backend.download(codes, count: n * codeWords(bits: bits))
      progress(block.upperBound)
    }
    return PackedCodes(count: data.rows, bits: bits, words: words)
  }
}
