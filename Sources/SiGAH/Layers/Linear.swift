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

  /// `out = f(input·Wᵀ + b)` for `rows` rows: one GEMM and one fused bias-activation pass.
  public func forward(_ input: DeviceBuffer<Float>, rows: Int, into out: DeviceBuffer<Float>) throws {
    try backend.gemm(
      input, transposeA: false, weight.value, transposeB: true, into: out, m: rows, n: outputs, k: inputs, alpha: 1,
      beta: 0)
    try backend.biasActivate(activation, bias: bias.value, out, rows: rows, columns: outputs)
  }

  /// Back from `∂L/∂Y` (in `outputGradient`, overwritten with `∂L/∂Z` of the
  /// pre-activation): writes the weight and bias gradients when `parameterGradients`, and
  /// `inputGradient = inputGradientScale·(∂L/∂Z·W) + inputGradientBeta·inputGradient`
  /// when given.
  public func backward(
    input: DeviceBuffer<Float>, output: DeviceBuffer<Float>, outputGradient: DeviceBuffer<Float>, rows: Int,
    parameterGradients: Bool = true, inputGradient: DeviceBuffer<Float>? = nil, inputGradientBeta: Float = 0
  ) throws {
    if parameterGradients {
      if activation == .identity {
        try backend.sumColumns(outputGradient, rows: rows, columns: outputs, into: bias.gradient)
      } else {
        try backend.activationBackwardWithBiasGradient(
          activation, output: output, outputGradient: outputGradient, into: outputGradient, rows: rows,
          columns: outputs, biasGradient: bias.gradient)
      }
      try backend.gemm(
        outputGradient, transposeA: true, input, transposeB: false, into: weight.gradient, m: outputs, n: inputs,
        k: rows, alpha: 1, beta: 0)
    } else if activation != .identity {
      try backend.activationBackward(
        activation, output: output, outputGradient: outputGradient, into: outputGradient, count: rows * outputs)
    }
    if let inputGradient {
      try backend.gemm(
        outputGradient, transposeA: false, weight.value, transposeB: false, into: inputGradient, m: rows, n: inputs,
        k: outputs, alpha: 1, beta: inputGradientBeta)
    }
  }
}
