// K-means Hashing does what the paper asks of it: the affinity term pulls the distances
// between centres towards the Hamming distances of their indices (plain k-means does not),
// a code is each subspace's nearest centre, and the model file gives the same codes.

import Backend
import Foundation
import Testing

@testable import SiGAH

struct KMeansHashTests {
  /// Mean relative gap between centre distances and 2s·√Hamming over all pairs of one
  /// subspace, s fitted by least squares (the scale that suits the centres best).
  static func affinityGap(_ hash: KMeansHash, subspace: Int) -> Double {
    let (b, dm) = (hash.subspaceBits[subspace], hash.dimensions[subspace])
    let k = 1 << b
    let centres = Array(hash.centres[hash.centreOffsets[subspace]..<hash.centreOffsets[subspace + 1]]).map(Double.init)
    var pairs: [(distance: Double, hamming: Double)] = []
    for i in 0..<k {
      for j in (i + 1)..<k {
        let squared = (0..<dm).reduce(0.0) { $0 + pow(centres[i * dm + $1] - centres[j * dm + $1], 2) }
        pairs.append((squared.squareRoot(), 2 * Double((i ^ j).nonzeroBitCount).squareRoot()))
      }
    }
    let s = pairs.reduce(0) { $0 + $1.distance * $1.hamming } / pairs.reduce(0) { $0 + $1.hamming * $1.hamming }
    return pairs.reduce(0) { $0 + abs($1.distance - s * $1.hamming) / (s * $1.hamming) } / Double(pairs.count)
  }

  @Test func theAffinityTermMakesCentreDistancesFollowHammingDistances() throws {
    let data = try TestData.sift2000.get()
    let backend = try CPUBackend()
    let affine = try KMeansHash.fit(data, bits: 16, seed: 1, iterations: 20, backend: backend)
    let plain = try KMeansHash.fit(data, bits: 16, seed: 1, lambda: 0, iterations: 20, backend: backend)
    for subspace in 0..<4 {
      let (withTerm, without) = (
        Self.affinityGap(affine, subspace: subspace), Self.affinityGap(plain, subspace: subspace)
      )
      #expect(withTerm < without, "subspace \(subspace): gap \(withTerm) with λ = 10, \(without) without")
    }
  }

  @Test func aCodeIsEachSubspacesNearestCentre() throws {
    let data = try TestData.sift2000.get().rows(0..<300)
    let backend = try CPUBackend()
    let hash = try KMeansHash.fit(data, bits: 24, seed: 2, iterations: 5, backend: backend)
    #expect(hash.subspaceBits == [4, 4, 4, 4, 4, 4] && hash.dimensions.reduce(0, +) == 128)
    let codes = try hash.encode(data, backend: backend)
    let projected = try KMeansHash.project(data, mean: hash.mean, rotation: hash.rotation, backend: backend)
    for row in stride(from: 0, to: data.rows, by: 37) {
      var (first, bit) = (0, 0)
      for (subspace, dm) in hash.dimensions.enumerated() {
        let x = projected[(row * 128 + first)..<(row * 128 + first + dm)]
        let centres = hash.centres[hash.centreOffsets[subspace]..<hash.centreOffsets[subspace + 1]]
        let distances = (0..<16).map { j in
          zip(x, centres.dropFirst(j * dm).prefix(dm)).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) }
        }
        let index = distances.indices.min { distances[$0] < distances[$1] }!
        let stored = Int((codes.words[row] >> UInt64(bit)) & 15)
        #expect(stored == index, "row \(row), subspace \(subspace)")
        (first, bit) = (first + dm, bit + 4)
      }
    }
  }

  @Test func theModelFileGivesTheSameCodes() throws {
    let data = try TestData.sift2000.get().rows(0..<400)
    let backend = try CPUBackend()
    let model = try HashModel.fitBaseline(.kmh, data: data, bits: 18, seed: 0, backend: backend)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kmh-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.write(to: path)
    let read = try HashModel.read(from: path)
    #expect(read.method == .kmh && read.bits == 18)
    #expect(try read.encode(data, backend: backend) == model.encode(data, backend: backend))
  }
}
