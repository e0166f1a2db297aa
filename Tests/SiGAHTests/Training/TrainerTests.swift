// The trainer: reproducible from the seed, resumable to the same result, guarded
// against divergence; model files that round-trip to identical codes.

import Backend
import Foundation
import Testing

@testable import SiGAH

func temporaryPath(_ name: String) -> String {
  FileManager.default.temporaryDirectory.appendingPathComponent("sigah-\(UUID())-\(name)").path
}

/// Clustered synthetic data: 8 Gaussian blobs in 16 dimensions.
func blobs(rows: Int, columns: Int = 16, seed: UInt64 = 1) -> Matrix {
  var generator = SeededGenerator(seed: seed)
  let centres = (0..<8).map { _ in generator.gaussians(count: columns, standardDeviation: 3) }
  var values: [Float] = []
  for i in 0..<rows {
    let centre = centres[i % 8]
    values += centre.map { $0 + Float(generator.gaussian()) }
  }
  return Matrix(rows: rows, columns: columns, values: values)
}

func smallConfiguration(bits: Int = 8) -> SiGAHConfiguration {
  var configuration = SiGAHConfiguration()
  configuration.bits = bits
  configuration.batchSize = 64
  configuration.seed = 3
  return configuration
}

@Suite struct TrainerTests {
  @Test func sameSeedSameModel() throws {
    let data = blobs(rows: 150)
    var options = TrainingOptions()
    options.epochs = 2
    let a = try SiGAHTrainer(
      configuration: smallConfiguration(), data: data, backend: try CPUBackend(threads: 1), options: options
    ).train()
    let b = try SiGAHTrainer(
      configuration: smallConfiguration(), data: data, backend: try CPUBackend(threads: 1), options: options
    ).train()
    #expect(a.weights == b.weights)
    var other = smallConfiguration()
    other.seed = 4
    let c = try SiGAHTrainer(configuration: other, data: data, backend: try CPUBackend(threads: 1), options: options)
      .train()
    #expect(a.weights != c.weights)
  }

