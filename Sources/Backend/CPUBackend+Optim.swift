// CPU backend: the Adam update (METHOD.md §3).

extension CPUBackend {
  public func uncheckedAdamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>,
    firstMoment: DeviceBuffer<Float>, secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int,
    step: AdamStep
  ) throws {
    let theta = try pointer(parameters, "adamUpdate", "parameters")
    let grad = try pointer(gradients, "adamUpdate", "gradients")
    let m = try pointer(firstMoment, "adamUpdate", "firstMoment")
    let v = try pointer(secondMoment, "adamUpdate", "secondMoment")
    let (c1, c2) = step.biasCorrections
    elements(count) { range in
      for i in range {
        let g = grad[i] + (i < decayed ? step.weightDecay : 0) * theta[i]
        m[i] = step.beta1 * m[i] + (1 - step.beta1) * g
        v[i] = step.beta2 * v[i] + (1 - step.beta2) * g * g
        theta[i] -= step.learningRate * (m[i] * c1) / ((v[i] * c2).squareRoot() + step.epsilon)
      }
    }
  }
}
