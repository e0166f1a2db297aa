// The ordering every paper reports, on real data: on MNIST t10k (METHOD.md §5 split: 1,000
// queries, 9,000 database and training), ITQ beats LSH on Euclidean top-1000 mAP at
// 16, 32 and 64 bits; SiGAH after a short training beats LSH at 32 and 64 bits.

import Backend
import Testing

@testable import SiGAH

@Suite(.serialized) struct MNISTAccuracyTests {
  static let setup: Result<(EvaluationSplit, [Int32]), Error> = Result {
    let dataset = try Dataset.load(TestData.mnistImages)
    let split = try EvaluationSplit.random(dataset, queryCount: 1000, seed: 0)
    let truth = try GroundTruth.compute(
      queries: split.queries, database: split.database, k: 1000, backend: try CPUBackend())
    return (split, truth)
  }

  func run(_ methods: [HashMethod], bits: [Int], epochs: Int = 1) throws -> [ExperimentRow] {
    let (split, truth) = try Self.setup.get()
    var settings = ExperimentSettings()
    settings.methods = methods
    settings.bits = bits
    settings.training.epochs = epochs
    return try Experiment.run(split: split, groundTruth: (truth, 1000), settings: settings, backend: try CPUBackend())
  }

  @Test func itqBeatsLSH() throws {
    let rows = try run([.lsh, .itq], bits: [16, 32, 64])
    for bits in [16, 32, 64] {
      let lsh = rows.first { $0.method == "lsh" && $0.bits == bits }!.euclidean.mAP
      let itq = rows.first { $0.method == "itq" && $0.bits == bits }!.euclidean.mAP
      #expect(itq > lsh, "\(bits) bits: ITQ \(itq) vs LSH \(lsh)")
    }
  }

  @Test func sigahBeatsLSHAfterAShortTraining() throws {
    let rows = try run([.lsh, .sigah], bits: [32, 64], epochs: 3)
    for bits in [32, 64] {
      let lsh = rows.first { $0.method == "lsh" && $0.bits == bits }!.euclidean.mAP
      let sigah = rows.first { $0.method == "sigah" && $0.bits == bits }!.euclidean.mAP
      #expect(sigah > lsh, "\(bits) bits: SiGAH \(sigah) vs LSH \(lsh)")
    }
  }
}
