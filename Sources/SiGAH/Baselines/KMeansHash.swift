// K-means Hashing (He, Wen & Sun, CVPR 2013; METHOD.md §4b): the space is split into M
// subspaces of b bits each; in each, 2^b centres are learned by k-means with an affinity
// term that makes the distance between two centres track the Hamming distance of their
// indices, so that Hamming distances between codes approximate Euclidean distances.
// A vector's code is, subspace by subspace, the index of its nearest centre.

import Backend
import Foundation

public struct KMeansHash: Sendable, Equatable {
  public let mean: [Float]
  /// `d × d`, row-major: column j is the j-th axis of the rotated space, principal axes
  /// ordered so that consecutive runs of `dimensions[m]` form the subspaces.
  public let rotation: [Float]
  /// Per subspace: its number of axes and of bits.
  public let dimensions: [Int]
  public let subspaceBits: [Int]
  /// Per subspace, its `2^b × dimensions[m]` centres, row-major, concatenated.
  public let centres: [Float]
  public var bits: Int { subspaceBits.reduce(0, +) }
  public var inputDimension: Int { mean.count }

  public init(mean: [Float], rotation: [Float], dimensions: [Int], subspaceBits: [Int], centres: [Float]) {
    (self.mean, self.rotation, self.dimensions) = (mean, rotation, dimensions)
    (self.subspaceBits, self.centres) = (subspaceBits, centres)
  }

  /// Offsets of each subspace's centres in `centres`.
  var centreOffsets: [Int] {
    var offsets = [0]
    for (b, dm) in zip(subspaceBits, dimensions) { offsets.append(offsets.last! + (1 << b) * dm) }
    return offsets
  }

  /// Fits on up to `sampleSize` training rows. `bitsPerSubspace` is the paper's b (4; its
  /// code recommends 2 for 32-bit SIFT codes); the last subspace takes what remains of r.
  /// The affinity weight λ = 10 and 50 iterations are the reference code's settings.
  public static func fit(
    _ data: Matrix, bits: Int, seed: UInt64, bitsPerSubspace: Int = 4, lambda: Double = 10, iterations: Int = 50,
    sampleSize: Int = 10_000, backend: any Backend
  ) throws -> KMeansHash {
    let d = data.columns
    guard (1...8).contains(bitsPerSubspace) else {
      throw BackendError.invalidArgument(operation: "kmh", message: "bits per subspace must be 1 to 8")
    }
    var subspaceBits = Array(repeating: bitsPerSubspace, count: bits / bitsPerSubspace)
    if bits % bitsPerSubspace != 0 { subspaceBits.append(bits % bitsPerSubspace) }
    let m = subspaceBits.count
    guard m <= d else {
      throw BackendError.invalidArgument(
        operation: "kmh",
        message: "\(bits) bits need \(m) subspaces of \(bitsPerSubspace) bits, more than the dimension \(d)")
    }
    var generator = SeededGenerator(seed: seed)
    let sample = data.rows > sampleSize ? data.rows(generator.permutation(data.rows).prefix(sampleSize)) : data
    guard sample.rows >= 2 else {
      throw BackendError.invalidArgument(operation: "kmh", message: "needs at least 2 training vectors")
    }
    // Every principal axis, dealt to the subspaces so that the products of their variances
    // are balanced (the sum of log-variances, greedily, as the reference code does).
    let mean = data.columnMeans()
    let (variances, axes) = try PCA.principalAxes(sample, mean: mean, backend: backend)
    let dimensions = (0..<m).map { d / m + ($0 < d % m ? 1 : 0) }
    let order = balancedPartition(variances, dimensions: dimensions)
    var rotation = [Float](repeating: 0, count: d * d)
    for (column, axis) in order.enumerated() {
      for i in 0..<d { rotation[i * d + column] = axes[axis * d + i] }
    }
    let projected = try project(sample, mean: mean, rotation: rotation, backend: backend)
    var centres: [Float] = []
    var first = 0
    for (b, dm) in zip(subspaceBits, dimensions) {
      let block = (0..<sample.rows).flatMap { projected[($0 * d + first)..<($0 * d + first + dm)] }
      centres += affinityPreservingKMeans(
        block.map(Double.init), rows: sample.rows, dimension: dm, bits: b, lambda: lambda, iterations: iterations)
      first += dm
    }
    return KMeansHash(
      mean: mean, rotation: rotation, dimensions: dimensions, subspaceBits: subspaceBits, centres: centres)
  }

