// A few training iterations of HashGAN, GMANs, SGH and BA on the OpenCL backend agree
// with the CPU backend from the same seed: the same epoch losses and (almost) the same
// codes. GMANs runs both discriminators every step here: its self-controlled schedule
// compares a score with ½, and a score within rounding of ½ could branch differently.

import Backend
import Kernels
import SiGAH
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct GenerativeTrainingParityTests {
  @Test(arguments: [HashMethod.hashgan, .gmans, .sgh, .ba])
  func fewIterationsMatchTheCPU(method: HashMethod) throws {
    var generator = SeededGenerator(seed: 8)
    let data = Matrix(rows: 93, columns: 24, values: generator.gaussians(count: 93 * 24))
    var options = GenerativeOptions()
    options.epochs = 2
    options.batchSize = 40  // 40 + 40 + 13: the short batch too
    options.seed = 2
    var configurations = GenerativeConfigurations()
    configurations.gmans.pretrainEpochs = 1
    configurations.gmans.selfControlled = false
    configurations.gmans.batchSize = 40
    configurations.hashgan.trunkWidths = [32, 16]
    configurations.hashgan.generatorWidths = [16]
    func train(_ backend: any Backend) throws -> (HashModel, [[(String, Double)]]) {
      var terms: [[(String, Double)]] = []
      let model = try GenerativeTraining.train(
        method, data: data, bits: 16, configurations: configurations, options: options, backend: backend
      ) { event in
        if case .terms(let report) = event { terms.append(report.terms) }
      }
      return (model, terms)
    }
    let (cpu, cpuTerms) = try train(try CPUBackend())
    let (gpu, gpuTerms) = try train(try OpenCLUnderTest.backend())
    #expect(cpuTerms.count == gpuTerms.count)
    for (epoch, (a, b)) in zip(cpuTerms, gpuTerms).enumerated() {
      for ((name, x), (_, y)) in zip(a, b) {
        // Adam divides by √v: early steps amplify Float32 reordering, hence 1e-3.
        #expect(abs(x - y) <= 1e-3 * max(abs(x), 1e-2), "epoch \(epoch + 1) \(name): \(x) vs \(y)")
      }
    }
    let cpuCodes = try cpu.encode(data, backend: try CPUBackend())
    let gpuCodes = try gpu.encode(data, backend: try OpenCLUnderTest.backend())
    let differing = zip(cpuCodes.words, gpuCodes.words).map { ($0 ^ $1).nonzeroBitCount }.reduce(0, +)
    #expect(differing <= 15, "\(differing) of \(93 * 16) bits differ")
  }
}
