// CPU backend: the Adam update (METHOD.md §3) and the self-controlled schedule's decision
// (METHOD.md §9).

import Foundation

extension CPUBackend {
  public func uncheckedAdamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>,
    firstMoment: DeviceBuffer<Float>, secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int,
    step: AdamStep
  ) throws {
    try adam(
      "adamUpdate", parameters, gradients, firstMoment, secondMoment, count: count, decayed: decayed, step: step,
      corrections: step.biasCorrections)
  }

  public func uncheckedGatedAdamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>, firstMoment: DeviceBuffer<Float>,
    secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int, step: AdamStep, gate: AdamGate
  ) throws {
    let schedule = try pointer(gate.schedule, "gatedAdamUpdate", "schedule")
    let table = try pointer(gate.corrections, "gatedAdamUpdate", "corrections")
    let t = Int(schedule[2 * gate.slot + 1])
    guard schedule[2 * gate.slot] != 0, (1...step.step).contains(t) else { return }
    try adam(
      "gatedAdamUpdate", parameters, gradients, firstMoment, secondMoment, count: count, decayed: decayed, step: step,
      corrections: (table[2 * (t - 1)], table[2 * (t - 1) + 1]))
  }

  private func adam(
    _ operation: String, _ parameters: DeviceBuffer<Float>, _ gradients: DeviceBuffer<Float>,
    _ firstMoment: DeviceBuffer<Float>, _ secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int,
    step: AdamStep, corrections: (first: Float, second: Float)
  ) throws {
    let theta = try pointer(parameters, operation, "parameters")
    let grad = try pointer(gradients, operation, "gradients")
    let m = try pointer(firstMoment, operation, "firstMoment")
    let v = try pointer(secondMoment, operation, "secondMoment")
    let (c1, c2) = corrections
    elements(count) { range in
      for i in range {
        let g = grad[i] + (i < decayed ? step.weightDecay : 0) * theta[i]
        m[i] = step.beta1 * m[i] + (1 - step.beta1) * g
        v[i] = step.beta2 * v[i] + (1 - step.beta2) * g * g
        theta[i] -= step.learningRate * (m[i] * c1) / ((v[i] * c2).squareRoot() + step.epsilon)
      }
    }
  }

  public func uncheckedScoreGate(
    _ logits: DeviceBuffer<Float>, offset: Int, count: Int, threshold: Float, schedule: DeviceBuffer<Int32>,
    slot: Int
  ) throws {
    let x = try pointer(logits, "scoreGate", "logits")
    let out = try pointer(schedule, "scoreGate", "schedule")
    var sum: Float = 0
    for i in offset..<(offset + count) { sum += 1 / (1 + Foundation.exp(-x[i])) }
    let taken: Int32 = sum / Float(count) > threshold ? 1 : 0
    out[2 * slot] = taken
    out[2 * slot + 1] += taken
  }
}