  /// Which axis goes where: axes in order of variance, each to the subspace with the
  /// smallest sum of (shifted) log-variances so far that still has room.
  static func balancedPartition(_ variances: [Float], dimensions: [Int]) -> [Int] {
    // Relative to the largest, so that the units of the data change nothing.
    let largest = Double(variances.max() ?? 1)
    let logs = variances.map { log(max(Double($0) / largest, 1e-20)) }
    let shift = 1 - (logs.min() ?? 0)
    var members = [[Int]](repeating: [], count: dimensions.count)
    var sums = [Double](repeating: 0, count: dimensions.count)
    for (axis, value) in logs.enumerated() {
      let open = dimensions.indices.filter { members[$0].count < dimensions[$0] }
      let target = open.min { sums[$0] < sums[$1] || (sums[$0] == sums[$1] && $0 < $1) }!
      members[target].append(axis)
      sums[target] += value + shift
    }
    return members.flatMap { $0 }
  }

  /// `(x − μ)·rotation` for every row, on the backend.
  static func project(_ data: Matrix, mean: [Float], rotation: [Float], backend: any Backend) throws -> [Float] {
    try PCA.project(data, mean: mean, onto: rotation, outputs: data.columns, rowsAreInputs: true, backend: backend)
  }

  /// The 2^b centres of one subspace (`rows × dimension` data, already rotated), as the
  /// paper's Eq. 8: k-means error plus 2λ times the weighted squared gap between centre
  /// distances and s·2·√(Hamming distance of their indices), s fixed by the PCAH start.
  static func affinityPreservingKMeans(
    _ x: [Double], rows n: Int, dimension dm: Int, bits b: Int, lambda: Double, iterations: Int
  ) -> [Float] {
    let k = 1 << b
    // The start: PCAH in the subspace, index bit t on the t-th principal axis there (the
    // axes arrive in order of variance), centres at ±s with s the mean |projection|.
    let used = min(b, dm)
    var s = 0.0
    for i in 0..<n { for t in 0..<used { s += abs(x[i * dm + t]) } }
    s /= Double(n * max(used, 1))
    var centres = [Double](repeating: 0, count: k * dm)
    for j in 0..<k {
      for t in 0..<used { centres[j * dm + t] = (j >> t) & 1 == 1 ? s : -s }
    }
    let target = (0..<(k * k)).map { 2 * s * Double(($0 / k ^ $0 % k).nonzeroBitCount).squareRoot() }
    var assignment = [Int](repeating: 0, count: n)
    for _ in 0..<iterations {
      for i in 0..<n { assignment[i] = nearest(x, row: i, dimension: dm, centres: centres, count: k) }
      var counts = [Double](repeating: 0, count: k)
      var sums = [Double](repeating: 0, count: k * dm)
      for i in 0..<n {
        counts[assignment[i]] += 1
        for t in 0..<dm { sums[assignment[i] * dm + t] += x[i * dm + t] }
      }
      for j in 0..<k {
        centres.replaceSubrange(
          (j * dm)..<((j + 1) * dm),
          with: updatedCentre(
            j, centres: centres, counts: counts, sums: sums, target: target, n: Double(n), dimension: dm, k: k,
            lambda: lambda))
      }
    }
    return centres.map { Float($0) }
  }

