// Spectral Hashing chooses its bits as the paper does (the smoothest one-dimensional
// eigenfunctions first: every direction's modes run 1, 2, … without gaps, and a longer
// range never gets fewer modes) and survives its model file.

import Backend
import Foundation
import Testing

@testable import SiGAH

struct SpectralHashTests {
  @Test(arguments: [16, 64, 200])
  func modesAreTheSmoothestEigenfunctions(_ bits: Int) throws {
    let hash = try SpectralHash.fit(try TestData.sift2000.get(), bits: bits, backend: try CPUBackend())
    #expect(hash.bits == bits)
    let frequencies = zip(hash.components, hash.modes).map { Double($1) / Double(hash.range[$0]) }
    #expect(frequencies == frequencies.sorted(), "bits are not in order of smoothness")
    for k in Set(hash.components) {
      let modes = zip(hash.components, hash.modes).filter { $0.0 == k }.map(\.1).sorted()
      #expect(modes == Array(1...modes.count), "direction \(k) has modes \(modes)")
    }
    let counts = (0..<hash.minimum.count).map { k in hash.components.filter { $0 == k }.count }
    for a in counts.indices {
      for b in counts.indices where hash.range[a] > hash.range[b] {
        #expect(counts[a] >= counts[b], "a longer range got fewer modes")
      }
    }
  }

  @Test func theModelFileGivesTheSameCodes() throws {
    let data = try TestData.sift2000.get().rows(0..<500)
    let backend = try CPUBackend()
    let model = try HashModel.fitBaseline(.sh, data: data, bits: 48, seed: 0, backend: backend)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sh-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.write(to: path)
    let read = try HashModel.read(from: path)
    #expect(read.method == .sh)
    #expect(try read.encode(data, backend: backend) == model.encode(data, backend: backend))
  }
}
