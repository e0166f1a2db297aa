// The Backend protocol: the primitive operations on device buffers that the methods, the
// baselines and the evaluation are composed of. Model code calls these and never asks
// which backend it runs on.
//
// Check once, then dispatch (ggml's backend interface): a backend implements the
// `unchecked…` requirements below, which may assume valid arguments; callers use the
// methods of the same name without the prefix (Backend+Checked.swift), which check every
// size and buffer length once, for every backend, and then forward. Composites built from
// the checked methods live in Backend+Composites.swift.
//
// Conventions for every operation:
// - matrices are row-major, one sample a row (METHOD.md §1); shapes are passed explicitly
//   and a buffer may be longer than the shape needs, never shorter;
// - a zero or negative size, a short buffer or another backend's buffer throws
//   `BackendError` before any work is queued;
// - operations are queued in order; only `download` and `synchronize` wait for them, and
//   `upload` copies its values before it returns without waiting for the device.
// A backend instance is not thread-safe: use one per thread.

public protocol Backend: AnyObject {
  /// One line naming the backend and its device, e.g. "cpu (OpenBLAS 0.3.21, 2 threads)".
  var summary: String { get }
  /// Operations, launches, waits and host↔device bytes so far (see `BackendCounts`);
  /// the checked methods count operations, the backend the rest.
  var counts: BackendCounts { get set }
  /// Bytes a single buffer may hold on this device, for deciding whether a data set can
  /// stay resident.
  var largestBuffer: Int { get }
  /// Byte alignment of slice offsets (`makeSlice`); a multiple of every element size.
  var sliceAlignment: Int { get }

  // MARK: Buffers

  /// A new buffer of `count` elements; its contents are unspecified until written.
  func uncheckedMakeBuffer<T: DeviceScalar>(_ type: T.Type, count: Int) throws -> DeviceBuffer<T>
  /// A buffer that aliases `count` elements of `parent` from element `offset`, whose byte
  /// offset is a multiple of `sliceAlignment`.
  func uncheckedMakeSlice<T: DeviceScalar>(of parent: DeviceBuffer<T>, offset: Int, count: Int) throws
    -> DeviceBuffer<T>
  /// Writes `values` into `buffer` starting at element `offset`, without waiting.
  func uncheckedUpload<T: DeviceScalar>(_ values: UnsafeBufferPointer<T>, to buffer: DeviceBuffer<T>, offset: Int)
    throws
  /// Reads `count` elements starting at element `offset`; waits for queued work.
  func uncheckedDownload<T: DeviceScalar>(_ buffer: DeviceBuffer<T>, offset: Int, count: Int) throws -> [T]
  /// Copies `count` elements between buffers of this backend.
  func uncheckedCopy<T: DeviceScalar>(
    _ source: DeviceBuffer<T>, sourceOffset: Int, to destination: DeviceBuffer<T>, destinationOffset: Int,
    count: Int) throws
  /// Copies a `rows × columns` block from row `sourceRow`, column `sourceColumn` of a
  /// matrix with `sourceStride` columns to row `destinationRow`, column
  /// `destinationColumn` of one with `destinationStride`: concatenating, stacking and
  /// splitting feature columns.
  func uncheckedCopyColumns(
    _ source: DeviceBuffer<Float>, rows: Int, columns: Int, sourceStride: Int, sourceRow: Int, sourceColumn: Int,
    into destination: DeviceBuffer<Float>, destinationStride: Int, destinationRow: Int, destinationColumn: Int) throws
  /// Sets the first `count` elements to `value`.
  func uncheckedFill(_ buffer: DeviceBuffer<Float>, value: Float, count: Int) throws
  /// `out[i] = table[bytes[i]]`; see `widenBytes`.
  func uncheckedWidenBytes(
    _ bytes: DeviceBuffer<UInt8>, count: Int, table: DeviceBuffer<Float>, into out: DeviceBuffer<Float>) throws
  /// Sets the first `count` elements to draws of `distribution`, element `i` a function of
  /// `i` and `key` alone (`CounterHash`), so every backend draws the same numbers.
  func uncheckedFillRandom(
    _ buffer: DeviceBuffer<Float>, count: Int, _ distribution: RandomDistribution, key: UInt32) throws
  /// Waits until every queued operation has finished.
  func synchronize() throws
  /// Operations queued from here until `endSideWork` may run beside the ones queued after
  /// it (see Backend+SideWork.swift); a backend that runs one operation at a time ignores
  /// this and the next two.
  func beginSideWork() throws
  /// Operations go to the main order again; the side work goes on.
  func endSideWork() throws
  /// Operations queued from here on start once the side work has finished.
  func joinSideWork() throws

  // MARK: Dense algebra

