// The hash function of the deep methods (HashGAN, GMANs; METHOD.md §7): an MLP on the
// centred, scaled input whose last layer gives one logit a bit, `b = sign(logits)`, which
// is the paper's `1(σ(logit) > 0.5)`. With a skip, a linear map of the same input is added
// to the logits (SiGAH-DM's hash layer beside its ranking residual, METHOD.md §3c).

import Backend

public struct MLPHash: Sendable, Equatable {
  /// One layer: `outputs × inputs` weight, bias and activation.
  public struct Layer: Sendable, Equatable {
    public var weight: [Float]
    public var bias: [Float]
    public var inputs: Int
    public var outputs: Int
    public var activation: Activation
  }

  /// Training mean `μ`.
  public var mean: [Float]
  /// The network sees `(x − μ)/inputScale` (`InputScale`).
  public var inputScale: Float
  public var layers: [Layer]
  /// `bits × d`: the logits are the last layer's output plus this map of the layers' input.
  public var skip: [Float]? = nil

  public var inputDimension: Int { mean.count }
  public var bits: Int { layers.last!.outputs }

  /// The layers of `mlp` as they are on the device now.
  static func layers(of mlp: MLP, backend: any Backend) throws -> [Layer] {
    try mlp.layers.map { layer in
      Layer(
        weight: try backend.download(layer.weight.value), bias: try backend.download(layer.bias.value),
        inputs: layer.inputs, outputs: layer.outputs, activation: layer.activation)
    }
  }

  /// Codes of every row, `batchSize` rows at a time on `backend`; `progress` as
  /// `LinearHash.encode`'s, the codes read once at the end. `ModelEncoder` keeps the
  /// encoder for further calls.
  public func encode(
    _ data: Matrix, backend: any Backend, batchSize: Int = 2048, progress: (Int) -> Void = { _ in }
  ) throws -> PackedCodes {
    try data.requireDimension(inputDimension)
    return try MLPHashEncoder(self, blockRows: min(batchSize, data.rows), backend: backend).encode(
      .floats(data), progress: progress)
  }
}

extension Activation {
  /// The activation named as `description` writes it ("leaky-relu(0.2)", "selu", …).
  init?(modelText text: String) {
    switch text {
    case "relu": self = .relu
    case "tanh": self = .tanh
    case "sigmoid": self = .sigmoid
    case "identity": self = .identity
    case "selu": self = .selu
    default:
      guard text.hasPrefix("leaky-relu("), text.hasSuffix(")"),
        let slope = Float(text.dropFirst("leaky-relu(".count).dropLast()), slope.isFinite
      else { return nil }
      self = .leakyReLU(slope: slope)
    }
  }
}

extension MLPHash {
  /// The model file's metadata and tensors: `mu`, `layer<i>.weight`, `layer<i>.bias`,
  /// `skip.weight` when there is a skip, the activations in order and the input scale.
  func file(method: HashMethod) -> SafeTensors {
    var tensors: [String: SafeTensors.Tensor] = ["mu": .init(shape: [inputDimension], values: mean)]
    for (index, layer) in layers.enumerated() {
      tensors["layer\(index).weight"] = .init(shape: [layer.outputs, layer.inputs], values: layer.weight)
      tensors["layer\(index).bias"] = .init(shape: [layer.outputs], values: layer.bias)
    }
    if let skip { tensors["skip.weight"] = .init(shape: [bits, inputDimension], values: skip) }
    return SafeTensors(
      metadata: ModelFile.metadata(
        method: method.rawValue, version: skip == nil ? 1 : 2,
        [
          "bits": "\(bits)", "input_scale": "\(inputScale)",
          "activations": layers.map(\.activation.description).joined(separator: ","),
        ]), tensors: tensors)
  }

  /// The hash in a model file, every shape checked against the next layer's.
  init(_ file: SafeTensors, path: String) throws {
    let activations = (file.metadata["activations"] ?? "").split(separator: ",").map(String.init)
    guard !activations.isEmpty, activations.count <= 64 else {
      throw DataError(file: path, position: "header", "expected 1 to 64 layer activations in 'activations'")
    }
    guard let mu = file.tensors["mu"], mu.shape.count == 1 else {
      throw DataError(file: path, position: "tensor 'mu'", "expected a vector mu [d]")
    }
    let scale = Float(file.metadata["input_scale"] ?? "1") ?? .nan
    guard InputScale.isValid(scale) else {
      throw DataError(file: path, position: "header", "input_scale must be a positive power of two")
    }
    var layers: [Layer] = []
    var inputs = mu.shape[0]
    for (index, text) in activations.enumerated() {
      guard let activation = Activation(modelText: text) else {
        throw DataError(file: path, position: "layer \(index)", "unknown activation '\(text)'")
      }
      guard let weight = file.tensors["layer\(index).weight"], weight.shape.count == 2, weight.shape[1] == inputs,
        let bias = file.tensors["layer\(index).bias"], bias.shape == [weight.shape[0]]
      else {
        throw DataError(
          file: path, position: "layer \(index)",
          "expected layer\(index).weight [outputs, \(inputs)] and layer\(index).bias [outputs]")
      }
      layers.append(
        Layer(
          weight: weight.values, bias: bias.values, inputs: inputs, outputs: weight.shape[0], activation: activation))
      inputs = weight.shape[0]
    }
    guard (1...maximumCodeBits).contains(inputs) else {
      throw DataError(
        file: path, position: "last layer", "expected 1 to \(maximumCodeBits) outputs (bits), found \(inputs)")
    }
    var skip: [Float]?
    if let tensor = file.tensors["skip.weight"] {
      guard tensor.shape == [inputs, mu.shape[0]] else {
        throw DataError(
          file: path, position: "tensor 'skip.weight'",
          "expected shape [\(inputs), \(mu.shape[0])], found \(tensor.shape)")
      }
      skip = tensor.values
    }
    self.init(mean: mu.values, inputScale: scale, layers: layers, skip: skip)
  }
}
