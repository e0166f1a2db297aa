// Launchers for kernels/losses.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedMarginLoss(
    energies: DeviceBuffer<Float>, count: Int, margin: Float, losses: DeviceBuffer<Float>,
    gradient: DeviceBuffer<Float>
  ) throws {
    let p = try arguments("marginLoss", [("energies", energies), ("losses", losses), ("gradient", gradient)])
    try launch("margin_loss", file: "losses", global: [count], [p[0], .int(count), .float(margin), p[1], p[2]])
  }

  public func uncheckedRankingPairLoss(
    _ codes: DeviceBuffer<Float>, anchors: Int, pairsPerAnchor pairs: Int, bits: Int, sharpness: Float,
    gradient: DeviceBuffer<Float>, losses: DeviceBuffer<Float>
  ) throws {
    let p = try arguments("rankingPairLoss", [("codes", codes), ("gradient", gradient), ("losses", losses)])
    try launch(
      "ranking_pair_loss", file: "losses", global: [anchors],
      [p[0], .int(anchors), .int(pairs), .int(bits), .float(sharpness), p[1], p[2]])
  }
}
