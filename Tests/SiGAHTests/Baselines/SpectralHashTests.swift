// Spectral Hashing chooses its bits as the paper does (the smoothest one-dimensional
// eigenfunctions first: every direction's modes run 1, 2, … without gaps, and a longer
// range never gets fewer modes), survives its model file, and ranks SIFT neighbours
// better than LSH.

import Backend
import Foundation
import Testing

@testable import SiGAH

struct SpectralHashTests {
  static let sift: Result<Matrix, Error> = Result {
    try Dataset.load(TestData.siftBase).vectors.rows(0..<2000)
  }

  @Test(arguments: [16, 64, 200])
  func modesAreTheSmoothestEigenfunctions(_ bits: Int) throws {
    let hash = try SpectralHash.fit(try Self.sift.get(), bits: bits, backend: try CPUBackend())
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
    let data = try Self.sift.get().rows(0..<500)
    let backend = try CPUBackend()
    let model = try HashModel.fitBaseline(.sh, data: data, bits: 48, seed: 0, backend: backend)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sh-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.write(to: path)
    let read = try HashModel.read(from: path)
    #expect(read.method == .sh)
    #expect(try read.encode(data, backend: backend) == model.encode(data, backend: backend))
  }

  /// Through the evaluation protocol (SIFT's 100 queries against 2,000 base vectors, each
  /// query's 50 exact neighbours relevant), beside LSH and IsoH at 32 bits.
  @Test func ranksSIFTNeighboursBetterThanLSH() throws {
    let backend = try CPUBackend()
    let database = try Self.sift.get()
    let queries = try Dataset.load(TestData.siftQueries).vectors
    let split = EvaluationSplit(
      queries: queries, database: database, queryLabels: nil, databaseLabels: nil, queryRows: [])
    let truth = try GroundTruth.compute(queries: queries, database: database, k: 50, backend: backend)
    var settings = ExperimentSettings()
    (settings.methods, settings.bits, settings.seed) = ([.lsh, .sh], [32], 1)
    let rows = try Experiment.run(split: split, groundTruth: (truth, 50), settings: settings, backend: backend)
    let map = { (method: String) in rows.first { $0.method == method }!.euclidean.mAP }
    #expect(map("sh") > map("lsh"), "SH \(map("sh")), LSH \(map("lsh"))")
  }
}
