// A fully connected layer with its activation, `Y = f(X·Wᵀ + b)`, over typed tensors of a
// parameter block (mlx-swift's `Linear`, with a hand-written backward pass).

import Backend

public final class Linear {
  /// `outputs × inputs`.
  public let weight: Tensor
  /// `outputs`.
  public let bias: Tensor
  public let activation: Activation
  public let inputs: Int
  public let outputs: Int
  let backend: any Backend

  public init(weight: Tensor, bias: Tensor, activation: Activation, backend: any Backend) {
    precondition(weight.shape.count == 2 && bias.shape == [weight.shape[0]])
    self.weight = weight
    self.bias = bias
    self.activation = activation
    self.outputs = weight.shape[0]
    self.inputs = weight.shape[1]
    self.backend = backend
  }

  /// `out = f(input·Wᵀ + b)` for `rows` rows: one GEMM with the bias and activation in its
  /// epilogue.
  public func forward(_ input: DeviceBuffer<Float>, rows: Int, into out: DeviceBuffer<Float>) throws {
    try backend.gemm(
      input, transposeA: false, weight.value, transposeB: true, into: out, m: rows, n: outputs, k: inputs, alpha: 1,
      beta: 0, epilogue: .biasActivation(bias: bias.value, activation))
  }

  /// Back from `∂L/∂Y` (in `outputGradient`, overwritten with `∂L/∂Z` of the
  /// pre-activation): writes the weight and bias gradients when `parameterGradients`, and
  /// `inputGradient = ∂L/∂Z·W + inputGradientBeta·inputGradient` when given.
  public func backward(
    input: DeviceBuffer<Float>, output: DeviceBuffer<Float>, outputGradient: DeviceBuffer<Float>, rows: Int,
    parameterGradients: Bool = true, inputGradient: DeviceBuffer<Float>? = nil, inputGradientBeta: Float = 0
  ) throws {
    if activation != .identity {
      try backend.activationBackward(
        activation, output: output, outputGradient: outputGradient, into: outputGradient, count: rows * outputs)
    }
    try backward(
      fromPreActivation: outputGradient, input: input, rows: rows, parameterGradients: parameterGradients,
      inputGradient: inputGradient, inputGradientBeta: inputGradientBeta)
  }

  /// Back from `∂L/∂Z` (the pre-activation gradient, `rows × outputs`): the weight
  /// gradient `∂L/∂Zᵀ·input` with the bias gradient (its `Aᵀ`'s row sums) in the same GEMM
  /// when `parameterGradients`, and when `inputGradient` is given, `∂L/∂Z·W +
  /// inputGradientBeta·inputGradient`, times `f'` of the layer below when `below` gives
  /// that layer's activation and output (so the result is the layer below's `∂L/∂Z`).
  public func backward(
    fromPreActivation gradient: DeviceBuffer<Float>, input: DeviceBuffer<Float>, rows: Int,
    parameterGradients: Bool = true, inputGradient: DeviceBuffer<Float>? = nil, inputGradientBeta: Float = 0,
    below: (activation: Activation, output: DeviceBuffer<Float>)? = nil
  ) throws {
    if parameterGradients {
      try backend.gemm(
        gradient, transposeA: true, input, transposeB: false, into: weight.gradient, m: outputs, n: inputs, k: rows,
        alpha: 1, beta: 0, epilogue: .none, rowSumsOfA: bias.gradient)
    }
    if let inputGradient {
      let epilogue: GemmEpilogue =
        if let below, below.activation != .identity {
          .activationGradient(below.activation, output: below.output)
        } else {
          .none
        }
      try backend.gemm(
        gradient, transposeA: false, weight.value, transposeB: false, into: inputGradient, m: rows, n: inputs,
        k: outputs, alpha: 1, beta: inputGradientBeta, epilogue: epilogue)
    }
  }
}
