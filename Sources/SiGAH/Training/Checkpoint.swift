// Checkpoints: a model file plus the Adam moments, step counts and the epoch reached, so
// that resuming continues the same run (METHOD.md §3: the shuffles are seeded per epoch).

import Backend
import Foundation

public struct Checkpoint: Sendable {
  public var model: SiGAHModel
  /// Epochs completed.
  public var epoch: Int
  public var discriminatorSteps: Int
  public var generatorSteps: Int
  /// Adam moments by parameter name.
  public var firstMoments: [String: [Float]]
  public var secondMoments: [String: [Float]]
  /// The best validation mAP so far and the weights that reached it, when selecting.
  public var best: (epoch: Int, map: Double, weights: SiGAHWeights)?

  public func write(to path: String) throws {
    var extra: [String: String] = [
      "checkpoint.epoch": "\(epoch)", "checkpoint.discriminatorSteps": "\(discriminatorSteps)",
      "checkpoint.generatorSteps": "\(generatorSteps)",
    ]
    if let best { extra["checkpoint.best"] = "\(best.epoch) \(best.map)" }
    var file = try model.safeTensors(extraMetadata: extra)
    for (name, values) in firstMoments { file.tensors["adam.m.\(name)"] = .init(shape: [values.count], values: values) }
    for (name, values) in secondMoments {
      file.tensors["adam.v.\(name)"] = .init(shape: [values.count], values: values)
    }
    if let best {
      for (name, values) in best.weights.tensors where ["W", "c", "W2", "c2", "W3", "c3", "W4", "c4"].contains(name) {
        file.tensors["best.\(name)"] = .init(shape: [values.count], values: values)
      }
    }
    try file.write(to: path)
  }

  public static func read(from path: String) throws -> Checkpoint {
    let file = try SafeTensors.read(from: path)
    try ModelFile.check(file, path: path)
    let model = try SiGAHModel(file, path: path)
    func integer(_ key: String) throws -> Int {
      guard let text = file.metadata[key], let value = Int(text) else {
        throw DataError(
          file: path, position: "header",
          "expected \(key) in a checkpoint; is this a model file rather than a checkpoint?")
      }
      return value
    }
    func count(_ key: String, atMost limit: Int) throws -> Int {
      let value = try integer(key)
      guard (0...limit).contains(value) else {
        throw DataError(file: path, position: "header", "expected \(key) between 0 and \(limit), found \(value)")
      }
      return value
    }
    var first: [String: [Float]] = [:]
    var second: [String: [Float]] = [:]
    for name in ["W", "c", "W2", "c2", "W3", "c3", "W4", "c4"] {
      guard let m = file.tensors["adam.m.\(name)"], let v = file.tensors["adam.v.\(name)"] else {
        throw DataError(file: path, position: "tensors", "expected the Adam moments of \(name)")
      }
      let size = model.weights.tensors[name]!.count
      for (key, moment) in [("adam.m.\(name)", m), ("adam.v.\(name)", v)] {
        guard moment.values.count == size else {
          throw DataError(
            file: path, position: "tensor '\(key)'",
            "expected \(size) values, as \(name) has, found \(moment.values.count)")
        }
      }
      guard v.values.allSatisfy({ $0 >= 0 }) else {
        throw DataError(file: path, position: "tensor 'adam.v.\(name)'", "expected second moments of at least 0")
      }
      first[name] = m.values
      second[name] = v.values
    }
    var best: (Int, Double, SiGAHWeights)?
    if let text = file.metadata["checkpoint.best"] {
      let parts = text.split(separator: " ")
      var weights = model.weights
      for name in ["W", "c", "W2", "c2", "W3", "c3", "W4", "c4"] {
        guard let tensor = file.tensors["best.\(name)"] else { continue }
        guard tensor.values.count == weights.tensors[name]!.count else {
          throw DataError(
            file: path, position: "tensor 'best.\(name)'",
            "expected \(weights.tensors[name]!.count) values, as \(name) has, found \(tensor.values.count)")
        }
        weights.tensors[name] = tensor.values
      }
      if parts.count == 2, let epoch = Int(parts[0]), let map = Double(parts[1]) { best = (epoch, map, weights) }
    }
    return Checkpoint(
      model: model, epoch: try count("checkpoint.epoch", atMost: 1_000_000),
      discriminatorSteps: try count("checkpoint.discriminatorSteps", atMost: Int(Int32.max)),
      generatorSteps: try count("checkpoint.generatorSteps", atMost: Int(Int32.max)), firstMoments: first,
      secondMoments: second,
      best: best)
  }
}
