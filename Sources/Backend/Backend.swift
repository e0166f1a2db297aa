// The Backend protocol: the primitive operations on device buffers that SiGAH, the
// baselines and the evaluation are composed of. Model code calls these and never asks
// which backend it runs on. Composites (graph similarity, dot products, …) live in
// Backend+Composites.swift.
//
// Conventions for every operation:
// - matrices are row-major, one sample a row (SPEC §1); shapes are passed explicitly and
//   a buffer may be longer than the shape needs, never shorter;
// - a zero or negative size, a short buffer or another backend's buffer throws
//   `BackendError` before any work is queued;
// - operations are queued in order; `download` and `synchronize` wait for them.
// A backend instance is not thread-safe: use one per thread.

public protocol Backend: AnyObject {
  /// One line naming the backend and its device, e.g. "cpu (OpenBLAS 0.3.21, 2 threads)".
  var summary: String { get }
  /// Launches, waits and host↔device bytes so far (see `BackendCounts`).
  var counts: BackendCounts { get }

  // MARK: Buffers

  /// A new buffer of `count` elements; its contents are unspecified until written.
  func makeBuffer<T: DeviceScalar>(_ type: T.Type, count: Int) throws -> DeviceBuffer<T>
  /// Writes `values` into `buffer` starting at element `offset`.
  func upload<T: DeviceScalar>(_ values: [T], to buffer: DeviceBuffer<T>, offset: Int) throws
  /// Reads `count` elements starting at element `offset`; waits for queued work.
  func download<T: DeviceScalar>(_ buffer: DeviceBuffer<T>, offset: Int, count: Int) throws -> [T]
  /// Copies `count` elements between buffers of this backend.
  func copy<T: DeviceScalar>(
    _ source: DeviceBuffer<T>, sourceOffset: Int, to destination: DeviceBuffer<T>,
    destinationOffset: Int, count: Int) throws
  /// Sets the first `count` elements to `value`.
  func fill(_ buffer: DeviceBuffer<Float>, value: Float, count: Int) throws
  /// Waits until every queued operation has finished.
  func synchronize() throws

  // MARK: Dense algebra

  /// `C = alpha·op(A)·op(B) + beta·C` with `op(A)` of `m × k` and `op(B)` of `k × n`.
  /// Without transposition `A` is stored `m × k`, with it `k × m` (likewise `B`).
  /// With `beta == 0` the old contents of `C` are never read.
  func gemm(
    _ a: DeviceBuffer<Float>, transposeA: Bool, _ b: DeviceBuffer<Float>, transposeB: Bool,
    into c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float) throws
  /// `M[i, j] += v[j]` for a `rows × columns` matrix: the bias broadcast.
  func addRowVector(
    _ vector: DeviceBuffer<Float>, to matrix: DeviceBuffer<Float>, rows: Int, columns: Int)
    throws
  /// `M[i, j] *= s[i]`: per-sample weights in the backward pass.
  func scaleRows(
    _ matrix: DeviceBuffer<Float>, by scales: DeviceBuffer<Float>, rows: Int, columns: Int)
    throws
  /// `z = alpha·x + beta·y` element-wise; `z` may be `x` or `y`.
  func linearCombination(
    alpha: Float, _ x: DeviceBuffer<Float>, beta: Float, _ y: DeviceBuffer<Float>,
    into z: DeviceBuffer<Float>, count: Int) throws
  /// `z = x ⊙ y` element-wise; `z` may be `x` or `y`.
  func multiply(
    _ x: DeviceBuffer<Float>, _ y: DeviceBuffer<Float>, into z: DeviceBuffer<Float>, count: Int)
    throws
  /// `y = f(x)` element-wise; `y` may be `x`.
  func map(
    _ function: UnaryFunction, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int)
    throws

  // MARK: Activations

  /// `y = f(x)` element-wise.
  func activate(
    _ activation: Activation, _ x: DeviceBuffer<Float>, into y: DeviceBuffer<Float>, count: Int)
    throws
  /// `dx = dy · f'(x)`, with `f'` computed from the forward output `y = f(x)`.
  func activationBackward(
    _ activation: Activation, output y: DeviceBuffer<Float>, outputGradient dy: DeviceBuffer<Float>,
    into dx: DeviceBuffer<Float>, count: Int) throws

  // MARK: Reductions

  /// `out[i] = reduce_j M[i, j]` over each row of a `rows × columns` matrix.
  func reduceRows(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, _ reduction: RowReduction,
    into out: DeviceBuffer<Float>) throws
  /// `out[j] = Σ_i M[i, j]`: column sums, the bias gradient.
  func sumColumns(
    _ matrix: DeviceBuffer<Float>, rows: Int, columns: Int, into out: DeviceBuffer<Float>) throws

  // MARK: Losses and graph

  /// The margin (hinge) term of the discriminator loss, SPEC §2 / paper Eq. 21:
  /// `loss[i] = max(0, margin − e[i])` and `gradient[i] = ∂loss[i]/∂e[i]` (−1 or 0).
  func marginLoss(
    energies: DeviceBuffer<Float>, count: Int, margin: Float, losses: DeviceBuffer<Float>,
    gradient: DeviceBuffer<Float>) throws
  /// Pairwise distances from a Gram matrix: `D[i, j] = max(0, a[i] + b[j] − 2·G[i, j])`,
  /// square-rooted when `squareRoot` (Euclidean) and left squared otherwise.
  /// `a` and `b` are the squared row norms of the two sides; `G` is `rows × columns`.
  /// `zeroDiagonal` sets `D[i, i] = 0` exactly, for a set against itself, where the
  /// cancellation in `a + b − 2G` would otherwise leave a small positive self-distance.
  func distancesFromGram(
    _ gram: DeviceBuffer<Float>, rowNorms: DeviceBuffer<Float>,
    columnNorms: DeviceBuffer<Float>, rows: Int, columns: Int, squareRoot: Bool,
    zeroDiagonal: Bool, into distances: DeviceBuffer<Float>) throws

  // MARK: Binary codes (SPEC §4)

  /// Packs `sign(x)` of each row of a `rows × bits` matrix into `⌈bits/64⌉` words a row:
  /// bit `k` is 1 when `x[k] >= 0` (sign(0) = +1); unused high bits are 0.
  func signPack(
    _ x: DeviceBuffer<Float>, rows: Int, bits: Int, into codes: DeviceBuffer<UInt64>) throws
  /// `D[q, i] = popcount(query_q XOR database_i)` for packed codes of `bits` bits.
  func hammingDistances(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>,
    databaseCount: Int, bits: Int, into distances: DeviceBuffer<Int32>) throws
  /// The `k` nearest database codes of each query by Hamming distance, ties by index.
  /// Only the `queryCount × k` result leaves the device.
  func hammingTopK(
    queries: DeviceBuffer<UInt64>, queryCount: Int, database: DeviceBuffer<UInt64>,
    databaseCount: Int, bits: Int, k: Int
  ) throws -> TopK

  // MARK: Optimiser

  /// One Adam update in place (SPEC §3), with `weightDecay·θ` added to the gradient.
  func adamUpdate(
    parameters: DeviceBuffer<Float>, gradients: DeviceBuffer<Float>,
    firstMoment: DeviceBuffer<Float>, secondMoment: DeviceBuffer<Float>, count: Int,
    step: AdamStep) throws
}
