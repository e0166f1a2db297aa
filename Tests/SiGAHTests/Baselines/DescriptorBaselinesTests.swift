// The baselines rated strongest on descriptors rank SIFT neighbours better than LSH at
// 32 bits, through the evaluation protocol itself: SIFT's 100 queries against 2,000 base
// vectors, each query's 50 exact neighbours relevant.

import Backend
import Testing

@testable import SiGAH

struct DescriptorBaselinesTests {
  @Test func isohSHAndKMHBeatLSHOnSIFT() throws {
    let backend = try CPUBackend()
    let database = try TestData.sift2000.get()
    let queries = try Dataset.load(TestData.siftQueries).vectors
    let split = EvaluationSplit(
      queries: queries, database: database, queryLabels: nil, databaseLabels: nil, queryRows: [])
    let truth = try GroundTruth.compute(queries: queries, database: database, k: 50, backend: backend)
    var settings = ExperimentSettings()
    (settings.methods, settings.bits, settings.seed) = ([.lsh, .isoh, .sh, .kmh], [32], 1)
    let rows = try Experiment.run(split: split, groundTruth: (truth, 50), settings: settings, backend: backend)
    let map = { (method: String) in rows.first { $0.method == method }!.euclidean.mAP }
    for method in ["isoh", "sh", "kmh"] {
      #expect(map(method) > map("lsh"), "\(method) \(map(method)), LSH \(map("lsh"))")
    }
  }
}
