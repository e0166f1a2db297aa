// Launcher for kernels/matmul.cl.

import Backend

extension OpenCLBackend {
  public func gemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float
  ) throws {
    try Validate.gemm(a, b, c, m: m, n: n, k: k)
    let tile = tuning.matmulTile
    let rowsPerGroup = tile / tuning.matmulWorkPerThread
    try launch(
      "gemm", file: "matmul",
      global: [(n + tile - 1) / tile * tile, (m + tile - 1) / tile * rowsPerGroup],
      local: [tile, rowsPerGroup],
      [
        .int(m), .int(n), .int(k), .float(alpha), .float(beta), .int(transposeA ? 1 : 0),
        .int(transposeB ? 1 : 0), .memory(try memory(a, "gemm", "A")),
        .memory(try memory(b, "gemm", "B")), .memory(try memory(c, "gemm", "C")),
      ])
  }
}
