// GMANs' self-controlled schedule decided on the device gives the model the host's decision
// gives (METHOD.md §9): the gated Adam update takes a step exactly where the host would,
// at the same step number, so on the CPU backend the two trainings agree bit for bit; and
// the schedule matters (both discriminators every step give another model).

import Backend
import SiGAH
import Testing

struct GMANsScheduleTests {
  static func train(selfControlled: Bool, onDevice: Bool) throws -> [Float] {
    var generator = SeededGenerator(seed: 31)
    let data = Matrix(rows: 160, columns: 20, values: generator.gaussians(count: 160 * 20))
    var options = GenerativeOptions()
    options.epochs = 3
    options.seed = 5
    var configurations = GenerativeConfigurations()
    configurations.gmans.pretrainEpochs = 1
    configurations.gmans.batchSize = 16
    configurations.gmans.selfControlled = selfControlled
    configurations.gmans.scheduleOnDevice = onDevice
    let model = try GenerativeTraining.train(
      .gmans, data: data, bits: 12, configurations: configurations, options: options, backend: try CPUBackend())
    guard case .deep(let hash, _) = model else { return [] }
    return hash.layers.flatMap { $0.weight + $0.bias }
  }

  @Test func theDevicesDecisionsAreTheHosts() throws {
    let host = try Self.train(selfControlled: true, onDevice: false)
    let device = try Self.train(selfControlled: true, onDevice: true)
    #expect(!host.isEmpty)
    #expect(host == device)
    #expect(try Self.train(selfControlled: false, onDevice: false) != host)
  }
}
