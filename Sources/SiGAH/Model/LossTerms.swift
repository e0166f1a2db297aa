// The loss terms of METHOD.md §2, each as it enters its loss (weights applied), batch means.

public struct LossTerms: Sendable, Equatable, Codable {
  /// `L_D`, paper Eq. 21.
  public var discriminator: Double = 0
  /// `ρ·(1/d)‖x̂ − x̃‖²` (ρ = 1 in the paper).
  public var reconstruction: Double = 0
  /// `α·(1/r)·Σ_k (1 − H_ik²)`, the bound of paper Eq. 9.
  public var quantisation: Double = 0
  /// `λ·(1/m)·‖Gout‖²` (or ‖·‖₁).
  public var sparsity: Double = 0
  /// `μ·D(x̂)`.
  public var adversarial: Double = 0
  /// `γ·L_S`, paper Eq. 17.
  public var graph: Double = 0

  public init() {}

  /// `L_G`, paper Eq. 20 with the adversarial term.
  public var generator: Double { reconstruction + quantisation + sparsity + adversarial + graph }

  /// The terms by name, in report order.
  public var named: [LossTerm] {
    [
      LossTerm("L_D", discriminator), LossTerm("recon", reconstruction), LossTerm("quant", quantisation),
      LossTerm("sparse", sparsity), LossTerm("adv", adversarial), LossTerm("graph", graph),
      LossTerm("L_G", generator),
    ]
  }

  /// The first term that is not finite, by name.
  public var firstNonFinite: String? { named.first { !$0.value.isFinite }?.name }
}
