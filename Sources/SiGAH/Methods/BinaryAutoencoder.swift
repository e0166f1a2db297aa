// Binary Autoencoder (Carreira-Perpiñán & Raziperchikolaei, CVPR 2015; METHOD.md §11):
// a linear hash `h(x) = sign(Wx + c)` and a linear decoder `f(z) = Bz + e`, trained by
// the method of auxiliary coordinates: with codes Z as free variables, minimise
// `‖X − f(Z)‖² + μ‖Z − h(X)‖²` for a growing μ by alternating
// - the h step: one linear SVM per bit on (x, z_k) (hinge loss, L2 decay, Adam);
// - the f step: the least-squares decoder, `[B e] = X^T [Z 1] ([Z 1]^T [Z 1])⁻¹`;
// - the Z step: per item, bit flips that lower `‖x − Bz − e‖² + μ‖z − h(x)‖²` until none does;
// from ITQ's codes, until Z = h(X) or the iterations end. Z and the decoder stay on the
// device: an alternation reads back only the Z step's two counts, for its stopping rule.

import Backend
import Foundation

public struct BAConfiguration: Sendable, Equatable {
  /// μ of the first alternation, in units of the mean ‖B_k‖² (a bit's weight in the
  /// reconstruction, so the same at every data scale), and its growth per alternation.
  public var penalty: Float = 0.1
  public var penaltyGrowth: Float = 1.25
  /// Passes over the bits in each Z step.
  public var flipPasses = 4
  public var svmLearningRate: Float = 1e-3
  /// The SVMs' start: ITQ's unit directions times this, on the network's input. Against
  /// the hinge's margin of 1 it acts as the SVM's C: 64 keeps BA at or above ITQ on both
  /// MNIST and SIFT10K; 1 trades Euclidean mAP for semantic mAP on MNIST (BENCHMARKS.md).
  public var startScale: Float = 64
  /// The SVMs' L2 regularisation (the 1/C of a linear SVM, per sample).
  public var svmDecay: Float = 1e-4

  public init() {}
}

public enum BinaryAutoencoder {
  /// `options.epochs` alternations (each one SVM epoch, one f step and one Z step).
  public static func train(
    _ data: Matrix, bits k: Int, configuration: BAConfiguration = BAConfiguration(),
    options: GenerativeOptions = GenerativeOptions(), backend: any Backend, share: DataShare? = nil,
    onEvent: (TrainingEvent) -> Void = { _ in }
  ) throws -> LinearHash {
    let loop = try MinibatchLoop(data: data, options: options, backend: backend, share: share)
    let reduction = share?.reduction ?? .local
    let (n, d) = (loop.rows, loop.dimension)
    // Z from ITQ's codes, as ±1.
    let itq = try LinearBaselines.itq(data, bits: k, seed: options.seed, backend: backend, reduction: reduction)
    let start = try itq.encode(data, backend: backend)
    var z = [Float](repeating: 0, count: n * k)
    for i in 0..<n { for b in 0..<k { z[i * k + b] = start.bit(b, of: i) ? 1 : -1 } }
    let codes = try backend.makeBuffer(z)
    z = []
    // The SVMs start from ITQ's directions (unit rows) times `startScale`, applied to the
    // network's input (x − μ)/s: the same scores at every scale of the data.
    let block = try ParameterBlock(
      [
        TensorInit(
          name: "svm0.weight", shape: [k, d], values: itq.projection.map { $0 * configuration.startScale },
          decays: true),
        TensorInit(name: "svm0.bias", shape: [k], values: [Float](repeating: 0, count: k), decays: false),
      ], on: backend)
    loop.share([block])
    let svm = try MLP(
      prefix: "svm", inputs: d, layers: [LayerSpec(k, .identity)], block: block, capacity: loop.capacity,
      backend: backend)
    let hinge = try Hinge(capacity: loop.capacity * k, backend: backend)
    let labels = try backend.makeBuffer(Float.self, count: loop.capacity * k)
    let losses = try LossAccumulator(names: ["hinge"], backend: backend)
    let decoder = try LeastSquaresDecoder(
      rows: n, dimension: d, bits: k, blockRows: loop.blockRows, reduction: share?.reduction, backend: backend)
    var penalty = configuration.penalty
    var steps = 0
    for iteration in 1..<(options.epochs + 1) {
      let inTime = try loop.run(
        epochs: 1, firstEpoch: iteration, phase: String(format: "μ %.3g", penalty), losses: losses, onEvent: onEvent
      ) { rows, _ in
        try loop.gatherBatch(of: codes, columns: k, rows: rows, into: labels)
        try svm.forward(loop.batch, rows: rows)
        try hinge.apply(
          scores: svm.output, labels: labels, rows: rows, columns: k, weight: 1, slot: LossSlot(losses, "hinge"),
          gradient: svm.outputGradient)
        try svm.backward(input: loop.batch, rows: rows)
        steps += 1
        try block.adamStep(
          learningRate: configuration.svmLearningRate, weightDecay: configuration.svmDecay, step: steps)
      }
      try decoder.fit(codes: codes, data: loop)
      let (flips, mismatches) = try decoder.codeStep(
        codes, weight: svm.layers[0].weight.value, bias: svm.layers[0].bias.value, penalty: penalty,
        passes: configuration.flipPasses, data: loop)
      penalty *= configuration.penaltyGrowth
      // Every share stops together: when no share flipped a bit and every Z is h(X).
      let unsettled = reduction.sum([Double(flips), Double(mismatches)])
      if !inTime || (unsettled[0] == 0 && unsettled[1] == 0) { break }
    }
    let layer = svm.layers[0]
    return loop.linearHash(
      weight: try backend.download(layer.weight.value), bias: try backend.download(layer.bias.value), bits: k)
  }
}

