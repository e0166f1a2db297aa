// The public face of every backend: each method checks its arguments once, the same way
// for every backend, and forwards to the backend's unchecked requirement.

extension Backend {
  // MARK: Buffers

  /// A new buffer of `count` elements; its contents are unspecified until written.
  public func makeBuffer<T: DeviceScalar>(_ type: T.Type, count: Int) throws -> DeviceBuffer<T> {
    try Validate.positive("makeBuffer", "count", count)
    return try uncheckedMakeBuffer(type, count: count)
  }

  /// A buffer aliasing `count` elements of `parent` from element `offset`. The offset's
  /// bytes must be a multiple of `sliceAlignment` (what `ParameterBlock` lays out).
  public func makeSlice<T: DeviceScalar>(of parent: DeviceBuffer<T>, offset: Int, count: Int) throws
    -> DeviceBuffer<T>
  {
    try Validate.positive("makeSlice", "count", count)
    try Validate.range("makeSlice", "parent", parent, offset: offset, count: count)
    guard (offset * MemoryLayout<T>.stride) % sliceAlignment == 0 else {
      throw BackendError.invalidArgument(
        operation: "makeSlice",
        message: "offset \(offset) is not a multiple of the device's \(sliceAlignment)-byte slice alignment")
    }
    return try uncheckedMakeSlice(of: parent, offset: offset, count: count)
  }

  /// Writes `values` into `buffer` starting at element `offset`. The values are copied
  /// before this returns; the device may finish the write later.
  public func upload<T: DeviceScalar>(_ values: [T], to buffer: DeviceBuffer<T>, offset: Int) throws {
    try Validate.range("upload", "destination", buffer, offset: offset, count: values.count)
    guard !values.isEmpty else { return }
    try values.withUnsafeBufferPointer { try uncheckedUpload($0, to: buffer, offset: offset) }
  }

  /// Writes a slice of an array (a block of a matrix's rows) without copying it first.
  public func upload<T: DeviceScalar>(_ values: ArraySlice<T>, to buffer: DeviceBuffer<T>, offset: Int = 0) throws {
    try Validate.range("upload", "destination", buffer, offset: offset, count: values.count)
    guard !values.isEmpty else { return }
    try values.withUnsafeBufferPointer { try uncheckedUpload($0, to: buffer, offset: offset) }
  }

  /// Reads `count` elements starting at element `offset`; waits for queued work.
  public func download<T: DeviceScalar>(_ buffer: DeviceBuffer<T>, offset: Int, count: Int) throws -> [T] {
    try Validate.range("download", "source", buffer, offset: offset, count: count)
    guard count > 0 else { return [] }
    return try uncheckedDownload(buffer, offset: offset, count: count)
  }

  /// Copies `count` elements between buffers of this backend.
  public func copy<T: DeviceScalar>(
    _ source: DeviceBuffer<T>, sourceOffset: Int, to destination: DeviceBuffer<T>, destinationOffset: Int, count: Int
  ) throws {
    try Validate.range("copy", "source", source, offset: sourceOffset, count: count)
    try Validate.range("copy", "destination", destination, offset: destinationOffset, count: count)
    guard count > 0 else { return }
    counts.operations += 1
    try uncheckedCopy(
      source, sourceOffset: sourceOffset, to: destination, destinationOffset: destinationOffset, count: count)
  }

  /// Copies `rows × columns` from row `sourceRow`, column `sourceColumn` of a
  /// `sourceStride`-wide matrix into row `destinationRow`, column `destinationColumn` of a
  /// `destinationStride`-wide one.
  public func copyColumns(
    _ source: DeviceBuffer<Float>, rows: Int, columns: Int, sourceStride: Int, sourceRow: Int = 0, sourceColumn: Int,
    into destination: DeviceBuffer<Float>, destinationStride: Int, destinationRow: Int = 0, destinationColumn: Int
  ) throws {
    let operation = "copyColumns"
    try Validate.positive(operation, "rows", rows)
    try Validate.positive(operation, "columns", columns)
    guard sourceRow >= 0, destinationRow >= 0 else {
      throw BackendError.invalidArgument(
        operation: operation, message: "rows must not start before 0, got \(sourceRow) and \(destinationRow)")
    }
    for (name, column, stride) in [
      ("source", sourceColumn, sourceStride), ("destination", destinationColumn, destinationStride),
    ]
    where column < 0 || column + columns > stride {
      throw BackendError.invalidArgument(
        operation: operation,
        message: "\(name) columns \(column)..<\(column + columns) do not lie within its \(stride) columns")
    }
    try Validate.fits(
      operation, "source", source, needs: (sourceRow + rows - 1) * sourceStride + sourceColumn + columns)
    try Validate.fits(
      operation, "destination", destination,
      needs: (destinationRow + rows - 1) * destinationStride + destinationColumn + columns)
    counts.operations += 1
    try uncheckedCopyColumns(
      source, rows: rows, columns: columns, sourceStride: sourceStride, sourceRow: sourceRow,
      sourceColumn: sourceColumn, into: destination, destinationStride: destinationStride,
      destinationRow: destinationRow, destinationColumn: destinationColumn)
  }

