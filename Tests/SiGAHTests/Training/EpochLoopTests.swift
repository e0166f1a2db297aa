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

  @Test func anEpochsShuffleDependsOnItsSeedSaltAndNumberAlone() {
    let order = EpochLoop.permutation(seed: 3, salt: 0x5151, epoch: 7, count: 50)
    #expect(Set(order) == Set(0..<50))
    #expect(EpochLoop.permutation(seed: 3, salt: 0x5151, epoch: 7, count: 50) == order)
    #expect(EpochLoop.permutation(seed: 3, salt: 0, epoch: 7, count: 50) != order)
    #expect(EpochLoop.permutation(seed: 3, salt: 0x5151, epoch: 8, count: 50) != order)
  }
}