/// Rows of a training set handed over in consecutive blocks, in row order.
protocol RowBlocks {
  func forEachBlock(_ body: (_ block: DeviceBuffer<Float>, _ first: Int, _ rows: Int) throws -> Void) throws
}

extension MinibatchLoop: RowBlocks {}

/// BA's f and Z steps: the least-squares decoder of the codes and the per-item bit flips
/// (`flipCodeBits`), over the training set in the loop's blocks (one when it is resident),
/// so that a set larger than one device buffer streams from host memory. The codes stay
/// on the device.
final class LeastSquaresDecoder {
  let backend: any Backend
  let (n, d, k): (Int, Int, Int)
  /// Sums the Gram and cross products over the shares of a data-parallel run; nil when
  /// one process holds every row and the sums stay on the device.
  let reduction: ShardReduction?
  /// `[Z 1]` of a block, blockRows × (k + 1) (its column of ones written once), and
  /// products with it.
  let augmented: DeviceBuffer<Float>
  /// The codes of a block past the first, copied to the start of a buffer for `copyColumns`.
  let blockCodes: DeviceBuffer<Float>
  /// `[Z 1]ᵀ[Z 1]`, then its Cholesky factor.
  let gram: DeviceBuffer<Float>
  /// `[Z 1]ᵀX`, then the decoder Θ: `B` as k rows of d (`f(z) = Bᵀz + e` in row form) and
  /// `e` as row k.
  let decoder: DeviceBuffer<Float>
  /// `e` alone, for the product `B e`.
  let offsetRow: DeviceBuffer<Float>
  /// A block's `XBᵀ` and `XWᵀ + c`.
  let projections: DeviceBuffer<Float>
  let scores: DeviceBuffer<Float>
  /// `B e` and `G = BBᵀ`, and each item's flips and mismatches of a Z step with their sums.
  let shift: DeviceBuffer<Float>
  let decoderGram: DeviceBuffer<Float>
  let flips: DeviceBuffer<Float>, mismatches: DeviceBuffer<Float>
  let totals: DeviceBuffer<Float>

  init(
    rows n: Int, dimension d: Int, bits k: Int, blockRows: Int, reduction: ShardReduction? = nil,
    backend: any Backend
  ) throws {
    (self.backend, self.n, self.d, self.k) = (backend, n, d, k)
    self.reduction = reduction
    augmented = try backend.makeBuffer(Float.self, count: blockRows * (k + 1))
    if blockRows > 0 {
      try backend.copyColumns(
        try backend.makeBuffer([Float](repeating: 1, count: blockRows)), rows: blockRows, columns: 1, sourceStride: 1,
        sourceColumn: 0, into: augmented, destinationStride: k + 1, destinationColumn: k)
    }
    blockCodes = try backend.makeBuffer(Float.self, count: blockRows * k)
    gram = try backend.makeBuffer(Float.self, count: (k + 1) * (k + 1))
    decoder = try backend.makeBuffer(Float.self, count: (k + 1) * d)
    offsetRow = try backend.makeBuffer(Float.self, count: d)
    projections = try backend.makeBuffer(Float.self, count: blockRows * k)
    scores = try backend.makeBuffer(Float.self, count: blockRows * k)
    shift = try backend.makeBuffer(Float.self, count: k)
    decoderGram = try backend.makeBuffer(Float.self, count: k * k)
    flips = try backend.makeBuffer(Float.self, count: max(n, 1))
    mismatches = try backend.makeBuffer(Float.self, count: max(n, 1))
    totals = try backend.makeBuffer(Float.self, count: 2)
  }