  /// Sets the first `count` elements to `value`.
  public func fill(_ buffer: DeviceBuffer<Float>, value: Float, count: Int) throws {
    try Validate.elementwise("fill", [("buffer", buffer)], count: count)
    counts.operations += 1
    try uncheckedFill(buffer, value: value, count: count)
  }

  /// `out[i] = table[bytes[i]]` for the first `count` elements, `table` the 256 Floats the
  /// byte values stand for (`0…255`, or MNIST's `v/255` as the host computes them): byte
  /// data (pixels, `.bvecs`) cross the bus as bytes and become exactly the host's Floats.
  public func widenBytes(
    _ bytes: DeviceBuffer<UInt8>, count: Int, table: DeviceBuffer<Float>, into out: DeviceBuffer<Float>
  ) throws {
    try Validate.positive("widenBytes", "count", count)
    try Validate.fits("widenBytes", "bytes", bytes, needs: count)
    try Validate.fits("widenBytes", "table", table, needs: 256)
    try Validate.fits("widenBytes", "out", out, needs: count)
    counts.operations += 1
    try uncheckedWidenBytes(bytes, count: count, table: table, into: out)
  }

  /// Fills the first `count` elements with draws of `distribution` for `seed` and
  /// `counter` (a step number): the same numbers on every backend, no host work per element.
  public func fillRandom(
    _ buffer: DeviceBuffer<Float>, count: Int, _ distribution: RandomDistribution, seed: UInt64, counter: UInt64
  ) throws {
    try Validate.elementwise("fillRandom", [("buffer", buffer)], count: count)
    switch distribution {
    case .uniform: break
    case .gaussian(let deviation):
      guard deviation.isFinite && deviation >= 0 else {
        throw BackendError.invalidArgument(
          operation: "fillRandom", message: "the standard deviation must be finite and not negative, got \(deviation)")
      }
    case .bernoulli(let probability):
      guard (0...1).contains(probability) else {
        throw BackendError.invalidArgument(
          operation: "fillRandom", message: "the probability must be between 0 and 1, got \(probability)")
      }
    }
    counts.operations += 1
    try uncheckedFillRandom(buffer, count: count, distribution, key: CounterHash.key(seed: seed, counter: counter))
  }

  // MARK: Dense algebra

