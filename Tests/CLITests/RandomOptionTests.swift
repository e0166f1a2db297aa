// A property of the command line: any set of valid options trains or stops with a
// message, never a trap. Sets are drawn at random (seeded) from each option's documented
// range, several options at once, for every learned method, on a small data set.

import Backend
import Foundation
import SiGAH
import Testing

@Suite struct RandomOptionTests {
  /// One option set for `method`, drawn from the ranges the help states.
  static func options(for method: String, _ generator: inout SeededGenerator) -> [String] {
    func pick<T>(_ values: [T]) -> T { values[min(Int(generator.uniform() * Double(values.count)), values.count - 1)] }
    func maybe(_ option: String, _ values: [String]) -> [String] {
      generator.uniform() < 0.5 ? [option, pick(values)] : []
    }
    var options = [
      "--method", method, "--bits", pick(["1", "3", "8", "31", "64", "65"]), "--epochs", pick(["0", "1", "2"]),
    ]
    options += maybe("--seed", ["0", "7", "18446744073709551615"])
    options += maybe("--batch-size", ["1", "7", "64", "500"])
    options += maybe("--time-budget", ["0.001", "5"])
    if method == "sigah" || method == "sigah-dm" {
      options += maybe("--learning-rate", ["1e-6", "0.01", "1"])
      options += maybe("--schedule", ["constant", "cosine"])
      options += maybe("--weight-decay", ["0", "0.1"])
      options += maybe("--alpha", ["0", "10"])
      options += maybe("--lambda", ["0", "1"])
      options += maybe("--gamma", ["0", "1000"])
      options += maybe("--graph-term", ["paper", "distance-matching"])
      options += maybe("--itq-start", ["true", "false"])
      options += maybe("--near-fraction", ["0.01", "1"])
      options += maybe("--val-size", ["0", "5", "40"])
      options += maybe("--val-k", ["1", "10,100", "5000"])
      options += maybe("--ranking-steps", ["0", "3", "20"])
      options += maybe("--ranking-neighbours", ["1", "3,50"])
      options += maybe("--ranking-anchors", ["1", "1000"])
      options += maybe("--ranking-pairs", ["1", "32"])
      options += maybe("--ranking-hard-negatives", ["0", "1"])
      options += maybe("--ranking-residual", ["0", "1", "300"])
      options += maybe("--mu", ["0", "5"])
      options += maybe("--margin", ["0", "2"])
      options += maybe("--sigma", ["1e-4", "100"])
      options += maybe("--width-multiple", ["1", "3"])
      options += maybe("--discriminator-width", ["1", "64"])
      options += maybe("--generator-activation", ["tanh", "relu", "sigmoid", "leaky-relu"])
      options += maybe("--energy", ["mse", "l2"])
      options += maybe("--sparsity", ["l1", "l2"])
    }
    return options
  }

  @Test func randomValidOptionSetsTrainOrStopWithAMessage() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path
    var generator = SeededGenerator(seed: 2026)
    let methods = ["sigah", "sigah-dm", "hashgan", "gmans", "sgh", "ba", "itq", "sph", "kmh", "sh"]
    var (trained, refused) = (0, 0)
    for round in 0..<40 {
      let method = methods[round % methods.count]
      let options = Self.options(for: method, &generator)
      let model = folder.appendingPathComponent("m\(round).safetensors").path
      let run = try SigahBinary.run(["train", data, "--out", model, "--backend", "cpu", "--quiet"] + options)
      #expect(!run.signalled, "trapped: \(options) → signal \(run.status) \(run.stderr)")
      #expect(run.status == 0 || run.stderr.hasPrefix("Error:"), "\(options): \(run.status) \(run.stderr)")
      if run.status == 0 {
        trained += 1
        #expect(try HashModel.read(from: model).inputDimension == 128, "\(options)")
      } else {
        refused += 1
        #expect(!FileManager.default.fileExists(atPath: model), "\(options): a refused training wrote its model")
      }
    }
    // Most sets train: the property is about what they do, not that they are refused.
    #expect(trained >= 20, "\(trained) trained, \(refused) refused")
  }
}
