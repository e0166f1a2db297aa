// Launcher for kernels/matmul.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedGemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float
  ) throws {
    let tileRows = tuning.gemmRowsPerItem * tuning.gemmGroupRows
    let tileColumns = tuning.gemmVectorWidth * tuning.gemmVectorsPerItem * tuning.gemmGroupColumns
    try launch(
      "gemm", file: "matmul",
      global: [
        (n + tileColumns - 1) / tileColumns * tuning.gemmGroupColumns,
        (m + tileRows - 1) / tileRows * tuning.gemmGroupRows,
      ],
      local: [tuning.gemmGroupColumns, tuning.gemmGroupRows],
      [
        .int(m), .int(n), .int(k), .float(alpha), .float(beta), .int(transposeA ? 1 : 0),
        .int(transposeB ? 1 : 0), .memory(try memory(a, "gemm", "A")),
        .memory(try memory(b, "gemm", "B")), .memory(try memory(c, "gemm", "C")),
      ],
      profileName: "gemm \(m)×\(n)·\(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : "")")
  }
}