  /// `C = alpha·op(A)·op(B) + beta·C` with `op(A)` of `m × k` and `op(B)` of `k × n`.
  /// Without transposition `A` is stored `m × k`, with it `k × m` (likewise `B`).
  /// With `beta == 0` the old contents of `C` are never read. The product with no
  /// epilogue (Backend+CheckedFused.swift checks and counts it).
  public func gemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float
  ) throws {
    try gemm(
      a, transposeA: transposeA, b, transposeB: transposeB, into: c, m: m, n: n, k: k, alpha: alpha, beta: beta,
      epilogue: .none)
  }

  /// Solves `(A + r·I)·X = B` in place for a symmetric `order × order` matrix `A` (read
  /// from its lower triangle) and `B` of `order × columns`, as BA's decoder needs
  /// (METHOD.md §11): the lower triangle of `matrix` becomes the Cholesky factor L of
  /// `A + r·I` (its upper triangle is left alone) and `rightHandSides` becomes X. The
  /// ridge is `r = max(relativeRidge · trace(A) / order, 10⁻¹²)`, so a constant column of
  /// the codes still gives a defined solve; a pivot that rounding leaves below `r` is
  /// taken as `r`. Every backend factors in the same order (column by column, each entry's
  /// sum over p in increasing order) and solves each column of B by forward then backward
  /// substitution; they differ only by fused multiply–adds, so the result agrees to about
  /// the condition number times 2⁻²⁴. Meant for orders up to a few hundred: a device
  /// factors in one work-group.
  public func choleskySolve(
    _ matrix: DeviceBuffer<Float>, order: Int, relativeRidge: Float, rightHandSides: DeviceBuffer<Float>,
    columns: Int
  ) throws {
    let operation = "choleskySolve"
    try Validate.positive(operation, "order", order)
    try Validate.positive(operation, "columns", columns)
    guard relativeRidge >= 0, relativeRidge.isFinite else {
      throw BackendError.invalidArgument(
        operation: operation, message: "relativeRidge must be finite and not negative, got \(relativeRidge)")
    }
    guard matrix !== rightHandSides else {
      throw BackendError.invalidArgument(
        operation: operation, message: "matrix and rightHandSides must be different buffers")
    }
    try Validate.fits(operation, "matrix", matrix, needs: order * order)
    try Validate.fits(operation, "rightHandSides", rightHandSides, needs: order * columns)
    counts.operations += 1
    try uncheckedCholeskySolve(
      matrix, order: order, relativeRidge: relativeRidge, rightHandSides: rightHandSides, columns: columns)
  }

  /// `M[i, j] += v[j]` for a `rows × columns` matrix: the bias broadcast.
  public func addRowVector(_ vector: DeviceBuffer<Float>, to matrix: DeviceBuffer<Float>, rows: Int, columns: Int)
    throws
  {
    try Validate.shape(
      "addRowVector", rows: rows, columns: columns, [("vector", vector, columns), ("matrix", matrix, rows * columns)])
    counts.operations += 1
    try uncheckedAddRowVector(vector, to: matrix, rows: rows, columns: columns)
  }

  /// `M[i, j] *= s[i]`: per-sample weights in the backward pass.
  public func scaleRows(_ matrix: DeviceBuffer<Float>, by scales: DeviceBuffer<Float>, rows: Int, columns: Int) throws {
    try Validate.shape(
      "scaleRows", rows: rows, columns: columns, [("scales", scales, rows), ("matrix", matrix, rows * columns)])
    counts.operations += 1
    try uncheckedScaleRows(matrix, by: scales, rows: rows, columns: columns)
  }

  /// `z = alpha·x + beta·y` element-wise; `z` may be `x` or `y`.
  public func linearCombination(
    alpha: Float, _ x: DeviceBuffer<Float>, beta: Float, _ y: DeviceBuffer<Float>, into z: DeviceBuffer<Float>,
    count: Int
  ) throws {
    try Validate.elementwise("linearCombination", [("x", x), ("y", y), ("z", z)], count: count)
    counts.operations += 1
    try uncheckedLinearCombination(alpha: alpha, x, beta: beta, y, into: z, count: count)
  }

  /// `z = x ⊙ y` element-wise; `z` may be `x` or `y`.
  public func multiply(_ x: DeviceBuffer<Float>, _ y: DeviceBuffer<Float>, into z: DeviceBuffer<Float>, count: Int)
    throws
  {
    try Validate.elementwise("multiply", [("x", x), ("y", y), ("z", z)], count: count)
    counts.operations += 1
    try uncheckedMultiply(x, y, into: z, count: count)
  }

  /// `y = f(x)` element-wise; `y` may be `x`.
  public func map(_ function: UnaryFunction, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int)
    throws
  {
    try Validate.elementwise("map", [("x", x), ("y", y)], count: count)
    counts.operations += 1
    try uncheckedMap(function, x, into: y, count: count)
  }

  /// `out[r, :] = source[indices[first + r], :] − subtract` for `r < rows`: a batch
  /// gathered on the device from a resident data set and a device-side permutation, and
  /// centred on the way when `subtracting` holds the mean.
  public func gatherRows(
    _ source: DeviceBuffer<Float>, sourceRows: Int, indices: DeviceBuffer<Int32>, first: Int, rows: Int,
    columns: Int, subtracting: DeviceBuffer<Float>? = nil, into out: DeviceBuffer<Float>
  ) throws {
    try Validate.shape(
      "gatherRows", rows: rows, columns: columns,
      [("source", source, sourceRows * columns), ("out", out, rows * columns)]
        + (subtracting.map { [("subtracting", $0, columns)] } ?? []))
    try Validate.range("gatherRows", "indices", indices, offset: first, count: rows)
    counts.operations += 1
    try uncheckedGatherRows(
      source, indices: indices, first: first, rows: rows, columns: columns, subtracting: subtracting, into: out)
  }

  // MARK: Activations

  /// `y = f(x)` element-wise.
  public func activate(_ activation: Activation, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int)
    throws
  {
    try Validate.elementwise("activate", [("x", x), ("y", y)], count: count)
    counts.operations += 1
    try uncheckedActivate(activation, x, into: y, count: count)
  }

  /// `dx = dy · f'(x)`, with `f'` computed from the forward output `y = f(x)` (every
  /// activation here is monotone, so the output determines the derivative).
  public func activationBackward(
    _ activation: Activation, output y: DeviceBuffer<Float>, outputGradient dy: DeviceBuffer<Float>,
    into dx: DeviceBuffer<Float>, count: Int
  ) throws {
    try Validate.elementwise("activationBackward", [("output", y), ("outputGradient", dy), ("into", dx)], count: count)
    counts.operations += 1
    try uncheckedActivationBackward(activation, output: y, outputGradient: dy, into: dx, count: count)
  }

  /// `M[i, j] = f(M[i, j] + b[j])` in place: a layer's bias and activation in one pass.
  public func biasActivate(
    _ activation: Activation, bias: DeviceBuffer<Float>, _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int
  ) throws {
    try Validate.shape(
      "biasActivate", rows: rows, columns: columns, [("bias", bias, columns), ("matrix", matrix, rows * columns)])
    counts.operations += 1
    try uncheckedBiasActivate(activation, bias: bias, matrix, rows: rows, columns: columns)
  }

  /// `dX = dY ⊙ f'(Y)` (from the output `Y`) and `biasGradient[j] = Σ_i dX[i, j]`: a
  /// layer's activation backward and bias gradient in one pass. `dx` may be `dy`.
  public func activationBackwardWithBiasGradient(
    _ activation: Activation, output y: DeviceBuffer<Float>, outputGradient dy: DeviceBuffer<Float>,
    into dx: DeviceBuffer<Float>, rows: Int, columns: Int, biasGradient: DeviceBuffer<Float>
  ) throws {
    let count = rows * columns
    try Validate.shape(
      "activationBackwardWithBiasGradient", rows: rows, columns: columns,
      [
        ("output", y, count), ("outputGradient", dy, count), ("into", dx, count),
        ("biasGradient", biasGradient, columns),
      ]
    )
    counts.operations += 1
    try uncheckedActivationBackwardWithBiasGradient(
      activation, output: y, outputGradient: dy, into: dx, rows: rows, columns: columns, biasGradient: biasGradient)
  }

  // MARK: Reductions

  /// `out[i] = reduce_j M[i, j]` over each row of a `rows × columns` matrix.
  public func reduceRows(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, _ reduction: RowReduction, into out: DeviceBuffer<Float>
  ) throws {
    try Validate.shape(
      "reduceRows", rows: rows, columns: columns, [("matrix", matrix, rows * columns), ("out", out, rows)])
    counts.operations += 1
    try uncheckedReduceRows(matrix, rows: rows, columns: columns, reduction, into: out)
  }

  /// `out[j] = Σ_i M[i, j]`: column sums, the bias gradient.
  public func sumColumns(_ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, into out: DeviceBuffer<Float>) throws {
    try Validate.shape(
      "sumColumns", rows: rows, columns: columns, [("matrix", matrix, rows * columns), ("out", out, columns)])
    counts.operations += 1
    try uncheckedSumColumns(matrix, rows: rows, columns: columns, into: out)
  }

  /// `accumulator[index] += scale · reduce(x[0..<count])`, summed in an order fixed by
  /// the backend (not by scheduling): how loss terms add up on the device over an epoch
  /// without the host reading them.
  public func accumulate(
    _ x: DeviceBuffer<Float>, count: Int, _ reduction: RowReduction, scale: Float,
    into accumulator: DeviceBuffer<Float>, index: Int
  ) throws {
    try Validate.elementwise("accumulate", [("x", x)], count: count)
    try Validate.range("accumulate", "accumulator", accumulator, offset: index, count: 1)
    counts.operations += 1
    try uncheckedAccumulate(x, count: count, reduction, scale: scale, into: accumulator, index: index)
  }

  // MARK: Losses and graph

  /// The pairwise ranking loss of METHOD.md §3c. `codes` holds `anchors·(1 + 2·pairs)`
  /// rows of `bits`: the anchors, then each anchor's `pairs` positives (anchor `a`'s from
  /// row `anchors + a·pairs`), then its `pairs` negatives (from `anchors·(1 + pairs) +
  /// a·pairs`). With `s = h_a·h_b / bits`, the loss is the mean over anchors and their
  /// `pairs²` (positive, negative) pairs of `softplus(−sharpness·(s_ap − s_an))`:
  /// `losses[a]` receives anchor `a`'s share (they sum to the loss) and `gradient` its
  /// gradient with respect to every row of `codes`.
  public func rankingPairLoss(
    _ codes: DeviceBuffer<Float>, anchors: Int, pairsPerAnchor pairs: Int, bits: Int, sharpness: Float,
    gradient: DeviceBuffer<Float>, losses: DeviceBuffer<Float>
  ) throws {
    try Validate.positive("rankingPairLoss", "anchors", anchors)
    try Validate.positive("rankingPairLoss", "bits", bits)
    guard (1...maximumRankingPairs).contains(pairs) else {
      throw BackendError.invalidArgument(
        operation: "rankingPairLoss",
        message: "pairs per anchor must be between 1 and \(maximumRankingPairs), got \(pairs)")
    }
    let rows = anchors * (1 + 2 * pairs)
    try Validate.fits("rankingPairLoss", "codes", codes, needs: rows * bits)
    try Validate.fits("rankingPairLoss", "gradient", gradient, needs: rows * bits)
    try Validate.fits("rankingPairLoss", "losses", losses, needs: anchors)
    counts.operations += 1
    try uncheckedRankingPairLoss(
      codes, anchors: anchors, pairsPerAnchor: pairs, bits: bits, sharpness: sharpness, gradient: gradient,
      losses: losses)
  }

  /// BA's code step (METHOD.md §11) on rows `firstRow ..< firstRow + rows` of `codes`
  /// (±1, `bits` a row). Row i of the block (`projections`, `scores`: `rows × bits`) has
  /// the target `v = projections_i − shift + μ·h`, `h = sign(scores_i)` (+1 at 0), where
  /// `μ = penalty · (Σ_a G_aa) / bits` (the sum in order, in Float): the penalty in units
  /// of the mean squared length of a decoder row, what one flip moves the reconstruction by;
  /// in up to `passes` passes over the bits, each until a pass flips none, bit a flips when
  /// that lowers `zᵀGz − 2zᵀv`, i.e. when `G_aa − z_a(Gz)_a + z_a·v_a < 0` (`gram`: G,
  /// `bits × bits`). `flips[firstRow + i]` receives the bits flipped and
  /// `mismatches[firstRow + i]` the bits where the new z differs from h. Every product in
  /// it is by ±1, so each backend gives the same codes bit for bit.
  public func flipCodeBits(
    _ codes: DeviceBuffer<Float>, firstRow: Int, rows: Int, bits: Int, projections: DeviceBuffer<Float>,
    shift: DeviceBuffer<Float>, scores: DeviceBuffer<Float>, gram: DeviceBuffer<Float>, penalty: Float, passes: Int,
    flips: DeviceBuffer<Float>, mismatches: DeviceBuffer<Float>
  ) throws {
    let operation = "flipCodeBits"
    try Validate.positive(operation, "rows", rows)
    try Validate.positive(operation, "passes", passes)
    guard (1...maximumCodeStepBits).contains(bits) else {
      throw BackendError.invalidArgument(
        operation: operation, message: "bits must be between 1 and \(maximumCodeStepBits), got \(bits)")
    }
    guard firstRow >= 0 else {
      throw BackendError.invalidArgument(
        operation: operation, message: "firstRow must not be negative, got \(firstRow)")
    }
    try Validate.fits(operation, "codes", codes, needs: (firstRow + rows) * bits)
    try Validate.fits(operation, "projections", projections, needs: rows * bits)
    try Validate.fits(operation, "shift", shift, needs: bits)
    try Validate.fits(operation, "scores", scores, needs: rows * bits)
    try Validate.fits(operation, "gram", gram, needs: bits * bits)
    try Validate.fits(operation, "flips", flips, needs: firstRow + rows)
    try Validate.fits(operation, "mismatches", mismatches, needs: firstRow + rows)
    counts.operations += 1
    try uncheckedFlipCodeBits(
      codes, firstRow: firstRow, rows: rows, bits: bits, projections: projections, shift: shift, scores: scores,
      gram: gram, penalty: penalty, passes: passes, flips: flips, mismatches: mismatches)
  }

  /// The margin (hinge) term of the discriminator loss, METHOD.md §2 (paper Eq. 21):
  /// `loss[i] = max(0, margin − e[i])` and `gradient[i] = ∂loss[i]/∂e[i]` (−1 or 0).
  public func marginLoss(
    energies: DeviceBuffer<Float>, count: Int, margin: Float, losses: DeviceBuffer<Float>,
    gradient: DeviceBuffer<Float>
  ) throws {
    try Validate.elementwise(
      "marginLoss", [("energies", energies), ("losses", losses), ("gradient", gradient)], count: count)
    counts.operations += 1
    try uncheckedMarginLoss(energies: energies, count: count, margin: margin, losses: losses, gradient: gradient)
  }

  /// Pairwise distances from a Gram matrix: `D[i, j] = max(0, a[i] + b[j] − 2·G[i, j])`,
  /// square-rooted when `squareRoot` (Euclidean) and left squared otherwise.
  /// `a` and `b` are the squared row norms of the two sides; `G` is `rows × columns`.
  /// `zeroDiagonal` sets `D[i, i] = 0` exactly, for a set against itself, where the
  /// cancellation in `a + b − 2G` would otherwise leave a small positive self-distance.
  public func distancesFromGram(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>, rows: Int,
    columns: Int, squareRoot: Bool, zeroDiagonal: Bool, into distances: DeviceBuffer<Float>
  ) throws {
    try Validate.shape(
      "distancesFromGram", rows: rows, columns: columns,
      [
        ("gram", gram, rows * columns), ("rowNorms", rowNorms, rows), ("columnNorms", columnNorms, columns),
        ("distances", distances, rows * columns),
      ])
    counts.operations += 1
    try uncheckedDistancesFromGram(
      gram, rowNorms: rowNorms, columnNorms: columnNorms, rows: rows, columns: columns, squareRoot: squareRoot,
      zeroDiagonal: zeroDiagonal, into: distances)
  }

  /// The graph similarity `S = exp(−σ·D)` of METHOD.md §2 over `count` distances, with
  /// `σ = sigma` when given, else `σ = pairs / total[0]` read on the device (the reciprocal
  /// of the mean distance; 1 when the total is 0). `similarity` may be `distances`.
  public func exponentialSimilarity(
    _ distances: DeviceBuffer<Float>, count: Int, sigma: Float?, total: DeviceBuffer<Float>, pairs: Int,
    into similarity: DeviceBuffer<Float>
  ) throws {
    try Validate.elementwise(
      "exponentialSimilarity", [("distances", distances), ("similarity", similarity)], count: count)
    try Validate.fits("exponentialSimilarity", "total", total, needs: 1)
    counts.operations += 1
    try uncheckedExponentialSimilarity(
      distances, count: count, sigma: sigma, total: total, pairs: pairs, into: similarity)
  }

  /// For each row `i` of a `rows × rows` distance matrix, `selected[i, j] = 1` when `j ≠ i`
  /// is among the `nearest` smallest distances of the row (ties by ascending index) and 0
  /// otherwise: the near sets of METHOD.md §3b.2, chosen on the device.
  public func nearestSelection(
    _ distances: DeviceBuffer<Float>, rows: Int, nearest: Int, into selected: DeviceBuffer<Float>
  ) throws {
    try Validate.shape(
      "nearestSelection", rows: rows, columns: rows,
      [("distances", distances, rows * rows), ("selected", selected, rows * rows)])
    guard (0...max(rows - 1, 0)).contains(nearest) else {
      throw BackendError.invalidArgument(
        operation: "nearestSelection", message: "nearest must be between 0 and \(rows - 1), got \(nearest)")
    }
    counts.operations += 1
    try uncheckedNearestSelection(distances, rows: rows, nearest: nearest, into: selected)
  }

  /// The distance-matching residual of METHOD.md §3b.2 for a batch of `rows`: from the
  /// code products `P = H·Hᵀ/r`, the squared distances `D` (zero diagonal), their row
  /// sums and the near selection, it computes `T_ij = 1 − D_ij/√(s_i·s_j)` with
  /// `s_i = rowSums_i/(rows − 1)`, `e = P − T`, near = selected or its transpose, and
  /// writes `G = near ? e : max(0, e)` over `products` and adds row `i`'s `Σ_j e_ij·G_ij`
  /// to `loss`.
  public func distanceMatchingResidual(
    products: DeviceBuffer<Float>, distances: DeviceBuffer<Float>, rowSums: DeviceBuffer<Float>,
    selected: DeviceBuffer<Float>, rows: Int, loss: LossRows
  ) throws {
    let count = rows * rows
    try Validate.shape(
      "distanceMatchingResidual", rows: rows, columns: rows,
      [
        ("products", products, count), ("distances", distances, count), ("rowSums", rowSums, rows),
        ("selected", selected, count),
      ])
    try Validate.lossRows("distanceMatchingResidual", loss, rows: rows)
    counts.operations += 1
    try uncheckedDistanceMatchingResidual(
      products: products, distances: distances, rowSums: rowSums, selected: selected, rows: rows, loss: loss)
  }

  // MARK: Binary codes (METHOD.md §4)

  /// Packs `sign(x)` of each row of a `rows × bits` matrix into `⌈bits/64⌉` words a row:
  /// bit `k` is 1 when `x[k] >= 0` (sign(0) = +1); unused high bits are 0.
  public func signPack(_ x: DeviceBuffer<Float>, rows: Int, bits: Int, into codes: DeviceBuffer<UInt64>) throws {
    try Validate.signPack(x, rows: rows, bits: bits, codes)
    counts.operations += 1
    try uncheckedSignPack(x, rows: rows, bits: bits, into: codes)
  }

  /// The codes of a linear hash (METHOD.md §4) for rows `firstRow ..< firstRow + rows` of
  /// the `columns`-wide matrix `x`: `signPack((x_i − mean)·Wᵀ + a_i + offset)` with W the
  /// hash's `bits × columns` projection, given transposed (`columns × bits`, so that a
  /// kernel reads a column's weights of a code word side by side), and `a_i` row `i` of
  /// the `rows × bits` addend when there is one (an MLP hash's skip, §3c), written to codes
  /// `firstCode ..< firstCode + rows`. The
  /// composed path (the CPU backend's) centres the rows into `workspace`, multiplies and
  /// packs there; OpenCL computes each bit's sum over the columns in order and packs it in
  /// one kernel, so a bit whose sum rounds to the other side of 0 may differ between them,
  /// never between two calls on one backend, whatever the rows of a call.
  /// When the rows are centred or start past row 0, `workspace.identity` must hold
  /// `0 ..< firstRow + rows`.
  public func projectSignPack(
    _ x: DeviceBuffer<Float>, firstRow: Int = 0, rows: Int, columns: Int, subtracting mean: DeviceBuffer<Float>?,
    transposedProjection: DeviceBuffer<Float>, adding addend: DeviceBuffer<Float>? = nil, offset: DeviceBuffer<Float>,
    bits: Int, into codes: DeviceBuffer<UInt64>, firstCode: Int = 0, workspace: SignProjectionWorkspace
  ) throws {
    let operation = "projectSignPack"
    try Validate.positive(operation, "rows", rows)
    try Validate.positive(operation, "columns", columns)
    try Validate.bits(operation, bits)
    guard firstRow >= 0, firstCode >= 0 else {
      throw BackendError.invalidArgument(
        operation: operation, message: "firstRow and firstCode must not be negative, got \(firstRow), \(firstCode)")
    }
    guard rows <= workspace.rows else {
      throw BackendError.invalidArgument(
        operation: operation, message: "\(rows) rows exceed the workspace's \(workspace.rows)")
    }
    let words = codeWords(bits: bits)
    try Validate.fits(operation, "x", x, needs: (firstRow + rows) * columns)
    if let mean { try Validate.fits(operation, "mean", mean, needs: columns) }
    try Validate.fits(operation, "transposedProjection", transposedProjection, needs: columns * bits)
    if let addend { try Validate.fits(operation, "addend", addend, needs: rows * bits) }
    try Validate.fits(operation, "offset", offset, needs: bits)
    try Validate.fits(operation, "codes", codes, needs: (firstCode + rows) * words)
    if mean != nil || firstRow != 0 {
      guard let centred = workspace.centred, let identity = workspace.identity else {
        throw BackendError.invalidArgument(
          operation: operation, message: "centring rows or starting past row 0 needs workspace.centred and .identity")
      }
      try Validate.fits(operation, "workspace.centred", centred, needs: workspace.rows * columns)
      try Validate.fits(operation, "workspace.identity", identity, needs: firstRow + rows)
    }
    try Validate.fits(operation, "workspace.projections", workspace.projections, needs: workspace.rows * bits)
    try Validate.fits(operation, "workspace.codes", workspace.codes, needs: workspace.rows * words)
    counts.operations += 1
    try uncheckedProjectSignPack(
      x, firstRow: firstRow, rows: rows, columns: columns, subtracting: mean,
      transposedProjection: transposedProjection, adding: addend, offset: offset, bits: bits, into: codes,
      firstCode: firstCode, workspace: workspace)
  }

  /// `D[q, i] = popcount(query_q XOR database_i)` for packed codes of `bits` bits.
  public func hammingDistances(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    into distances: DeviceBuffer<Int32>
  ) throws {
    try Validate.hamming("hammingDistances", queries, queryCount, database, databaseCount, bits)
    try Validate.fits("hammingDistances", "distances", distances, needs: queryCount * databaseCount)
    counts.operations += 1
    try uncheckedHammingDistances(
      queries: queries, queryCount: queryCount, database: database, databaseCount: databaseCount, bits: bits,
      into: distances)
  }

  /// The `k` nearest database codes of each query by Hamming distance, ties by index.
  /// Only the `queryCount × k` result leaves the device.
  public func hammingTopK(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    k: Int
  ) throws -> TopK {
    try Validate.hamming("hammingTopK", queries, queryCount, database, databaseCount, bits)
    try Validate.topK(k, databaseCount: databaseCount)
    counts.operations += 1
    return try uncheckedHammingTopK(
      queries: queries, queryCount: queryCount, database: database, databaseCount: databaseCount, bits: bits, k: k)
  }

  /// Every database code within Hamming distance `radius` (0 or more) of each query, by
  /// distance, then index: the lookup that hashing is used for. Only the matches leave the
  /// device, never a distance row.
  public func hammingWithin(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    radius: Int
  ) throws -> HammingMatches {
    try Validate.hamming("hammingWithin", queries, queryCount, database, databaseCount, bits)
    guard radius >= 0 else {
      throw BackendError.invalidArgument(
        operation: "hammingWithin", message: "radius must be at least 0, got \(radius)")
    }
    counts.operations += 1
    return try uncheckedHammingWithin(
      queries: queries, queryCount: queryCount, database: database, databaseCount: databaseCount, bits: bits,
      radius: min(radius, bits))
  }

  /// The average precision of each query's ranking of the whole database by Hamming
  /// distance, ties by index (METHOD.md §5): `AP = (1/R)·Σ f/p` over the `R` relevant items,
  /// the f-th of them found at position `p`; 0 for a query without relevant items.
  /// `relevantIds` holds `relevantPerQuery` ids a query, sorted ascending and distinct;
  /// ids outside the database are never found. Neither codes nor distances leave the
  /// device, only the `queryCount` results when read.
  public func averagePrecision(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    relevantIds: DeviceBuffer<Int32>, relevantPerQuery: Int, into averagePrecisions: DeviceBuffer<Float>
  ) throws {
    try Validate.hamming("averagePrecision", queries, queryCount, database, databaseCount, bits)
    try Validate.positive("averagePrecision", "relevantPerQuery", relevantPerQuery)
    try Validate.fits("averagePrecision", "relevantIds", relevantIds, needs: queryCount * relevantPerQuery)
    try Validate.fits("averagePrecision", "averagePrecisions", averagePrecisions, needs: queryCount)
    counts.operations += 1
    try uncheckedAveragePrecision(
      queries: queries, queryCount: queryCount, database: database, databaseCount: databaseCount, bits: bits,
      relevantIds: relevantIds, relevantPerQuery: relevantPerQuery, into: averagePrecisions)
  }

  // MARK: Optimiser

  /// One Adam update in place (METHOD.md §3) over `count` elements, with `weightDecay·θ`
  /// added to the gradient of the first `decayed` of them (a player's weights come first
  /// in its parameter block, its biases after).
  public func adamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>, firstMoment: DeviceBuffer<Float>,
    secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int? = nil, step: AdamStep
  ) throws {
    try Validate.positive("adamUpdate", "step", step.step)
    try Validate.elementwise(
      "adamUpdate",
      [
        ("parameters", parameters), ("gradients", gradients), ("firstMoment", firstMoment),
        ("secondMoment", secondMoment),
      ], count: count)
    let decayed = decayed ?? count
    guard (0...count).contains(decayed) else {
      throw BackendError.invalidArgument(
        operation: "adamUpdate", message: "decayed must be between 0 and \(count), got \(decayed)")
    }
    counts.operations += 1
    try uncheckedAdamUpdate(
      parameters: parameters, gradients: gradients, firstMoment: firstMoment, secondMoment: secondMoment, count: count,
      decayed: decayed, step: step)
  }

  /// `adamUpdate` taken only where `gate.schedule` says so, with the bias corrections of
  /// the step number it holds (METHOD.md §9): a schedule decided on the device needs no
  /// read. `step.step` is the most steps the player can have taken; `gate.corrections`
  /// must hold their `(c1, c2)` pairs.
  public func gatedAdamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>, firstMoment: DeviceBuffer<Float>,
    secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int? = nil, step: AdamStep, gate: AdamGate
  ) throws {
    let operation = "gatedAdamUpdate"
    try Validate.positive(operation, "step", step.step)
    try Validate.elementwise(
      operation,
      [
        ("parameters", parameters), ("gradients", gradients), ("firstMoment", firstMoment),
        ("secondMoment", secondMoment),
      ], count: count)
    let decayed = decayed ?? count
    guard (0...count).contains(decayed), gate.slot >= 0 else {
      throw BackendError.invalidArgument(
        operation: operation, message: "decayed must be between 0 and \(count) and slot not negative")
    }
    try Validate.range(operation, "schedule", gate.schedule, offset: 2 * gate.slot, count: 2)
    try Validate.fits(operation, "corrections", gate.corrections, needs: 2 * step.step)
    counts.operations += 1
    try uncheckedGatedAdamUpdate(
      parameters: parameters, gradients: gradients, firstMoment: firstMoment, secondMoment: secondMoment, count: count,
      decayed: decayed, step: step, gate: gate)
  }

  /// Algorithm 1's decision for one player, kept on the device (METHOD.md §9):
  /// `schedule[2·slot]` becomes 1 when the mean of σ over `logits[offset..<offset + count]`
  /// is above `threshold` and 0 otherwise, and `schedule[2·slot + 1]` counts the 1s.
  public func scoreGate(
    _ logits: DeviceBuffer<Float>, offset: Int, count: Int, threshold: Float, schedule: DeviceBuffer<Int32>, slot: Int
  ) throws {
    let operation = "scoreGate"
    try Validate.positive(operation, "count", count)
    try Validate.range(operation, "logits", logits, offset: offset, count: count)
    guard slot >= 0 else {
      throw BackendError.invalidArgument(operation: operation, message: "slot must not be negative, got \(slot)")
    }
    try Validate.range(operation, "schedule", schedule, offset: 2 * slot, count: 2)
    counts.operations += 1
    try uncheckedScoreGate(logits, offset: offset, count: count, threshold: threshold, schedule: schedule, slot: slot)
  }
}