  /// Centre j after gradient steps with backtracking on its own cost (the reference code
  /// runs a quasi-Newton minimiser here): `(−2·S_j + n_j·c)·c/n + 2λ·n_j·Σ_i n_i·(‖c − c_i‖ − h_ij)²/n²`.
  static func updatedCentre(
    _ j: Int, centres: [Double], counts: [Double], sums: [Double], target: [Double], n: Double, dimension dm: Int,
    k: Int, lambda: Double
  ) -> [Double] {
    func cost(_ c: [Double]) -> Double {
      var quantisation = 0.0
      for t in 0..<dm { quantisation += (-2 * sums[j * dm + t] + counts[j] * c[t]) * c[t] }
      var affinity = 0.0
      for i in 0..<k where i != j {
        var squared = 0.0
        for t in 0..<dm { squared += (c[t] - centres[i * dm + t]) * (c[t] - centres[i * dm + t]) }
        let gap = squared.squareRoot() - target[i * k + j]
        affinity += counts[i] * gap * gap
      }
      return quantisation / n + 2 * lambda * counts[j] * affinity / (n * n)
    }
    var c = Array(centres[(j * dm)..<((j + 1) * dm)])
    var current = cost(c)
    var step = 1.0
    for _ in 0..<20 {
      var gradient = [Double](repeating: 0, count: dm)
      for t in 0..<dm { gradient[t] = (-2 * sums[j * dm + t] + 2 * counts[j] * c[t]) / n }
      for i in 0..<k where i != j {
        var squared = 0.0
        for t in 0..<dm { squared += (c[t] - centres[i * dm + t]) * (c[t] - centres[i * dm + t]) }
        let distance = max(squared.squareRoot(), 1e-12)
        let factor = 4 * lambda * counts[j] * counts[i] * (distance - target[i * k + j]) / distance / (n * n)
        for t in 0..<dm { gradient[t] += factor * (c[t] - centres[i * dm + t]) }
      }
      var improved = false
      while step > 1e-12 {
        let trial = zip(c, gradient).map { $0 - step * $1 }
        let value = cost(trial)
        if value < current {
          (c, current, improved) = (trial, value, true)
          step *= 2
          break
        }
        step /= 2
      }
      if !improved { break }
    }
    return c
  }

  /// The index of the centre nearest row `i` (ties: the lower index).
  static func nearest(_ x: [Double], row i: Int, dimension dm: Int, centres: [Double], count k: Int) -> Int {
    var (best, bestDistance) = (0, Double.infinity)
    for j in 0..<k {
      var squared = 0.0
      for t in 0..<dm { squared += (x[i * dm + t] - centres[j * dm + t]) * (x[i * dm + t] - centres[j * dm + t]) }
      if squared < bestDistance { (best, bestDistance) = (j, squared) }
    }
    return best
  }

  /// Each subspace's nearest-centre index, its bits in order, packed.
  public func encode(_ data: Matrix, backend: any Backend, batchSize: Int = 4096, progress: (Int) -> Void = { _ in })
    throws -> PackedCodes
  {
    try data.requireDimension(inputDimension)
    let d = inputDimension
    let words = codeWords(bits: bits)
    let offsets = centreOffsets
    let centres = self.centres.map(Double.init)
    var out = [UInt64](repeating: 0, count: data.rows * words)
    for block in data.rowBlocks(max(1, min(batchSize, data.rows))) {
      let projected = try Self.project(data.rows(block), mean: mean, rotation: rotation, backend: backend)
        .map(Double.init)
      for row in 0..<block.count {
        var (first, bit) = (0, 0)
        for (subspace, (b, dm)) in zip(subspaceBits, dimensions).enumerated() {
          let x = Array(projected[(row * d + first)..<(row * d + first + dm)])
          let local = Array(centres[offsets[subspace]..<offsets[subspace + 1]])
          let index = Self.nearest(x, row: 0, dimension: dm, centres: local, count: 1 << b)
          for t in 0..<b where (index >> t) & 1 == 1 {
            out[(block.lowerBound + row) * words + (bit + t) / 64] |= 1 << UInt64((bit + t) % 64)
          }
          (first, bit) = (first + dm, bit + b)
        }
      }
      progress(block.upperBound)
    }
    return PackedCodes(count: data.rows, bits: bits, words: out)
  }
}
