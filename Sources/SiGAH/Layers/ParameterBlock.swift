// A player's parameters in one device buffer, with their gradients and Adam moments in
// three more of the same layout, so that one Adam launch updates every parameter of the
// player (METHOD.md §3). Each tensor is a typed slice of the block; weights come first, so
// the decayed elements are one prefix.

import Backend

/// One trainable tensor: slices of its block's values and gradients.
public struct Tensor {
  /// Its name in model files ("W", "c", …).
  public let name: String
  /// Row-major shape, e.g. `[r, d]` for W.
  public let shape: [Int]
  public let value: DeviceBuffer<Float>
  public let gradient: DeviceBuffer<Float>
  /// Element offset inside the block.
  let offset: Int

  public var count: Int { shape.reduce(1, *) }
}

/// What a block is made of: a tensor's name, shape, initial values and whether L2 weight
/// decay applies (weights yes, biases no).
public struct TensorInit: Sendable {
  public let name: String
  public let shape: [Int]
  public let values: [Float]
  public let decays: Bool

  public init(name: String, shape: [Int], values: [Float], decays: Bool) {
    precondition(values.count == shape.reduce(1, *), "\(name): \(values.count) values for shape \(shape)")
    self.name = name
    self.shape = shape
    self.values = values
    self.decays = decays
  }
}

public final class ParameterBlock: BatchWide {
  let backend: any Backend
  let values: DeviceBuffer<Float>
  let gradients: DeviceBuffer<Float>
  let firstMoments: DeviceBuffer<Float>
  let secondMoments: DeviceBuffer<Float>
  /// Elements in the block, padding included.
  let count: Int
  /// Elements `0..<decayed` are weights (decayed); the rest biases and padding.
  let decayed: Int
  /// The tensors, decayed ones first.
  public let tensors: [Tensor]

  public init(_ inits: [TensorInit], on backend: any Backend) throws {
    self.backend = backend
    // Offsets aligned for slices; the padding between tensors has zero values and zero
    // gradients, so Adam leaves it at zero.
    let alignment = max(backend.sliceAlignment / MemoryLayout<Float>.stride, 1)
    let ordered = inits.filter(\.decays) + inits.filter { !$0.decays }
    var offsets: [Int] = []
    var end = 0
    var decayed = 0
    for tensor in ordered {
      let offset = (end + alignment - 1) / alignment * alignment
      offsets.append(offset)
      end = offset + tensor.values.count
      if tensor.decays { decayed = end }
    }
    count = max(end, 1)
    self.decayed = decayed
    var host = [Float](repeating: 0, count: count)
    for (tensor, offset) in zip(ordered, offsets) {
      host.replaceSubrange(offset..<(offset + tensor.values.count), with: tensor.values)
    }
    let zeros = [Float](repeating: 0, count: count)
    values = try backend.makeBuffer(host)
    gradients = try backend.makeBuffer(zeros)
    firstMoments = try backend.makeBuffer(zeros)
    secondMoments = try backend.makeBuffer(zeros)
    var tensors: [Tensor] = []
    for (tensor, offset) in zip(ordered, offsets) {
      let size = tensor.values.count
      tensors.append(
        Tensor(
          name: tensor.name, shape: tensor.shape,
          value: try backend.makeSlice(of: values, offset: offset, count: size),
          gradient: try backend.makeSlice(of: gradients, offset: offset, count: size), offset: offset))
    }
    self.tensors = tensors
  }

  /// The tensor called `name`.
  public func tensor(_ name: String) -> Tensor {
    guard let tensor = tensors.first(where: { $0.name == name }) else {
      preconditionFailure("no tensor \(name) in this block")
    }
    return tensor
  }

  /// In a data-parallel run, how the gradients are summed over the processes before each step.
  var share: ShareStep?

  /// One Adam step over the whole block, in one operation.
  func adamStep(learningRate: Float, weightDecay: Float, step: Int, beta1: Float = 0.9) throws {
    try share?.combine(gradients, count: count, backend: backend)
    try backend.adamUpdate(
      parameters: values, gradients: gradients, firstMoment: firstMoments, secondMoment: secondMoments, count: count,
      decayed: decayed,
      step: AdamStep(learningRate: learningRate, beta1: beta1, weightDecay: weightDecay, step: step))
  }

  /// One Adam step where `schedule` decided on the device to take it, at the step number
  /// the schedule holds (METHOD.md §9); `mostSteps` bounds it (the steps offered so far).
  func gatedAdamStep(
    learningRate: Float, weightDecay: Float, schedule: DeviceSchedule, slot: Int, mostSteps: Int
  ) throws {
    precondition(share == nil, "a gated step decides on one device; a data-parallel run decides on the host")
    try schedule.cover(mostSteps)
    try backend.gatedAdamUpdate(
      parameters: values, gradients: gradients, firstMoment: firstMoments, secondMoment: secondMoments, count: count,
      decayed: decayed,
      step: AdamStep(learningRate: learningRate, beta1: schedule.beta1, weightDecay: weightDecay, step: mostSteps),
      gate: schedule.gate(slot))
  }

  /// Every tensor's values by name, downloaded in one read.
  func download() throws -> [String: [Float]] {
    slices(of: try backend.download(values, count: count))
  }

  /// Each tensor's Adam moments by name, for checkpoints.
  func moments() throws -> (first: [String: [Float]], second: [String: [Float]]) {
    (
      slices(of: try backend.download(firstMoments, count: count)),
      slices(of: try backend.download(secondMoments, count: count))
    )
  }

  func restoreMoments(first: [String: [Float]], second: [String: [Float]]) throws {
    for tensor in tensors {
      guard let m = first[tensor.name], let v = second[tensor.name], m.count == tensor.count, v.count == tensor.count
      else {
        throw TrainingError.invalidData(
          "the checkpoint's Adam moments of \(tensor.name) do not match shape \(tensor.shape)")
      }
      try backend.upload(m, to: firstMoments, offset: tensor.offset)
      try backend.upload(v, to: secondMoments, offset: tensor.offset)
    }
  }

  private func slices(of block: [Float]) -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, Array(block[$0.offset..<($0.offset + $0.count)])) })
  }
}
