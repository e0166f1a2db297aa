// The checked entry points of the fused training-step operations (Backend.swift's last
// section): each checks its sizes once for every backend, counts one operation, forwards.

extension Backend {
  /// `C = epilogue(alpha·op(A)·op(B) + beta·C)`, and `rowSumsOfA[i] = Σ_p op(A)[i, p]` when
  /// given; see `GemmEpilogue`. A layer's forward pass is `.biasActivation`; its backward
  /// pass is one product for the weight gradient with the bias gradient as `rowSumsOfA`
  /// (`op(A) = dZᵀ`) and one for the layer below with `.activationGradient`.
  public func gemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float, epilogue: GemmEpilogue,
    rowSumsOfA: DeviceBuffer<Float>? = nil
  ) throws {
    try Validate.gemm(a, b, c, m: m, n: n, k: k)
    switch epilogue {
    case .none: break
    case .biasActivation(let bias, _): try Validate.range("gemm", "bias", bias, offset: 0, count: n)
    case .activationGradient(_, let output): try Validate.range("gemm", "output", output, offset: 0, count: m * n)
    }
    if let rowSumsOfA { try Validate.range("gemm", "rowSumsOfA", rowSumsOfA, offset: 0, count: m) }
    counts.operations += 1
    counts.gemms[GemmShape(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB), default: 0] += 1
    try uncheckedFusedGemm(
      a, transposeA: transposeA, b, transposeB: transposeB, into: c, m: m, n: n, k: k, alpha: alpha, beta: beta,
      epilogue: epilogue, rowSumsOfA: rowSumsOfA)
  }

  /// `distancesFromGram` with the row sums of `D` beside it (the graph's σ and SiGAH-DM's
  /// scales need them).
  public func distancesFromGram(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>, rows: Int,
    columns: Int, squareRoot: Bool, zeroDiagonal: Bool, into distances: DeviceBuffer<Float>,
    rowSums: DeviceBuffer<Float>
  ) throws {
    try Validate.shape(
      "distancesFromGram", rows: rows, columns: columns,
      [
        ("gram", gram, rows * columns), ("rowNorms", rowNorms, rows), ("columnNorms", columnNorms, columns),
        ("distances", distances, rows * columns), ("rowSums", rowSums, rows),
      ])
    counts.operations += 1
    try uncheckedDistancesWithRowSums(
      gram, rowNorms: rowNorms, columnNorms: columnNorms, rows: rows, columns: columns, squareRoot: squareRoot,
      zeroDiagonal: zeroDiagonal, into: distances, rowSums: rowSums)
  }

  /// The batch graph's similarity `S = exp(−σ·D)` (METHOD.md §2) with σ read on the device
  /// from the distances' row sums, and its degrees `S·1`.
  public func similarityWithDegrees(
    _ distances: DeviceBuffer<Float>, rows: Int, sigma: Float?, distanceRowSums: DeviceBuffer<Float>, pairs: Int,
    into similarity: DeviceBuffer<Float>, degrees: DeviceBuffer<Float>
  ) throws {
    try Validate.shape(
      "similarityWithDegrees", rows: rows, columns: rows,
      [
        ("distances", distances, rows * rows), ("distanceRowSums", distanceRowSums, rows),
        ("similarity", similarity, rows * rows), ("degrees", degrees, rows),
      ])
    counts.operations += 1
    try uncheckedSimilarityWithDegrees(
      distances, rows: rows, sigma: sigma, distanceRowSums: distanceRowSums, pairs: pairs, into: similarity,
      degrees: degrees)
  }

  /// The auto-encoder discriminator's energies, loss and output gradient in one pass; see
  /// `uncheckedEnergyLoss`. `residualGradient` may not alias `r` or `a`.
  public func energyLoss(
    output r: DeviceBuffer<Float>, input a: DeviceBuffer<Float>, rows: Int, columns: Int, energyScale: Float,
    hingeFrom: Int, margin: Float, gradientScale: Float, into residualGradient: DeviceBuffer<Float>,
    inputGradient: DeviceBuffer<Float>? = nil, loss: LossRows
  ) throws {
    let count = rows * columns
    var buffers = [("output", r, count), ("input", a, count), ("into", residualGradient, count)]
    if let inputGradient { buffers.append(("inputGradient", inputGradient, count)) }
    try Validate.shape("energyLoss", rows: rows, columns: columns, buffers)
    try Validate.lossRows("energyLoss", loss, rows: rows)
    guard (0...rows).contains(hingeFrom) else {
      throw BackendError.invalidArgument(
        operation: "energyLoss", message: "hingeFrom must lie in 0…\(rows), got \(hingeFrom)")
    }
    counts.operations += 1
    try uncheckedEnergyLoss(
      output: r, input: a, rows: rows, columns: columns, energyScale: energyScale, hingeFrom: hingeFrom,
      margin: margin, gradientScale: gradientScale, into: residualGradient, inputGradient: inputGradient, loss: loss)
  }

  /// `gradient = gradientScale·(X − T)` and each row's `‖X_i − T_i‖²` added to `loss`.
  public func squaredErrorLoss(
    _ x: DeviceBuffer<Float>, target: DeviceBuffer<Float>, rows: Int, columns: Int, gradientScale: Float,
    into gradient: DeviceBuffer<Float>, loss: LossRows
  ) throws {
    let count = rows * columns
    try Validate.shape(
      "squaredErrorLoss", rows: rows, columns: columns,
      [("x", x, count), ("target", target, count), ("into", gradient, count)])
    try Validate.lossRows("squaredErrorLoss", loss, rows: rows)
    counts.operations += 1
    try uncheckedSquaredErrorLoss(
      x, target: target, rows: rows, columns: columns, gradientScale: gradientScale, into: gradient, loss: loss)
  }

  /// A penalty's gradient (`accumulate`: added to `gradient`) and loss; see `Penalty`.
  public func penaltyGradient(
    _ x: DeviceBuffer<Float>, rows: Int, columns: Int, _ penalty: Penalty, accumulate: Bool,
    into gradient: DeviceBuffer<Float>
  ) throws {
    let count = rows * columns
    try Validate.shape("penaltyGradient", rows: rows, columns: columns, [("x", x, count), ("into", gradient, count)])
    try Validate.lossRows("penaltyGradient", penalty.loss, rows: rows)
    counts.operations += 1
    try uncheckedPenaltyGradient(x, rows: rows, columns: columns, penalty, accumulate: accumulate, into: gradient)
  }

  /// The hash layer's pre-activation gradient from `∂L/∂H`, the quantisation penalty and
  /// the graph term; see `uncheckedCodeGradient`.
  public func codeGradient(
    codes h: DeviceBuffer<Float>, rows: Int, bits: Int, gradient: DeviceBuffer<Float>, quantisation: Penalty?,
    graph: GraphGradient?, activation: Activation
  ) throws {
    let count = rows * bits
    var buffers = [("codes", h, count), ("gradient", gradient, count)]
    if let graph {
      buffers += [("negatedProducts", graph.negatedProducts, count), ("degrees", graph.degrees, rows)]
      try Validate.lossRows("codeGradient", graph.loss, rows: rows)
    }
    try Validate.shape("codeGradient", rows: rows, columns: bits, buffers)
    if let quantisation { try Validate.lossRows("codeGradient", quantisation.loss, rows: rows) }
    counts.operations += 1
    try uncheckedCodeGradient(
      codes: h, rows: rows, bits: bits, gradient: gradient, quantisation: quantisation, graph: graph,
      activation: activation)
  }

  /// The `count` smallest values of each row, ties by index: each row's column ids in
  /// ascending order with their values (ground truth's candidates, chosen where the
  /// distances are). Values order as floats do, negative ones included.
  public func smallestPerRow(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, count: Int, ids: DeviceBuffer<Int32>,
    values: DeviceBuffer<Float>
  ) throws {
    try Validate.shape("smallestPerRow", rows: rows, columns: columns, [("matrix", matrix, rows * columns)])
    guard (1...columns).contains(count) else {
      throw BackendError.invalidArgument(
        operation: "smallestPerRow", message: "count must be between 1 and the \(columns) columns, got \(count)")
    }
    try Validate.range("smallestPerRow", "ids", ids, offset: 0, count: rows * count)
    try Validate.range("smallestPerRow", "values", values, offset: 0, count: rows * count)
    counts.operations += 1
    try uncheckedSmallestPerRow(matrix, rows: rows, columns: columns, count: count, ids: ids, values: values)
  }

  /// Binary cross-entropy against one target in one pass (METHOD.md §7): adds
  /// `lossScale·Σ (softplus(x) − t·x)` over `logits[offset..<offset + count]` to
  /// `accumulator[index]` when given, and sets `gradient[gradientOffset + i]` to
  /// `gradientScale·(σ(x_i) − t) + beta·gradient[gradientOffset + i]` when given.
  public func binaryCrossEntropy(
    _ logits: DeviceBuffer<Float>, offset: Int = 0, count: Int, target: Float, lossScale: Float,
    accumulator: DeviceBuffer<Float>?, index: Int = 0, gradient: DeviceBuffer<Float>?, gradientOffset: Int = 0,
    gradientScale: Float, beta: Float = 0
  ) throws {
    let operation = "binaryCrossEntropy"
    try Validate.positive(operation, "count", count)
    try Validate.range(operation, "logits", logits, offset: offset, count: count)
    if let accumulator { try Validate.range(operation, "accumulator", accumulator, offset: index, count: 1) }
    if let gradient { try Validate.range(operation, "gradient", gradient, offset: gradientOffset, count: count) }
    counts.operations += 1
    try uncheckedBinaryCrossEntropy(
      logits, offset: offset, count: count, target: target, lossScale: lossScale, accumulator: accumulator,
      index: index, gradient: gradient, gradientOffset: gradientOffset, gradientScale: gradientScale, beta: beta)
  }
}
