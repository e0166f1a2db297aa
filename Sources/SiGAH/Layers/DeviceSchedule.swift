// A self-controlled schedule kept on the device (METHOD.md §9): each player's decision and
// its count of steps taken live in a device buffer that `scoreGate` writes and a gated
// Adam update reads, with the bias corrections of every step number the player can reach
// in a table beside them, so that a step that decides whether to update a player reads
// nothing back.

import Backend

final class DeviceSchedule {
  let backend: any Backend
  /// Per player: (taken this step, steps taken so far), Int32.
  let state: DeviceBuffer<Int32>
  let beta1: Float
  /// `(c1, c2)` of steps 1…`coveredSteps`, as `AdamStep.biasCorrections` computes them.
  private(set) var corrections: DeviceBuffer<Float>
  private(set) var coveredSteps = 0

  init(players: Int, steps: Int, beta1: Float = 0.9, backend: any Backend) throws {
    self.backend = backend
    self.beta1 = beta1
    state = try backend.makeBuffer([Int32](repeating: 0, count: 2 * players))
    corrections = try backend.makeBuffer(Float.self, count: 2)
    try cover(steps)
  }

  /// Makes the table reach step `steps`, doubling it when it must grow: an upload, never a
  /// read (sized for the whole training up front, it does not grow in a step).
  func cover(_ steps: Int) throws {
    guard steps > coveredSteps else { return }
    let covered = max(steps, 2 * coveredSteps, 1)
    let table = (1...covered).flatMap { step in
      let pair = AdamStep(learningRate: 0, beta1: beta1, step: step).biasCorrections
      return [pair.first, pair.second]
    }
    corrections = try backend.makeBuffer(table)
    coveredSteps = covered
  }

  func gate(_ slot: Int) -> AdamGate { AdamGate(schedule: state, slot: slot, corrections: corrections) }
}
