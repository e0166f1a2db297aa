// Launchers for kernels/step_losses.cl: one work-group of `reductionGroupSize` a row.

import Backend
import COpenCL

extension OpenCLBackend {
  public func uncheckedEnergyLoss(
    output r: DeviceBuffer<Float>, input a: DeviceBuffer<Float>, rows: Int, columns: Int, energyScale: Float,
    hingeFrom: Int, margin: Float, gradientScale: Float, into residualGradient: DeviceBuffer<Float>,
    inputGradient: DeviceBuffer<Float>?, loss: LossRows
  ) throws {
    let operation = "energyLoss"
    let dr = try memory(residualGradient, operation, "into")
    try launchRows(
      "energy_loss", rows: rows,
      [
        .memory(try memory(r, operation, "output")), .memory(try memory(a, operation, "input")), .int(columns),
        .float(energyScale), .int(hingeFrom), .float(margin), .float(gradientScale), .memory(dr),
        .int(inputGradient == nil ? 0 : 1),
        .memory(try inputGradient.map { try memory($0, operation, "inputGradient") } ?? dr),
      ] + (try lossArguments(loss, operation)))
  }

  public func uncheckedBinaryCrossEntropy(
    _ logits: DeviceBuffer<Float>, offset: Int, count: Int, target: Float, lossScale: Float,
    accumulator: DeviceBuffer<Float>?, index: Int, gradient: DeviceBuffer<Float>?, gradientOffset: Int,
    gradientScale: Float, beta: Float
  ) throws {
    let operation = "binaryCrossEntropy"
    let x = try memory(logits, operation, "logits")
    let group = tuning.reductionGroupSize
    try launch(
      "binary_cross_entropy", file: "step_losses", global: [group], local: [group],
      [
        .memory(x), .int(offset), .int(count), .float(target), .float(lossScale), .int(accumulator == nil ? 0 : 1),
        .memory(try accumulator.map { try memory($0, operation, "accumulator") } ?? x), .int(index),
        .int(gradient == nil ? 0 : 1), .memory(try gradient.map { try memory($0, operation, "gradient") } ?? x),
        .int(gradientOffset), .float(gradientScale), .float(beta),
      ])
  }

  public func uncheckedSquaredErrorLoss(
    _ x: DeviceBuffer<Float>, target: DeviceBuffer<Float>, rows: Int, columns: Int, gradientScale: Float,
    into gradient: DeviceBuffer<Float>, loss: LossRows
  ) throws {
    let operation = "squaredErrorLoss"
    try launchRows(
      "squared_error_loss", rows: rows,
      [
        .memory(try memory(x, operation, "x")), .memory(try memory(target, operation, "target")), .int(columns),
        .float(gradientScale), .memory(try memory(gradient, operation, "into")),
      ] + (try lossArguments(loss, operation)))
  }

  public func uncheckedPenaltyGradient(
    _ x: DeviceBuffer<Float>, rows: Int, columns: Int, _ penalty: Penalty, accumulate: Bool,
    into gradient: DeviceBuffer<Float>
  ) throws {
    let operation = "penaltyGradient"
    try launchRows(
      "penalty_gradient", rows: rows,
      [
        .memory(try memory(x, operation, "x")), .int(columns), .int(Int(penalty.kind.code.rawValue)),
        .float(penalty.gradientScale), .int(accumulate ? 1 : 0), .memory(try memory(gradient, operation, "into")),
      ] + (try lossArguments(penalty.loss, operation)))
  }

  public func uncheckedCodeGradient(
    codes h: DeviceBuffer<Float>, rows: Int, bits: Int, gradient: DeviceBuffer<Float>, quantisation: Penalty?,
    graph: GraphGradient?, activation: Activation
  ) throws {
    let operation = "codeGradient"
    let gradientMemory = try memory(gradient, operation, "gradient")
    // Absent parts get the gradient's buffer, never read (OpenCL 1.2 drivers differ on NULL).
    let quantisationArguments: [KernelArgument] =
      if let quantisation {
        [.int(1), .int(Int(quantisation.kind.code.rawValue)), .float(quantisation.gradientScale)]
          + (try lossArguments(quantisation.loss, operation))
      } else {
        [.int(0), .int(0), .float(0), .memory(gradientMemory), .int(0), .float(0)]
      }
    let graphArguments: [KernelArgument] =
      if let graph {
        [
          .int(1), .memory(try memory(graph.negatedProducts, operation, "negatedProducts")),
          .memory(try memory(graph.degrees, operation, "degrees")), .float(graph.gradientScale),
        ] + (try lossArguments(graph.loss, operation))
      } else {
        [
          .int(0), .memory(gradientMemory), .memory(gradientMemory), .float(0), .memory(gradientMemory), .int(0),
          .float(0),
        ]
      }
    let (code, slope) = activation.code
    try launchRows(
      "code_gradient", rows: rows,
      [.memory(try memory(h, operation, "codes")), .int(bits), .memory(gradientMemory)] + quantisationArguments
        + graphArguments + [.int(Int(code.rawValue)), .float(slope)])
  }

  /// Launches `name` from step_losses.cl with one work-group a row.
  private func launchRows(_ name: String, rows: Int, _ arguments: [KernelArgument]) throws {
    let group = tuning.reductionGroupSize
    try launch(name, file: "step_losses", global: [rows * group], local: [group], arguments)
  }
}

extension OpenCLBackend {
  /// The buffer, offset and scale of a fused operation's loss rows, as kernel arguments.
  func lossArguments(_ loss: LossRows, _ operation: String) throws -> [KernelArgument] {
    [.memory(try memory(loss.buffer, operation, "loss")), .int(loss.offset), .float(loss.scale)]
  }
}
