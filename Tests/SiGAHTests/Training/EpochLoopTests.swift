// The one epoch loop (Training/EpochLoop): a training set streamed batch by batch from
// host memory trains every learned method to the same bits as one kept on the device, and
// the shuffle of an epoch depends on nothing but the seed, the method's salt and the epoch.

import Backend
import Foundation
import Testing

@testable import SiGAH

@Suite struct EpochLoopTests {
  static let data: Matrix = {
    var generator = SeededGenerator(seed: 5)
    return Matrix(rows: 130, columns: 12, values: generator.gaussians(count: 130 * 12))
  }()

  static func parameters(of model: HashModel) -> [Float] {
    switch model {
    case .linear(let hash, _): return hash.projection + hash.offset
    case .deep(let hash, _): return hash.layers.flatMap { $0.weight + $0.bias }
    case .sigah(let model): return model.weights.tensors.keys.sorted().flatMap { model.weights.tensors[$0]! }
    default: return []
    }
  }

  @Test(arguments: [HashMethod.hashgan, .gmans, .sgh, .ba])
  func streamedTrainingIsResidentTraining(_ method: HashMethod) throws {
    var configurations = GenerativeConfigurations()
    configurations.gmans.pretrainEpochs = 1
    configurations.gmans.batchSize = 50
    configurations.hashgan.trunkWidths = [16]
    configurations.hashgan.generatorWidths = [16]
    func train(resident: Bool) throws -> [Float] {
      var options = GenerativeOptions()
      (options.epochs, options.batchSize, options.seed, options.residentData) = (2, 50, 4, resident)
      let backend = try CPUBackend(threads: 1)
      return Self.parameters(
        of: try GenerativeTraining.train(
          method, data: Self.data, bits: 8, configurations: configurations, options: options, backend: backend))
    }
    let resident = try train(resident: true)
    #expect(!resident.isEmpty)
    #expect(try train(resident: false).map(\.bitPattern) == resident.map(\.bitPattern))
  }

  @Test func streamedSiGAHIsResidentSiGAH() throws {
    var configuration = SiGAHConfiguration()
    (configuration.bits, configuration.batchSize, configuration.seed) = (8, 50, 4)
    func train(resident: Bool) throws -> [Float] {
      var options = TrainingOptions()
      (options.epochs, options.residentData) = (2, resident)
      let trainer = try SiGAHTrainer(
        configuration: configuration, data: Self.data, backend: try CPUBackend(threads: 1), options: options)
      return Self.parameters(of: .sigah(try trainer.train()))
    }
    let resident = try train(resident: true)
    #expect(try train(resident: false).map(\.bitPattern) == resident.map(\.bitPattern))
  }

  /// A device whose largest buffer holds less than the training set: every learned method
  /// streams it from host memory and trains to the codes of a device that holds it. BA
  /// sums its decoder's products over blocks, so its model may differ by the order of sums.
  @Test(arguments: [HashMethod.sigah, .sigahDM, .hashgan, .gmans, .sgh, .ba])
  func everyMethodTrainsOnADeviceSmallerThanItsData(_ method: HashMethod) throws {
    var generator = SeededGenerator(seed: 6)
    let data = Matrix(rows: 8_000, columns: 12, values: generator.gaussians(count: 8_000 * 12))
    let dataBytes = data.values.count * MemoryLayout<Float>.stride
    var job = TrainingJob(method: method, bits: 8, seed: 4, epochs: 2)
    job.batchSize = 50
    job.sigah.batchSize = 50
    job.generative.gmans.pretrainEpochs = 1
    job.generative.gmans.batchSize = 50
    job.generative.hashgan.trunkWidths = [16]
    job.generative.hashgan.generatorWidths = [16]
    let small = try job.run(data: data, backend: try CPUBackend(threads: 1, largestBuffer: dataBytes * 5 / 6))
    let large = try job.run(data: data, backend: try CPUBackend(threads: 1))
    let encoder = try CPUBackend(threads: 1)
    let (a, b) = (try small.encode(data, backend: encoder), try large.encode(data, backend: encoder))
    if method == .ba {
      let differing = zip(a.words, b.words).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
      #expect(differing <= data.rows * 8 / 20)
    } else {
      #expect(Self.parameters(of: small).map(\.bitPattern) == Self.parameters(of: large).map(\.bitPattern))
      #expect(a == b)
    }
  }

  @Test func anEpochsShuffleDependsOnItsSeedSaltAndNumberAlone() {
    let order = EpochLoop.permutation(seed: 3, salt: 0x5151, epoch: 7, count: 50)
    #expect(Set(order) == Set(0..<50))
    #expect(EpochLoop.permutation(seed: 3, salt: 0x5151, epoch: 7, count: 50) == order)
    #expect(EpochLoop.permutation(seed: 3, salt: 0, epoch: 7, count: 50) != order)
    #expect(EpochLoop.permutation(seed: 3, salt: 0x5151, epoch: 8, count: 50) != order)
  }
}
