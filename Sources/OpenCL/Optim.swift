// Launcher for kernels/optim.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedAdamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>, firstMoment: DeviceBuffer<Float>,
    secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int, step: AdamStep
  ) throws {
    let buffers = try arguments(
      "adamUpdate",
      [
        ("parameters", parameters), ("gradients", gradients), ("firstMoment", firstMoment),
        ("secondMoment", secondMoment),
      ])
    let (c1, c2) = step.biasCorrections
    try launch(
      "adam_update", file: "optim", global: [count],
      buffers + [
        .int(count), .int(decayed), .float(step.learningRate), .float(step.beta1), .float(step.beta2),
        .float(step.epsilon), .float(step.weightDecay), .float(c1), .float(c2),
      ])
  }
}
