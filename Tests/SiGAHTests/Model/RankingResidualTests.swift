// A SiGAH-DM model with the ranking residual (METHOD.md §3c): its codes are
// `sign(W·y + c + U·relu(V·y + v))` on `y = x/s − μ`, its file keeps every tensor, the kept
// encoder gives the one-shot codes, and a partial or misshapen residual is refused by name.

import Backend
import Foundation
import Testing

@testable import SiGAH

struct RankingResidualTests {
  static let (d, r, width) = (12, 20, 7)

  static func model() -> SiGAHModel {
    var configuration = SiGAHConfiguration.distanceMatchingPreset
    configuration.bits = r
    var generator = SeededGenerator(seed: 5)
    var weights = SiGAHWeights.initial(
      inputDimension: d, configuration: configuration, mean: generator.gaussians(count: d))
    weights.inputScale = 4
    weights.residual = RankingResidual(
      hiddenWeight: generator.gaussians(count: width * d), hiddenBias: generator.gaussians(count: width),
      outputWeight: generator.gaussians(count: r * width), width: width)
    return SiGAHModel(configuration: configuration, weights: weights, summary: nil)
  }

  static func data(rows: Int, seed: UInt64) -> Matrix {
    var generator = SeededGenerator(seed: seed)
    return Matrix(rows: rows, columns: d, values: generator.gaussians(count: rows * d, standardDeviation: 8))
  }

  /// Every bit whose logit (in Float64) is not within rounding of zero matches.
  @Test func codesAreTheHashLayerPlusTheResidual() throws {
    let model = Self.model()
    let data = Self.data(rows: 300, seed: 6)
    let codes = try HashModel.sigah(model).encode(data, backend: try CPUBackend())
    let (d, r, width) = (Self.d, Self.r, Self.width)
    let tensors = model.weights.tensors
    let residual = try #require(model.weights.residual)
    var (compared, differing) = (0, 0)
    for row in 0..<data.rows {
      let y = (0..<d).map { Double(data.values[row * d + $0]) / 4 - Double(tensors["mu"]![$0]) }
      let hidden = (0..<width).map { unit in
        max(
          0,
          (0..<d).reduce(Double(residual.hiddenBias[unit])) {
            $0 + Double(residual.hiddenWeight[unit * d + $1]) * y[$1]
          })
      }
      for bit in 0..<r {
        var logit = Double(tensors["c"]![bit])
        for j in 0..<d { logit += Double(tensors["W"]![bit * d + j]) * y[j] }
        for unit in 0..<width { logit += Double(residual.outputWeight[bit * width + unit]) * hidden[unit] }
        guard abs(logit) > 1e-3 else { continue }
        compared += 1
        if (logit >= 0) != codes.bit(bit, of: row) { differing += 1 }
      }
    }
    #expect(compared > data.rows * Self.r * 9 / 10)
    #expect(differing == 0)
    // Without the residual the same model is its hash layer: other codes.
    var linear = model
    linear.weights.residual = nil
    #expect(try HashModel.sigah(linear).encode(data, backend: try CPUBackend()).words != codes.words)
  }

  @Test func theFileKeepsTheResidualAndTheKeptEncoderItsCodes() throws {
    let path = temporaryPath("residual.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try HashModel.sigah(Self.model()).write(to: path)
    // An older reader, which would drop the residual, refuses the file.
    #expect(try SafeTensors.read(from: path).metadata["format_version"] == "2")
    let read = try HashModel.read(from: path)
    guard case .sigah(let model) = read else {
      Issue.record("not a SiGAH model")
      return
    }
    #expect(model.weights == Self.model().weights)
    let backend = try CPUBackend()
    let encoder = try ModelEncoder(read, backend: backend, largestBlock: 64)
    for (index, rows) in [1, 200, 3, 65].enumerated() {
      let data = Self.data(rows: rows, seed: UInt64(20 + index))
      #expect(try encoder.encode(data).words == HashModel.sigah(Self.model()).encode(data, backend: backend).words)
    }
  }

  @Test func aPartialOrMisshapenResidualIsRefused() throws {
    let path = temporaryPath("good.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try HashModel.sigah(Self.model()).write(to: path)
    let good = try SafeTensors.read(from: path)
    let broken: [(String, (inout SafeTensors) -> Void)] = [
      ("no U", { $0.tensors["ranking.U"] = nil }),
      (
        "U of other bits",
        { $0.tensors["ranking.U"] = .init(shape: [3, Self.width], values: .init(repeating: 0, count: 3 * Self.width)) }
      ),
      (
        "V of another dimension",
        {
          $0.tensors["ranking.V"] = .init(shape: [Self.width, 5], values: .init(repeating: 0, count: 5 * Self.width))
        }
      ),
      ("v of no units", { $0.tensors["ranking.v"] = .init(shape: [0], values: []) }),
    ]
    for (name, change) in broken {
      var file = good
      change(&file)
      let brokenPath = temporaryPath("broken.safetensors")
      defer { try? FileManager.default.removeItem(atPath: brokenPath) }
      try file.write(to: brokenPath)
      do {
        _ = try HashModel.read(from: brokenPath)
        Issue.record("\(name): read")
      } catch let error as DataError {
        let text = "\(error)"
        #expect(text.contains(brokenPath) && text.contains("ranking.U [\(Self.r), h]"), "\(name): \(text)")
      }
    }
  }
}