  /// `C = alpha·op(A)·op(B) + beta·C`; see `gemm`.
  func uncheckedGemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float) throws
  /// `X = (A + ridge·I)⁻¹·B` in place by Cholesky, for a small symmetric `A`; see
  /// `choleskySolve`.
  func uncheckedCholeskySolve(
    _ matrix: DeviceBuffer<Float>, order: Int, relativeRidge: Float, rightHandSides: DeviceBuffer<Float>,
    columns: Int) throws
  /// `M[i, j] += v[j]`.
  func uncheckedAddRowVector(_ vector: DeviceBuffer<Float>, to matrix: DeviceBuffer<Float>, rows: Int, columns: Int)
    throws
  /// `M[i, j] *= s[i]`.
  func uncheckedScaleRows(_ matrix: DeviceBuffer<Float>, by scales: DeviceBuffer<Float>, rows: Int, columns: Int)
    throws
  /// `z = alpha·x + beta·y`.
  func uncheckedLinearCombination(
    alpha: Float, _ x: DeviceBuffer<Float>, beta: Float, _ y: DeviceBuffer<Float>, into z: DeviceBuffer<Float>,
    count: Int) throws
  /// `z = x ⊙ y`.
  func uncheckedMultiply(_ x: DeviceBuffer<Float>, _ y: DeviceBuffer<Float>, into z: DeviceBuffer<Float>, count: Int)
    throws
  /// `y = f(x)`.
  func uncheckedMap(_ function: UnaryFunction, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int)
    throws
  /// `out[r, :] = source[indices[first + r], :] − subtract` for `rows` rows.
  func uncheckedGatherRows(
    _ source: DeviceBuffer<Float>, indices: DeviceBuffer<Int32>, first: Int, rows: Int, columns: Int,
    subtracting: DeviceBuffer<Float>?, into out: DeviceBuffer<Float>) throws

  // MARK: Activations

  /// `y = f(x)`.
  func uncheckedActivate(_ activation: Activation, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int)
    throws
  /// `dx = dy · f'(x)` from the output `y = f(x)`.
  func uncheckedActivationBackward(
    _ activation: Activation, output y: DeviceBuffer<Float>, outputGradient dy: DeviceBuffer<Float>,
    into dx: DeviceBuffer<Float>, count: Int) throws
  /// `M[i, j] = f(M[i, j] + v[j])` in place.
  func uncheckedBiasActivate(
    _ activation: Activation, bias: DeviceBuffer<Float>, _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int)
    throws
  /// `dX = dY ⊙ f'(Y)` and `biasGradient[j] = Σ_i dX[i, j]`.
  func uncheckedActivationBackwardWithBiasGradient(
    _ activation: Activation, output y: DeviceBuffer<Float>, outputGradient dy: DeviceBuffer<Float>,
    into dx: DeviceBuffer<Float>, rows: Int, columns: Int, biasGradient: DeviceBuffer<Float>) throws

  // MARK: Reductions

  /// `out[i] = reduce_j M[i, j]`.
  func uncheckedReduceRows(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, _ reduction: RowReduction, into out: DeviceBuffer<Float>)
    throws
  /// `out[j] = Σ_i M[i, j]`.
  func uncheckedSumColumns(_ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, into out: DeviceBuffer<Float>)
    throws
  /// `accumulator[index] += scale · reduce(x[0..<count])`, summed in a fixed order.
  func uncheckedAccumulate(
    _ x: DeviceBuffer<Float>, count: Int, _ reduction: RowReduction, scale: Float,
    into accumulator: DeviceBuffer<Float>, index: Int) throws

  // MARK: Losses and graph

  /// The hinge of paper Eq. 21: `loss = max(0, margin − e)`, `gradient = ∂loss/∂e`.
  func uncheckedMarginLoss(
    energies: DeviceBuffer<Float>, count: Int, margin: Float, losses: DeviceBuffer<Float>,
    gradient: DeviceBuffer<Float>) throws
  /// The pairwise ranking loss over anchors, their positives and negatives; see
  /// `rankingPairLoss`.
  func uncheckedRankingPairLoss(
    _ codes: DeviceBuffer<Float>, anchors: Int, pairsPerAnchor: Int, bits: Int, sharpness: Float,
    gradient: DeviceBuffer<Float>, losses: DeviceBuffer<Float>) throws
  /// BA's code step on rows of the codes; see `flipCodeBits`.
  func uncheckedFlipCodeBits(
    _ codes: DeviceBuffer<Float>, firstRow: Int, rows: Int, bits: Int, projections: DeviceBuffer<Float>,
    shift: DeviceBuffer<Float>, scores: DeviceBuffer<Float>, gram: DeviceBuffer<Float>, penalty: Float, passes: Int,
    flips: DeviceBuffer<Float>, mismatches: DeviceBuffer<Float>) throws
  /// `D[i, j] = max(0, a[i] + b[j] − 2·G[i, j])`, optionally square-rooted and with a
  /// zero diagonal.
  func uncheckedDistancesFromGram(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>, rows: Int,
    columns: Int, squareRoot: Bool, zeroDiagonal: Bool, into distances: DeviceBuffer<Float>) throws
  /// `S = exp(−σ·D)` with `σ = sigma`, or `pairs / total[0]` (1 when the total is 0).
  func uncheckedExponentialSimilarity(
    _ distances: DeviceBuffer<Float>, count: Int, sigma: Float?, total: DeviceBuffer<Float>, pairs: Int,
    into similarity: DeviceBuffer<Float>) throws
  /// `selected[i, j] = 1` when `j ≠ i` is among the `nearest` smallest `D[i, :]`, ties by
  /// index; 0 otherwise.
  func uncheckedNearestSelection(
    _ distances: DeviceBuffer<Float>, rows: Int, nearest: Int, into selected: DeviceBuffer<Float>) throws
  /// The distance-matching residual of METHOD.md §3b.2, in place in `products`; row `i`'s
  /// `Σ_j e_ij·G_ij` goes to `loss`.
  func uncheckedDistanceMatchingResidual(
    products: DeviceBuffer<Float>, distances: DeviceBuffer<Float>, rowSums: DeviceBuffer<Float>,
    selected: DeviceBuffer<Float>, rows: Int, loss: LossRows) throws

  // MARK: Binary codes (METHOD.md §4)

  /// Packs `sign(x)` of each row into `⌈bits/64⌉` words.
  func uncheckedSignPack(_ x: DeviceBuffer<Float>, rows: Int, bits: Int, into codes: DeviceBuffer<UInt64>) throws
  /// The codes of a linear hash, `signPack((X − μ)·Wᵀ + A + c)` from `Wᵀ` (`A` an optional
  /// addend), written from code `firstCode`; see `projectSignPack`. Backend+Fused.swift
  /// composes it through `workspace`; OpenCL runs one kernel.
  func uncheckedProjectSignPack(
    _ x: DeviceBuffer<Float>, firstRow: Int, rows: Int, columns: Int, subtracting mean: DeviceBuffer<Float>?,
    transposedProjection: DeviceBuffer<Float>, adding addend: DeviceBuffer<Float>?, offset: DeviceBuffer<Float>,
    bits: Int, into codes: DeviceBuffer<UInt64>, firstCode: Int, workspace: SignProjectionWorkspace) throws
  /// `D[q, i] = popcount(query_q XOR database_i)`.
  func uncheckedHammingDistances(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    into distances: DeviceBuffer<Int32>) throws
  /// The `k` nearest codes of each query, ties by index.
  func uncheckedHammingTopK(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    k: Int
  ) throws -> TopK
  /// Every code within Hamming distance `radius` of each query, by distance, then index.
  func uncheckedHammingWithin(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    radius: Int
  ) throws -> HammingMatches
  /// The average precision of each query's whole Hamming ranking, given its sorted
  /// relevant ids.
  func uncheckedAveragePrecision(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>, databaseCount: Int, bits: Int,
    relevantIds: DeviceBuffer<Int32>, relevantPerQuery: Int, into averagePrecisions: DeviceBuffer<Float>) throws

  // MARK: Optimiser

  /// One Adam update in place, weight decay on the first `decayed` elements.
  func uncheckedAdamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>, firstMoment: DeviceBuffer<Float>,
    secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int, step: AdamStep) throws
  /// The same update where `gate` says so, at the step number it holds; `step.step` is the
  /// most steps the player can have taken (its corrections table covers them).
  func uncheckedGatedAdamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>, firstMoment: DeviceBuffer<Float>,
    secondMoment: DeviceBuffer<Float>, count: Int, decayed: Int, step: AdamStep, gate: AdamGate) throws
  /// A self-controlled schedule's decision (METHOD.md §9): `schedule[2·slot]` = 1 when the
  /// mean of σ(logits[offset..<offset + count]) is above `threshold`, else 0, and the
  /// decision is added to `schedule[2·slot + 1]`.
  func uncheckedScoreGate(
    _ logits: DeviceBuffer<Float>, offset: Int, count: Int, threshold: Float, schedule: DeviceBuffer<Int32>,
    slot: Int) throws

  // MARK: Selection

  /// The `count` smallest values of each row of a `rows × columns` matrix, ties by index:
  /// row `i`'s column ids in ascending order at `ids[i·count…]`, their values beside them.
  func uncheckedSmallestPerRow(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, count: Int, ids: DeviceBuffer<Int32>,
    values: DeviceBuffer<Float>) throws

  // MARK: Fused training-step operations (METHOD.md §3: a step in few launches)
  // Backend+Fused.swift composes the first three from the primitives above, which is what
  // the CPU backend runs; OpenCL runs each as one kernel.

  /// Binary cross-entropy of `count` logits from `offset` against one target `t`: adds
  /// `lossScale·Σ (softplus(x) − t·x)` to `accumulator[index]` when given, and writes
  /// `gradient[gradientOffset + i] = gradientScale·(σ(x_i) − t) + beta·gradient[…]` when
  /// given (the old value is not read when `beta` is 0). One pass, the sum in a fixed order.
  func uncheckedBinaryCrossEntropy(
    _ logits: DeviceBuffer<Float>, offset: Int, count: Int, target: Float, lossScale: Float,
    accumulator: DeviceBuffer<Float>?, index: Int, gradient: DeviceBuffer<Float>?, gradientOffset: Int,
    gradientScale: Float, beta: Float) throws
  /// `gemm` whose elements pass through `epilogue` before they are stored, and when
  /// `rowSumsOfA` is given, `rowSumsOfA[i] = Σ_p op(A)[i, p]`: with `op(A) = dZᵀ`, a
  /// layer's bias gradient from its weight gradient's product.
  func uncheckedFusedGemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float, epilogue: GemmEpilogue,
    rowSumsOfA: DeviceBuffer<Float>?) throws
  /// `distancesFromGram` and `rowSums[i] = Σ_j D[i, j]`.
  func uncheckedDistancesWithRowSums(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>, columnNorms: DeviceBuffer<Float>, rows: Int,
    columns: Int, squareRoot: Bool, zeroDiagonal: Bool, into distances: DeviceBuffer<Float>,
    rowSums: DeviceBuffer<Float>) throws
  /// `S = exp(−σ·D)` over a `rows × rows` matrix with `σ = sigma`, or `pairs / Σ_i
  /// distanceRowSums[i]` (1 when that sum is 0), and `degrees[i] = Σ_j S[i, j]`.
  func uncheckedSimilarityWithDegrees(
    _ distances: DeviceBuffer<Float>, rows: Int, sigma: Float?, distanceRowSums: DeviceBuffer<Float>, pairs: Int,
    into similarity: DeviceBuffer<Float>, degrees: DeviceBuffer<Float>) throws
  /// The auto-encoder discriminator's loss on `rows` rows (METHOD.md §1–2): the energy
  /// `e_i = energyScale·‖R_i − A_i‖²` of output `R` against input `A`; `ℓ_i = e_i` and
  /// `g_i = 1` for `i < hingeFrom`, else `ℓ_i = max(0, margin − e_i)` and `g_i = −1` inside
  /// the margin, 0 outside. Writes `dR_i = gradientScale·g_i·2·energyScale·(R_i − A_i)`,
  /// subtracts it from `inputGradient` when given (`∂e/∂A = −∂e/∂R`), adds `ℓ` to `loss`.
  func uncheckedEnergyLoss(
    output r: DeviceBuffer<Float>, input a: DeviceBuffer<Float>, rows: Int, columns: Int, energyScale: Float,
    hingeFrom: Int, margin: Float, gradientScale: Float, into residualGradient: DeviceBuffer<Float>,
    inputGradient: DeviceBuffer<Float>?, loss: LossRows) throws
  /// `gradient = gradientScale·(X − T)` and `ℓ_i = ‖X_i − T_i‖²`.
  func uncheckedSquaredErrorLoss(
    _ x: DeviceBuffer<Float>, target: DeviceBuffer<Float>, rows: Int, columns: Int, gradientScale: Float,
    into gradient: DeviceBuffer<Float>, loss: LossRows) throws
  /// `gradient = penalty.gradientScale·ρ'(X)`, added to the gradient's values when
  /// `accumulate`, and the penalty's loss.
  func uncheckedPenaltyGradient(
    _ x: DeviceBuffer<Float>, rows: Int, columns: Int, _ penalty: Penalty, accumulate: Bool,
    into gradient: DeviceBuffer<Float>) throws
  /// The hash layer's last step back (METHOD.md §2): `∂L/∂H` in `gradient` plus the
  /// quantisation penalty on `H` and the graph term, times `f'` from the codes `H = f(Z)`,
  /// is `∂L/∂Z`, written over `gradient`.
  func uncheckedCodeGradient(
    codes h: DeviceBuffer<Float>, rows: Int, bits: Int, gradient: DeviceBuffer<Float>, quantisation: Penalty?,
    graph: GraphGradient?, activation: Activation) throws
}
