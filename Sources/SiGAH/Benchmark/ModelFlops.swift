// The floating-point work of one SiGAH training sample (METHOD.md §1–3), counted from the
// products the trainer runs: 2 FLOPs per multiply-add; element-wise work is not counted.

public enum ModelFlops {
  /// FLOPs per training sample with input `d`, `r` bits, generator width `m`,
  /// discriminator width `dl` and batch `n`.
  public static func perSample(
    d: Int, r: Int, m: Int, dl: Int, batch n: Int, graph: Bool = true, discriminator: Bool = true
  ) -> Double {
    var macs = 0
    macs += d * r + r * m + m * d  // forward: X̃Wᵀ, HW2ᵀ, GoutΨᵀ
    macs += m * d + 2 * m * r + r * d  // backward: dX̂Ψ, dW2 and dH, dW
    if discriminator {
      macs += 2 * 2 * d * dl  // D step forward on [X̃; X̂]
      macs += 2 * 3 * d * dl  // D step backward: dW4, dE, dW3
      macs += 2 * d * dl + 2 * d * dl  // G step through D: forward and input gradient
    }
    if graph { macs += n * d + n * r }  // X̃X̃ᵀ and S·H, per sample
    return 2 * Double(macs)
  }
}
