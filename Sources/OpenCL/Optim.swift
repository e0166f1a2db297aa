// Launchers for kernels/optim.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedAdamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>, firstMoment: DeviceBuffer<Float>,
    secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int, step: AdamStep
  ) throws {
    let (c1, c2) = step.biasCorrections
    try launch(
      "adam_update", file: "optim", global: [count],
      try adamArguments("adamUpdate", parameters, gradients, firstMoment, secondMoment, count, decayed, step)
        + [.float(c1), .float(c2)])
  }

  public func uncheckedGatedAdamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>, firstMoment: DeviceBuffer<Float>,
    secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int, step: AdamStep, gate: AdamGate
  ) throws {
    let operation = "gatedAdamUpdate"
    try launch(
      "adam_update_gated", file: "optim", global: [count],
      try adamArguments(operation, parameters, gradients, firstMoment, secondMoment, count, decayed, step)
        + [
          .memory(try memory(gate.schedule, operation, "schedule")), .int(gate.slot),
          .memory(try memory(gate.corrections, operation, "corrections")), .int(step.step),
        ])
  }

  public func uncheckedScoreGate(
    _ logits: DeviceBuffer<Float>, offset: Int, count: Int, threshold: Float, schedule: DeviceBuffer<Int32>,
    slot: Int
  ) throws {
    let group = tuning.reductionGroupSize
    try launch(
      "score_gate", file: "optim", global: [group], local: [group],
      [
        .memory(try memory(logits, "scoreGate", "logits")), .int(offset), .int(count), .float(threshold),
        .memory(try memory(schedule, "scoreGate", "schedule")), .int(slot),
      ])
  }

  /// The buffers and settings both Adam kernels take first.
  private func adamArguments(
    _ operation: String, _ parameters: DeviceBuffer<Float>, _ gradients: DeviceBuffer<Float>,
    _ firstMoment: DeviceBuffer<Float>, _ secondMoment: DeviceBuffer<Float>, _ count: Int, _ decayed: Int,
    _ step: AdamStep
  ) throws -> [KernelArgument] {
    try arguments(
      operation,
      [
        ("parameters", parameters), ("gradients", gradients), ("firstMoment", firstMoment),
        ("secondMoment", secondMoment),
      ])
      + [
        .int(count), .int(decayed), .float(step.learningRate), .float(step.beta1), .float(step.beta2),
        .float(step.epsilon), .float(step.weightDecay),
      ]
  }
}