  @Test func reportsEveryTermAndKeepsTheShortBatch() throws {
    let data = blobs(rows: 150)  // 64 + 64 + 22
    var options = TrainingOptions()
    options.epochs = 3
    var batches: [Int] = []
    var reports: [EpochReport] = []
    let model = try SiGAHTrainer(
      configuration: smallConfiguration(), data: data, backend: try CPUBackend(), options: options
    )
    .train { event in
      if case .batch(1, let done, _) = event { batches.append(done) }
      if case .epoch(let report) = event { reports.append(report) }
    }
    #expect(batches == [64, 128, 150])
    #expect(reports.map(\.epoch) == [1, 2, 3])
    let terms = reports[0].terms
    #expect(terms.map(\.name) == ["L_D", "recon", "quant", "sparse", "adv", "graph", "L_G"])
    for term in terms { #expect(term.value.isFinite && term.value > 0, "\(term.name)") }
    // Training lowers the generator loss on this easy data.
    #expect(reports[2].term("L_G")! < reports[0].term("L_G")!)
    #expect(model.summary?.epochs.count == 3)
  }

  @Test func withoutDiscriminatorSkipsItsSteps() throws {
    var configuration = smallConfiguration()
    configuration.adversarialWeight = 0
    var options = TrainingOptions()
    options.epochs = 1
    let data = blobs(rows: 100)
    let initial = SiGAHWeights.initial(inputDimension: 16, configuration: configuration, mean: data.columnMeans())
    let model = try SiGAHTrainer(configuration: configuration, data: data, backend: try CPUBackend(), options: options)
      .train()
    #expect(model.summary!.epochs[0].term("L_D") == 0)
    #expect(model.summary!.epochs[0].term("adv") == 0)
    #expect(model.weights.tensors["W3"] == initial.tensors["W3"])
    #expect(model.weights.tensors["W"] != initial.tensors["W"])
  }

  @Test func saveLoadEncodeGivesIdenticalCodes() throws {
    let data = blobs(rows: 120)
    var options = TrainingOptions()
    options.epochs = 1
    let backend = try CPUBackend()
    let model = try SiGAHTrainer(
      configuration: smallConfiguration(bits: 70), data: data, backend: backend, options: options
    ).train()
    let path = temporaryPath("model.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.write(to: path)
    let loaded = try SiGAHModel.read(from: path)
    #expect(loaded == model)
    #expect(try loaded.hash.encode(data, backend: backend) == model.hash.encode(data, backend: backend))
  }

  @Test func resumeEqualsUninterrupted() throws {
    let data = blobs(rows: 150)
    let path = temporaryPath("checkpoint.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    var full = TrainingOptions()
    full.epochs = 3
    let uninterrupted = try SiGAHTrainer(
      configuration: smallConfiguration(), data: data, backend: try CPUBackend(threads: 1), options: full
    ).train()
    var firstPart = TrainingOptions()
    firstPart.epochs = 2
    firstPart.checkpointEvery = 1
    firstPart.checkpointPath = path
    _ = try SiGAHTrainer(
      configuration: smallConfiguration(), data: data, backend: try CPUBackend(threads: 1), options: firstPart
    ).train()
    let checkpoint = try Checkpoint.read(from: path)
    #expect(checkpoint.epoch == 2)
    let resumed = try SiGAHTrainer(
      configuration: smallConfiguration(), data: data, backend: try CPUBackend(threads: 1), options: full
    )
    .train(resume: checkpoint)
    #expect(resumed.weights == uninterrupted.weights)
    #expect(resumed.summary?.epochs.map(\.epoch) == [1, 2, 3])
  }

  @Test func divergenceStopsWithTheEpochAndTermAndKeepsTheCheckpoint() throws {
    var configuration = smallConfiguration()
    configuration.learningRate = .greatestFiniteMagnitude
    let path = temporaryPath("checkpoint.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    var options = TrainingOptions()
    options.epochs = 3
    options.checkpointEvery = 1
    options.checkpointPath = path
    #expect {
      try SiGAHTrainer(
        configuration: configuration, data: blobs(rows: 150), backend: try CPUBackend(), options: options
      ).train()
    } throws: { error in
      guard case TrainingError.diverged(let epoch, let term, _) = error else { return false }
      return epoch == 1 && !term.isEmpty
    }
    #expect(!FileManager.default.fileExists(atPath: path), "no checkpoint of a diverged epoch")
  }

  @Test func checkpointOfAModelFileIsAClearError() throws {
    var options = TrainingOptions()
    options.epochs = 1
    let model = try SiGAHTrainer(
      configuration: smallConfiguration(), data: blobs(rows: 40), backend: try CPUBackend(), options: options
    ).train()
    let path = temporaryPath("model.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.write(to: path)
    #expect(throws: DataError.self) { try Checkpoint.read(from: path) }
  }

  @Test func cosineScheduleDecaysToZero() {
    #expect(LearningRateSchedule.cosine.rate(base: 0.01, epoch: 1, epochs: 30) == 0.01)
    #expect(abs(LearningRateSchedule.cosine.rate(base: 0.01, epoch: 16, epochs: 30) - 0.005) < 1e-6)
    #expect(LearningRateSchedule.constant.rate(base: 0.01, epoch: 30, epochs: 30) == 0.01)
  }

  /// A width that cannot fit is refused before any allocation, with the memory it needs.
  @Test func aGeneratorTooWideForMemoryIsRefusedUpFront() throws {
    var configuration = SiGAHConfiguration()
    configuration.generatorWidthMultiple = 100_000
    let data = Matrix(rows: 600, columns: 784, repeating: 0.5)
    #expect {
      _ = try SiGAHTrainer(
        configuration: configuration, data: data, backend: try CPUBackend(), options: TrainingOptions())
    } throws: { error in
      "\(error)".contains("GiB") && "\(error)".contains("100000 × 784")
    }
    configuration.generatorWidthMultiple = 2
    configuration.discriminatorWidth = 1_000_000_000
    #expect {
      _ = try SiGAHTrainer(
        configuration: configuration, data: data, backend: try CPUBackend(), options: TrainingOptions())
    } throws: { error in
      "\(error)".contains("GiB") && "\(error)".contains("discriminator of width 1000000000")
    }
  }
}
