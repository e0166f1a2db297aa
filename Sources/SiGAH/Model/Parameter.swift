// A trainable tensor on a backend with its gradient and Adam moments (SPEC §3).

import Backend

public final class Parameter {
  public let name: String
  /// Row-major shape, e.g. `[r, d]` for W.
  public let shape: [Int]
  /// Whether L2 weight decay applies (weights yes, biases no; SPEC §3).
  public let decays: Bool
  public let value: DeviceBuffer<Float>
  public let gradient: DeviceBuffer<Float>
  let firstMoment: DeviceBuffer<Float>
  let secondMoment: DeviceBuffer<Float>

  public var count: Int { shape.reduce(1, *) }

  init(name: String, shape: [Int], decays: Bool, values: [Float], on backend: any Backend) throws {
    precondition(values.count == shape.reduce(1, *))
    self.name = name
    self.shape = shape
    self.decays = decays
    value = try backend.makeBuffer(values)
    gradient = try backend.makeBuffer(Float.self, count: values.count)
    firstMoment = try backend.makeBuffer([Float](repeating: 0, count: values.count))
    secondMoment = try backend.makeBuffer([Float](repeating: 0, count: values.count))
  }

  /// One Adam step on this parameter from its current gradient.
  func adamStep(on backend: any Backend, learningRate: Float, weightDecay: Float, step: Int) throws {
    try backend.adamUpdate(
      parameters: value, gradients: gradient, firstMoment: firstMoment, secondMoment: secondMoment,
      count: count,
      step: AdamStep(learningRate: learningRate, weightDecay: decays ? weightDecay : 0, step: step))
  }

  /// The Adam moments, for checkpoints.
  func moments(on backend: any Backend) throws -> (first: [Float], second: [Float]) {
    (try backend.download(firstMoment, count: count), try backend.download(secondMoment, count: count))
  }

  func restoreMoments(first: [Float], second: [Float], on backend: any Backend) throws {
    try backend.upload(first, to: firstMoment)
    try backend.upload(second, to: secondMoment)
  }
}
