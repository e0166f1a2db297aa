// Launcher for kernels/matmul.cl: the plain product and the one with an epilogue and the
// row sums of op(A) are the same kernel.

import Backend
import COpenCL
import OperationCodes

extension OpenCLBackend {
  public func uncheckedGemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float
  ) throws {
    try uncheckedFusedGemm(
      a, transposeA: transposeA, b, transposeB: transposeB, into: c, m: m, n: n, k: k, alpha: alpha, beta: beta,
      epilogue: .none, rowSumsOfA: nil)
  }

  public func uncheckedFusedGemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float, epilogue: GemmEpilogue,
    rowSumsOfA: DeviceBuffer<Float>?
  ) throws {
    let shape = GemmShape(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
    let tuned = gemmSettings[shape]
    let setting = tuned ?? tuning.gemm
    let cMemory = try memory(c, "gemm", "C")
    // Unused pointer arguments get C: OpenCL 1.2 drivers differ on NULL buffers.
    let (code, activation, values): (EpilogueCode, Activation, cl_mem) =
      switch epilogue {
      case .none: (.none, .identity, cMemory)
      case .biasActivation(let bias, let activation): (.biasActivation, activation, try memory(bias, "gemm", "bias"))
      case .activationGradient(let activation, let output):
        (.activationGradient, activation, try memory(output, "gemm", "output"))
      }
    let (activationCode, slope) = activation.code
    let sums = try rowSumsOfA.map { try memory($0, "gemm", "rowSumsOfA") }
    let partials =
      setting.splitK > 1
      ? try memory(try splitWorkspace(count: setting.splitK * m * (n + 1)), "gemm", "partials") : cMemory
    let epilogueArguments: [KernelArgument] = [
      .int(Int(code.rawValue)), .int(Int(activationCode.rawValue)), .float(slope), .memory(values),
      .int(sums == nil ? 0 : 1), .memory(sums ?? cMemory),
    ]
    try launch(
      "gemm", file: "matmul", gemmSetting: tuned,
      global: [
        (n + setting.tileColumns - 1) / setting.tileColumns * setting.groupColumns,
        (m + setting.tileRows - 1) / setting.tileRows * setting.groupRows, setting.splitK,
      ],
      local: [setting.groupColumns, setting.groupRows, 1],
      [
        .int(m), .int(n), .int(k), .float(alpha), .float(beta), .int(transposeA ? 1 : 0),
        .int(transposeB ? 1 : 0), .memory(try memory(a, "gemm", "A")),
        .memory(try memory(b, "gemm", "B")), .memory(cMemory),
      ] + epilogueArguments + [.memory(partials)],
      profileName: shape.profileName + Self.epilogueSuffix(epilogue, rowSums: rowSumsOfA != nil)
        + (setting.splitK > 1 ? " (split-k \(setting.splitK))" : ""))
    guard setting.splitK > 1 else { return }
    try launch(
      "gemm_split_sum", file: "matmul", gemmSetting: tuned, global: [m * n],
      [.int(m), .int(n), .float(alpha), .float(beta), .memory(cMemory)] + epilogueArguments + [.memory(partials)],
      profileName: shape.profileName + " split-k sum")
  }

  /// The split-K partial products' buffer, kept between products and grown when too small.
  private func splitWorkspace(count: Int) throws -> DeviceBuffer<Float> {
    if let workspace = gemmWorkspace, workspace.count >= count { return workspace }
    let workspace = try makeBuffer(Float.self, count: count)
    gemmWorkspace = workspace
    return workspace
  }

  /// The setting the GEMM runs at `shape` on this backend.
  public func gemmSetting(for shape: GemmShape) -> GemmSetting { gemmSettings[shape] ?? tuning.gemm }

  /// How a profile names a GEMM's extra work, e.g. " +bias·tanh".
  static func epilogueSuffix(_ epilogue: GemmEpilogue, rowSums: Bool) -> String {
    let suffix =
      switch epilogue {
      case .none: ""
      case .biasActivation(_, let activation): " +bias·\(activation)"
      case .activationGradient(let activation, _): " ·\(activation)′"
      }
    return suffix + (rowSums ? " +Σrows" : "")
  }
}

extension GemmShape {
  /// How a profile names the product, e.g. "gemm 500×64·784 Bᵀ" (built only when a
  /// profile records the launch).
  fileprivate var profileName: String {
    "gemm \(m)×\(n)·\(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : "")"
  }
}
