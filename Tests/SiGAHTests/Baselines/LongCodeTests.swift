// Codes longer than the dimension (r > d): PCAH and ITQ fill the bits past d from rotations
// of the PCA basis (METHOD.md §4), and on real descriptors they stay at least as good as LSH at
// the same length, as every PCA-based method does below d.

import Backend
import Foundation
import Testing

@testable import SiGAH

struct LongCodeTests {
  @Test(arguments: [160, 256])
  func pcahAndITQPastTheDimensionBeatLSH(_ bits: Int) throws {
    let data = try TestData.sift2000.get()
    let backend = try CPUBackend()
    let validation = try ValidationSplit(training: data, size: 200, k: 50, seed: 1, backend: backend)
    let lsh = try validation.meanAveragePrecision(LinearBaselines.lsh(data, bits: bits, seed: 1))
    for method in [HashMethod.pcah, .itq] {
      guard
        case .linear(let hash, _) = try HashModel.fitBaseline(method, data: data, bits: bits, seed: 1, backend: backend)
      else { throw TrainingError.invalidData("\(method) is not linear") }
      #expect(hash.bits == bits && hash.projection.count == bits * data.columns)
      let map = try validation.meanAveragePrecision(hash)
      #expect(map >= lsh, "\(method) at \(bits) bits: \(map), LSH \(lsh)")
    }
  }

  /// ITQ's d × r matrix has orthonormal rows, so `W = RᵀP` is a Parseval frame of the PCA
  /// space: `WᵀW` is the identity on it (here, with all d components, the identity).
  @Test func itqPastTheDimensionIsATightFrame() throws {
    let data = try TestData.sift2000.get().rows(0..<1000)
    let d = 16
    let narrow = Matrix(
      rows: data.rows, columns: d, values: (0..<data.rows).flatMap { data[$0].prefix(d) })
    let hash = try LinearBaselines.itq(narrow, bits: 40, iterations: 10, seed: 3, backend: try CPUBackend())
    for i in 0..<d {
      for j in 0..<d {
        let product = (0..<40).reduce(0.0) {
          $0 + Double(hash.projection[$1 * d + i]) * Double(hash.projection[$1 * d + j])
        }
        #expect(abs(product - (i == j ? 1 : 0)) < 1e-4, "WᵀW[\(i), \(j)] = \(product)")
      }
    }
  }

  /// Bits past d are new bits: PCAH's blocks are distinct rotations. ITQ's frame may
  /// repeat a direction (a repeated bit quantises as well as the first), and on SIFT at
  /// r = 2d it repeats 19 of the 128 bits past d (seed 2): at most a quarter is allowed.
  @Test func bitsPastTheDimensionAreMostlyNewBits() throws {
    let data = try TestData.sift2000.get().rows(0..<1000)
    let backend = try CPUBackend()
    for method in [HashMethod.pcah, .itq] {
      let codes = try HashModel.fitBaseline(method, data: data, bits: 256, seed: 2, backend: backend)
        .encode(data, backend: backend)
      func column(_ bit: Int) -> [UInt64] {
        (0..<data.rows).map { (codes.words[$0 * 4 + bit / 64] >> UInt64(bit % 64)) & 1 }
      }
      let columns = (0..<256).map(column)
      let repeated = (128..<256).filter { bit in (0..<bit).contains { columns[$0] == columns[bit] } }
      #expect(repeated.count <= (method == .pcah ? 0 : 32), "\(method): bits \(repeated) repeat earlier bits")
    }
  }

  /// Spherical Hashing's pairwise overlaps are popcounts of bit sets: 1,024 spheres on
  /// 300 × 16 fit in seconds (a Bool a point took 84 s here), every sphere holding half
  /// the points and each pair's overlap near a quarter on average.
  @Test func sphericalHashingFitsAThousandSpheresInSeconds() throws {
    var generator = SeededGenerator(seed: 3)
    let data = Matrix(rows: 300, columns: 16, values: (0..<4800).map { _ in Float(generator.uniform() * 2 - 1) })
    let started = Date()
    let hash = try SphericalHash.fit(data, bits: 1024, seed: 1, backend: try CPUBackend())
    #expect(Date().timeIntervalSince(started) < 60)
    #expect(hash.bits == 1024 && hash.radii.allSatisfy { $0.isFinite && $0 > 0 })
    let codes = try hash.encode(data, backend: try CPUBackend())
    let ones = (0..<1024).map { k in (0..<300).filter { codes.bit(k, of: $0) }.count }
    #expect(ones.allSatisfy { (140...160).contains($0) }, "\(ones.min()!)...\(ones.max()!)")
  }
}
