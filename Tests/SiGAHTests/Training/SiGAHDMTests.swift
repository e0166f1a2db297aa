// SiGAH-DM (METHOD.md §3b): the ITQ start reproduces ITQ's codes bit for bit at epoch 0, and
// model selection never sees the evaluation queries.

import Backend
import Testing

@testable import SiGAH

@Suite struct SiGAHDMTests {
  @Test(arguments: [16, 64, 70])
  func itqStartCodesEqualITQCodes(bits: Int) throws {
    let data = blobs(rows: 400, columns: 96)
    let backend = try CPUBackend()
    var configuration = SiGAHConfiguration.distanceMatchingPreset
    configuration.bits = bits
    configuration.seed = 9
    let weights = SiGAHWeights.initial(inputDimension: 96, configuration: configuration, mean: data.columnMeans())
    var start = weights
    start.tensors["W"] = try ITQStart.projection(data, bits: bits, seed: 9, backend: backend)
    start.tensors["c"] = Array(repeating: 0, count: bits)
    let model = SiGAHModel(configuration: configuration, weights: start, summary: nil)
    let itq = try LinearBaselines.itq(data, bits: bits, seed: 9, backend: backend)
    let other = blobs(rows: 300, columns: 96, seed: 5)  // unseen vectors too
    #expect(try model.hash.encode(data, backend: backend) == itq.encode(data, backend: backend))
    #expect(try model.hash.encode(other, backend: backend) == itq.encode(other, backend: backend))
    // The scaled pre-activations have about unit spread (within the power-of-two factor √2).
    let centred = data.values.enumerated().map { $0.element - start.tensors["mu"]![$0.offset % 96] }
    for bit in 0..<bits {
      let row = start.tensors["W"]![(bit * 96)..<((bit + 1) * 96)]
      let values = (0..<400).map { i in
        zip(row, centred[(i * 96)..<((i + 1) * 96)]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
      }
      let mean = values.reduce(0, +) / 400
      let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 400).squareRoot()
      #expect(std > 0.7 && std < 1.42, "bit \(bit): std \(std)")
    }
  }

  @Test func trainerStartsFromITQWhenAsked() throws {
    let data = blobs(rows: 200, columns: 32)
    var configuration = SiGAHConfiguration.distanceMatchingPreset
    configuration.bits = 16
    configuration.batchSize = 50
    configuration.ranking = nil
    var options = TrainingOptions()
    options.epochs = 1
    var seenEpochs: [Int] = []
    options.validate = { _ in 0.5 }
    let model = try SiGAHTrainer(configuration: configuration, data: data, backend: try CPUBackend(), options: options)
      .train { if case .epoch(let report) = $0 { seenEpochs.append(report.epoch) } }
    #expect(seenEpochs == [1])
    #expect(model.summary?.epochs.first?.validationMAP == 0.5)
    // A tie with the start keeps the start (epoch 0): training must beat it to be kept.
    #expect(model.summary?.startValidationMAP == 0.5)
    #expect(model.summary?.keptEpoch == 0)
    #expect(model.summary?.epochs.first?.term("graph") ?? 0 > 0)
  }

  @Test func validationSplitIsDisjointFromTheEvaluationQueries() throws {
    // Each vector holds its own row number, so identities can be traced through the splits.
    let rows = 3000
    let dataset = Dataset(
      vectors: Matrix(rows: rows, columns: 2, values: (0..<rows).flatMap { [Float($0), 0] }), labels: nil, name: "ids")
    let split = try EvaluationSplit.random(dataset, queryCount: 300, seed: 4)
    let validation = try ValidationSplit(training: split.database, size: 500, k: 10, seed: 4, backend: try CPUBackend())
    let testQueries = Set(split.queryRows)
    let validationRows = Set(validation.queryRows.map { Int(split.database[$0].first!) })
    #expect(validationRows.count == 500)
    #expect(validationRows.isDisjoint(with: testQueries))
    // And the validation database is the rest of the training set, not the test queries.
    let validationDatabase = Set((0..<validation.database.rows).map { Int(validation.database[$0].first!) })
    #expect(validationDatabase.isDisjoint(with: testQueries))
    #expect(validationDatabase.isDisjoint(with: validationRows))
    #expect(validationDatabase.count + validationRows.count == split.database.rows)
  }
}
