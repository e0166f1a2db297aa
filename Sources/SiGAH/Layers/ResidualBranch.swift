// A ReLU branch added to another layer's pre-activation, `Z += relu(X·Vᵀ + v)·Uᵀ` (the
// ranking stage's residual, METHOD.md §3c), with its backward pass by hand: from `∂L/∂Z`
// to the gradients of `V`, `v` and `U`.

import Backend

final class ResidualBranch {
  let hidden: Linear
  /// `U`, `outputs × hidden units`.
  let output: Tensor
  /// The hidden layer's output for the last forward batch, `capacity × units`.
  private let activations: DeviceBuffer<Float>
  private let hiddenGradient: DeviceBuffer<Float>
  let backend: any Backend

  init(hiddenWeight: Tensor, hiddenBias: Tensor, outputWeight: Tensor, capacity: Int, backend: any Backend) throws {
    hidden = Linear(weight: hiddenWeight, bias: hiddenBias, activation: .relu, backend: backend)
    precondition(outputWeight.shape.count == 2 && outputWeight.shape[1] == hidden.outputs)
    output = outputWeight
    activations = try backend.makeBuffer(Float.self, count: capacity * hidden.outputs)
    hiddenGradient = try backend.makeBuffer(Float.self, count: capacity * hidden.outputs)
    self.backend = backend
  }

  /// Adds the branch of `rows` rows of `input` to `z` (`rows × outputs`).
  func forward(_ input: DeviceBuffer<Float>, rows: Int, addingTo z: DeviceBuffer<Float>) throws {
    try hidden.forward(input, rows: rows, into: activations)
    try backend.gemm(
      activations, transposeA: false, output.value, transposeB: true, into: z, m: rows, n: output.shape[0],
      k: hidden.outputs, alpha: 1, beta: 1, epilogue: .none)
  }

  /// Writes the gradients of `V`, `v` and `U` from `∂L/∂Z` (after `forward` on `input`).
  func backward(input: DeviceBuffer<Float>, preActivationGradient dz: DeviceBuffer<Float>, rows: Int) throws {
    let (outputs, units) = (output.shape[0], hidden.outputs)
    try backend.gemm(
      dz, transposeA: true, activations, transposeB: false, into: output.gradient, m: outputs, n: units, k: rows,
      alpha: 1, beta: 0, epilogue: .none)
    try backend.gemm(
      dz, transposeA: false, output.value, transposeB: false, into: hiddenGradient, m: rows, n: units, k: outputs,
      alpha: 1, beta: 0, epilogue: .activationGradient(.relu, output: activations))
    try hidden.backward(fromPreActivation: hiddenGradient, input: input, rows: rows)
  }
}
