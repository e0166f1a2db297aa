// The fused operations that compose exactly from the primitives: what a backend without
// its own kernel for them runs (the CPU backend, where a pass over a matrix costs little
// beside OpenBLAS's product). Arguments were checked by the caller, so these call the
// unchecked primitives and count nothing twice.

extension Backend {
  public func uncheckedFusedGemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float, epilogue: GemmEpilogue,
    rowSumsOfA: DeviceBuffer<Float>?
  ) throws {
    if let rowSumsOfA {
      // op(A)'s rows are A's columns when A is transposed.
      if transposeA {
        try uncheckedSumColumns(a, rows: k, columns: m, into: rowSumsOfA)
      } else {
        try uncheckedReduceRows(a, rows: m, columns: k, .sum, into: rowSumsOfA)
      }
    }
    try uncheckedGemm(
      a, transposeA: transposeA, b, transposeB: transposeB, into: c, m: m, n: n, k: k, alpha: alpha, beta: beta)
    switch epilogue {
    case .none: break
    case .biasActivation(let bias, let activation):
      try uncheckedBiasActivate(activation, bias: bias, c, rows: m, columns: n)
    case .activationGradient(let activation, let output):
      if activation != .identity {
        try uncheckedActivationBackward(activation, output: output, outputGradient: c, into: c, count: m * n)
      }
    }
  }

  public func uncheckedDistancesWithRowSums(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>, rows: Int,
    columns: Int, squareRoot: Bool, zeroDiagonal: Bool, into distances: DeviceBuffer<Float>,
    rowSums: DeviceBuffer<Float>
  ) throws {
    try uncheckedDistancesFromGram(
      gram, rowNorms: rowNorms, columnNorms: columnNorms, rows: rows, columns: columns, squareRoot: squareRoot,
      zeroDiagonal: zeroDiagonal, into: distances)
    try uncheckedReduceRows(distances, rows: rows, columns: columns, .sum, into: rowSums)
  }

  public func uncheckedSimilarityWithDegrees(
    _ distances: DeviceBuffer<Float>, rows: Int, sigma: Float?, distanceRowSums: DeviceBuffer<Float>, pairs: Int,
    into similarity: DeviceBuffer<Float>, degrees: DeviceBuffer<Float>
  ) throws {
    let total = try uncheckedMakeBuffer(Float.self, count: 1)
    try uncheckedReduceRows(distanceRowSums, rows: 1, columns: rows, .sum, into: total)
    try uncheckedExponentialSimilarity(
      distances, count: rows * rows, sigma: sigma, total: total, pairs: pairs, into: similarity)
    try uncheckedReduceRows(similarity, rows: rows, columns: rows, .sum, into: degrees)
  }

  public func uncheckedProjectSignPack(
    _ x: DeviceBuffer<Float>, firstRow: Int, rows: Int, columns: Int, subtracting mean: DeviceBuffer<Float>?,
    transposedProjection: DeviceBuffer<Float>, adding addend: DeviceBuffer<Float>?, offset: DeviceBuffer<Float>,
    bits: Int, into codes: DeviceBuffer<UInt64>, firstCode: Int, workspace: SignProjectionWorkspace
  ) throws {
    try composedProjectSignPack(
      x, firstRow: firstRow, rows: rows, columns: columns, subtracting: mean,
      transposedProjection: transposedProjection, adding: addend, offset: offset, bits: bits, into: codes,
      firstCode: firstCode, workspace: workspace)
  }

  /// `projectSignPack` from the primitives; also what a backend runs where its own kernel
  /// cannot (OpenCL on a device with work-groups under 64).
  public func composedProjectSignPack(
    _ x: DeviceBuffer<Float>, firstRow: Int, rows: Int, columns: Int, subtracting mean: DeviceBuffer<Float>?,
    transposedProjection: DeviceBuffer<Float>, adding addend: DeviceBuffer<Float>?, offset: DeviceBuffer<Float>,
    bits: Int, into codes: DeviceBuffer<UInt64>, firstCode: Int, workspace: SignProjectionWorkspace
  ) throws {
    // Rows that need neither centring nor moving are multiplied where they are.
    var input = x
    if let centred = workspace.centred, let identity = workspace.identity, mean != nil || firstRow != 0 {
      try uncheckedGatherRows(
        x, indices: identity, first: firstRow, rows: rows, columns: columns, subtracting: mean, into: centred)
      input = centred
    }
    if let addend {
      try uncheckedCopy(addend, sourceOffset: 0, to: workspace.projections, destinationOffset: 0, count: rows * bits)
    }
    // The offset in the product's epilogue: the same sum, acc + c, in one pass.
    try uncheckedFusedGemm(
      input, transposeA: false, transposedProjection, transposeB: false, into: workspace.projections,
      m: rows, n: bits, k: columns, alpha: 1, beta: addend == nil ? 0 : 1,
      epilogue: .biasActivation(bias: offset, .identity), rowSumsOfA: nil)
    try uncheckedSignPack(workspace.projections, rows: rows, bits: bits, into: workspace.codes)
    let words = codeWords(bits: bits)
    try uncheckedCopy(
      workspace.codes, sourceOffset: 0, to: codes, destinationOffset: firstCode * words, count: rows * words)
  }
}