  /// The f step: `Θ = ([Z 1]ᵀ[Z 1] + rI)⁻¹ [Z 1]ᵀ X`, its first k rows `B`, its last `e`;
  /// `[Z 1]` built, the two products summed over the blocks and the system solved on the
  /// device (`choleskySolve`), so that the step waits on nothing. A data-parallel run sums
  /// the products over the shares on the host first.
  func fit(codes: DeviceBuffer<Float>, data: some RowBlocks) throws {
    let width = k + 1
    try data.forEachBlock { block, first, rows in
      // A resident set is one block from row 0: its codes are read in place.
      if first > 0 {
        try backend.copy(codes, sourceOffset: first * k, to: blockCodes, destinationOffset: 0, count: rows * k)
      }
      try backend.copyColumns(
        first > 0 ? blockCodes : codes, rows: rows, columns: k, sourceStride: k, sourceColumn: 0, into: augmented,
        destinationStride: width, destinationColumn: 0)
      let beta: Float = first == 0 ? 0 : 1
      try backend.gemm(
        augmented, transposeA: true, augmented, transposeB: false, into: gram, m: width, n: width, k: rows, alpha: 1,
        beta: beta)
      try backend.gemm(
        augmented, transposeA: true, block, transposeB: false, into: decoder, m: width, n: d, k: rows, alpha: 1,
        beta: beta)
    }
    if let reduction {
      try backend.upload(reduction.sum(try backend.download(gram, count: width * width)), to: gram)
      try backend.upload(reduction.sum(try backend.download(decoder, count: width * d)), to: decoder)
    }
    // A constant bit makes the Gram matrix singular: the small ridge keeps the solve defined.
    try backend.choleskySolve(gram, order: width, relativeRidge: 1e-6, rightHandSides: decoder, columns: d)
    // The code step's `B e` and `G = BBᵀ`, B being the first k rows of Θ.
    try backend.copy(decoder, sourceOffset: k * d, to: offsetRow, destinationOffset: 0, count: d)
    try backend.gemm(
      decoder, transposeA: false, offsetRow, transposeB: false, into: shift, m: k, n: 1, k: d, alpha: 1, beta: 0)
    try backend.gemm(
      decoder, transposeA: false, decoder, transposeB: true, into: decoderGram, m: k, n: k, k: d, alpha: 1, beta: 0)
  }

  /// The decoder of the last f step, read from the device: `B` (k rows of d) and `e`.
  func readDecoder() throws -> (basis: [Float], offset: [Float]) {
    let theta = try backend.download(decoder, count: (k + 1) * d)
    return (Array(theta[0..<(k * d)]), Array(theta[(k * d)...]))
  }

  /// The Z step (`flipCodeBits`, METHOD.md §11): for each item, flip any bit that lowers
  /// `‖x − Bᵀz − e‖² + μ‖z − h‖² = zᵀGz − 2zᵀ(y + μh) + const` (G = BBᵀ, y = B(x − e),
  /// h = sign(Wx + c)), `passes` times over the bits or until no flip helps. Returns the
  /// bits flipped and the bits where Z then differs from h(X), this share's.
  func codeStep(
    _ codes: DeviceBuffer<Float>, weight: DeviceBuffer<Float>, bias: DeviceBuffer<Float>, penalty: Float,
    passes: Int, data: some RowBlocks
  ) throws -> (flips: Int, mismatches: Int) {
    try data.forEachBlock { block, first, rows in
      try backend.gemm(
        block, transposeA: false, decoder, transposeB: true, into: projections, m: rows, n: k, k: d, alpha: 1,
        beta: 0)
      try backend.gemm(
        block, transposeA: false, weight, transposeB: true, into: scores, m: rows, n: k, k: d, alpha: 1, beta: 0)
      try backend.addRowVector(bias, to: scores, rows: rows, columns: k)
      try backend.flipCodeBits(
        codes, firstRow: first, rows: rows, bits: k, projections: projections, shift: shift, scores: scores,
        gram: decoderGram, penalty: penalty, passes: passes, flips: flips, mismatches: mismatches)
    }
    guard n > 0 else { return (0, 0) }
    try backend.fill(totals, value: 0, count: 2)
    try backend.accumulate(flips, count: n, .sum, scale: 1, into: totals, index: 0)
    try backend.accumulate(mismatches, count: n, .sum, scale: 1, into: totals, index: 1)
    let sums = try backend.download(totals, count: 2)
    return (Int(sums[0]), Int(sums[1]))
  }
}
