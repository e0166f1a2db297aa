// A stack of `Linear` layers over one parameter block, with the activations of a batch
// kept for the backward pass (mlx-swift's `Sequential` of `Linear`s, backward by hand).

import Backend

/// One layer of an MLP: its width and activation.
public struct LayerSpec: Sendable, Equatable {
  public var outputs: Int
  public var activation: Activation

  public init(_ outputs: Int, _ activation: Activation) {
    self.outputs = outputs
    self.activation = activation
  }
}

public final class MLP {
  public let layers: [Linear]
  public let inputs: Int
  /// The most rows a batch may have.
  public let capacity: Int
  let backend: any Backend
  /// Each layer's output for the last forward batch, `capacity × outputs`.
  let activations: [DeviceBuffer<Float>]
  /// Each layer's `∂L/∂Y`, overwritten by the backward pass with `∂L/∂Z`.
  let gradients: [DeviceBuffer<Float>]

  public var outputs: Int { layers.last!.outputs }
  /// The last layer's output.
  public var output: DeviceBuffer<Float> { activations.last! }
  /// Where callers write `∂L/∂output` before `backward`.
  public var outputGradient: DeviceBuffer<Float> { gradients.last! }
  /// Layer `index`'s output (the hidden features of feature matching, for one).
  public func activation(_ index: Int) -> DeviceBuffer<Float> { activations[index] }
  public func gradient(_ index: Int) -> DeviceBuffer<Float> { gradients[index] }

  /// The tensors of an MLP `inputs → layers…`, named `<prefix><i>.weight` and
  /// `<prefix><i>.bias`: weights `N(0, 1/fan-in)` from `generator`, biases zero.
  public static func parameters(
    prefix: String, inputs: Int, layers: [LayerSpec], generator: inout SeededGenerator
  ) -> [TensorInit] {
    var fanIn = inputs
    var inits: [TensorInit] = []
    for (index, layer) in layers.enumerated() {
      inits.append(
        TensorInit(
          name: "\(prefix)\(index).weight", shape: [layer.outputs, fanIn],
          values: generator.gaussians(count: layer.outputs * fanIn, standardDeviation: 1 / Double(fanIn).squareRoot()),
          decays: true))
      inits.append(
        TensorInit(
          name: "\(prefix)\(index).bias", shape: [layer.outputs], values: [Float](repeating: 0, count: layer.outputs),
          decays: false))
      fanIn = layer.outputs
    }
    return inits
  }

  /// The MLP over the tensors `parameters(prefix:…)` put in `block`.
  public convenience init(
    prefix: String, inputs: Int, layers specs: [LayerSpec], block: ParameterBlock, capacity: Int, backend: any Backend
  ) throws {
    precondition(!specs.isEmpty)
    let layers = specs.indices.map { index in
      Linear(
        weight: block.tensor("\(prefix)\(index).weight"), bias: block.tensor("\(prefix)\(index).bias"),
        activation: specs[index].activation, backend: backend)
    }
    precondition(layers[0].inputs == inputs)
    try self.init(layers: layers, capacity: capacity, backend: backend)
  }

  /// An MLP of layers built elsewhere (over tensors named as a model file names them).
  public init(layers: [Linear], capacity: Int, backend: any Backend) throws {
    precondition(!layers.isEmpty && capacity >= 1)
    self.inputs = layers[0].inputs
    self.capacity = capacity
    self.backend = backend
    self.layers = layers
    activations = try layers.map { try backend.makeBuffer(Float.self, count: capacity * $0.outputs) }
    gradients = try layers.map { try backend.makeBuffer(Float.self, count: capacity * $0.outputs) }
  }

  /// Runs `rows` rows of `input` through every layer, or through the first `layerCount`;
  /// the result is `output`, or `activation(layerCount − 1)`.
  public func forward(_ input: DeviceBuffer<Float>, rows: Int, layerCount: Int? = nil) throws {
    precondition(rows <= capacity && (layerCount ?? 0) <= layers.count)
    var current = input
    for (layer, out) in zip(layers, activations).prefix(layerCount ?? layers.count) {
      try layer.forward(current, rows: rows, into: out)
      current = out
    }
  }

  /// Back from `outputGradient` (after `forward` on the same `input`): the parameter
  /// gradients when `parameterGradients`, and `inputGradient = ∂L/∂input +
  /// inputGradientBeta·inputGradient` when given. Each layer's backward pass is one GEMM
  /// for its weight and bias gradients and one for the layer below's pre-activation
  /// gradient (the activation derivative in its epilogue).
  public func backward(
    input: DeviceBuffer<Float>, rows: Int, parameterGradients: Bool = true, inputGradient: DeviceBuffer<Float>? = nil,
    inputGradientBeta: Float = 0
  ) throws {
    let last = layers[layers.count - 1]
    if last.activation != .identity {
      try backend.activationBackward(
        last.activation, output: output, outputGradient: outputGradient, into: outputGradient,
        count: rows * last.outputs)
    }
    for index in layers.indices.reversed() {
      let first = index == 0
      try layers[index].backward(
        fromPreActivation: gradients[index], input: first ? input : activations[index - 1], rows: rows,
        parameterGradients: parameterGradients, inputGradient: first ? inputGradient : gradients[index - 1],
        inputGradientBeta: first ? inputGradientBeta : 0,
        below: first ? nil : (layers[index - 1].activation, activations[index - 1]))
    }
  }
}
