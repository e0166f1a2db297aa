// Isotropic Hashing does what it is named for: every bit's projection has the same variance
// on the training data (PCA's differ by orders of magnitude on SIFT), below and past the
// dimension.s.

import Backend
import Testing

@testable import SiGAH

struct IsotropicHashTests {
  @Test(arguments: [32, 200])
  func everyBitHasTheSameVariance(_ bits: Int) throws {
    let data = try TestData.sift2000.get()
    let backend = try CPUBackend()
    let hash = try IsotropicHash.fit(data, bits: bits, seed: 1, backend: backend)
    let variances = try IsotropicHash.projectedVariances(
      hash.projection, rows: bits, data: data, mean: hash.mean, backend: backend)
    let (smallest, largest) = (variances.min()!, variances.max()!)
    #expect(largest <= smallest * 1.02, "bit variances from \(smallest) to \(largest)")
    // PCA's own spread, for contrast: the test would fail without the rotation.
    let pca = try LinearBaselines.pcah(data, bits: min(bits, 128), backend: backend)
    let pcaVariances = try IsotropicHash.projectedVariances(
      pca.projection, rows: min(bits, 128), data: data, mean: pca.mean, backend: backend)
    #expect(pcaVariances.max()! > pcaVariances.min()! * 5)
  }
}
