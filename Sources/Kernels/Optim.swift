// Launcher for kernels/optim.cl.

import Backend

extension OpenCLBackend {
  public func adamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>,
    firstMoment: DeviceBuffer<Float>, secondMoment: DeviceBuffer<Float>, count: Int,
    step: AdamStep
  ) throws {
    try Validate.positive("adamUpdate", "step", step.step)
    let p = try elementwise(
      "adamUpdate",
      [
        ("parameters", parameters), ("gradients", gradients), ("firstMoment", firstMoment),
        ("secondMoment", secondMoment),
      ], count: count)
    let (c1, c2) = step.biasCorrections
    try launch(
      "adam_update", file: "optim", global: [count],
      p + [
        .int(count), .float(step.learningRate), .float(step.beta1), .float(step.beta2),
        .float(step.epsilon), .float(step.weightDecay), .float(c1), .float(c2),
      ])
  }
}
