// The SiGAH model on a backend (METHOD.md §1–2): two players built from `Linear` layers
// over one parameter block each, the two losses and their hand-written gradients. Nothing
// in a training step reads from the device: each fused operation adds its rows' losses to
// their own elements of a device buffer that the trainer reads once per epoch (no
// reduction launch in a step). Every buffer is allocated once for `capacity` rows.

import Backend

public final class SiGAHNetwork: BatchWide {
  public let backend: any Backend
  public let configuration: SiGAHConfiguration
  /// Input dimension `d`, code bits `r`, generator width `m`, discriminator width `d_l`.
  public let d: Int, r: Int, m: Int, dl: Int
  /// The most rows a batch may have.
  public let capacity: Int

  // The players (METHOD.md §1): the hash layer and generator, and the auto-encoder
  // discriminator, each over its own parameter block.
  let generatorBlock: ParameterBlock
  let discriminatorBlock: ParameterBlock
  /// `H = tanh(X̃Wᵀ + c)`.
  let hashLayer: Linear
  /// `Gout = act(HW2ᵀ + c2)`.
  let generatorLayer: Linear
  /// The auto-encoder discriminator: `E = act(AW3ᵀ + c3)`, `R = EW4ᵀ + c4`, for up to
  /// 2·capacity rows (the stacked batch).
  let discriminator: MLP
  let negatedMean: DeviceBuffer<Float>
  let meanBuffer: DeviceBuffer<Float>
  let psi: DeviceBuffer<Float>
  let mean: [Float]

  var W: Tensor { hashLayer.weight }
  var c: Tensor { hashLayer.bias }
  var generatorParameters: [Tensor] { generatorBlock.tensors }
  var discriminatorParameters: [Tensor] { discriminatorBlock.tensors }

  // Workspace, named after METHOD.md's symbols. Rows × columns in the comments.
  let stacked: DeviceBuffer<Float>  // [X̃; X̂], 2n × d
  let x: DeviceBuffer<Float>  // X̃, n × d: the first rows of `stacked`, where the batch is gathered
  let h: DeviceBuffer<Float>  // H, n × r
  let g: DeviceBuffer<Float>  // Gout, n × m
  /// X̂ = Gout·Ψᵀ, n × d, of the last `forward`: for a full batch the rows of `stacked`
  /// after X̃ (so the discriminator's stacked pass needs no copy), else `xHatAlone`.
  private(set) var xHat: DeviceBuffer<Float>
  let xHatInStack: DeviceBuffer<Float>?, xHatAlone: DeviceBuffer<Float>
  // The discriminator's E (2n × d_l) and R (2n × d) are its MLP's activations; dR is
  // written straight into its output gradient.
  let dXHat: DeviceBuffer<Float>  // n × d
  let dG: DeviceBuffer<Float>  // n × m
  let dH: DeviceBuffer<Float>, lh: DeviceBuffer<Float>, hScratch: DeviceBuffer<Float>  // n × r
  let similarity: DeviceBuffer<Float>  // S, or the code products of distance matching, n × n
  let dmDistances: DeviceBuffer<Float>, dmSelected: DeviceBuffer<Float>, dmLoss: DeviceBuffer<Float>  // n × n
  let norms: DeviceBuffer<Float>, degrees: DeviceBuffer<Float>, distanceSums: DeviceBuffer<Float>  // n
  let scalar: DeviceBuffer<Float>  // 1
  /// The loss terms summed over the batches since the last `resetLosses`: `lossStride`
  /// elements a term (see `LossSlot`), one a row, each holding its rows' loss times the rows.
  let losses: DeviceBuffer<Float>
  var lossStride: Int { 2 * capacity }

  /// In a data-parallel run (METHOD.md §12): the gradient sums, and the whole batch's
  /// inputs and codes, gathered for the graph term.
  var share: ShareStep? {
    didSet { (generatorBlock.share, discriminatorBlock.share) = (share, share) }
  }
  private var wholeBatch: (x: DeviceBuffer<Float>, h: DeviceBuffer<Float>)?

  /// Adam steps taken by each player (the bias corrections count from 1).
  public internal(set) var discriminatorSteps = 0
  public internal(set) var generatorSteps = 0

  public init(
    weights: SiGAHWeights, configuration: SiGAHConfiguration, backend: any Backend, capacity: Int
  ) throws {
    self.backend = backend
    self.configuration = configuration
    (d, r, m, dl) = (weights.inputDimension, weights.bits, weights.generatorWidth, weights.discriminatorWidth)
    self.capacity = capacity
    func tensor(_ name: String) -> TensorInit {
      let spec = weights.layout.first { $0.name == name }!
      return TensorInit(name: name, shape: spec.shape, values: weights.tensors[name]!, decays: spec.decays)
    }
    generatorBlock = try ParameterBlock(["W", "c", "W2", "c2"].map(tensor), on: backend)
    discriminatorBlock = try ParameterBlock(["W3", "c3", "W4", "c4"].map(tensor), on: backend)
    let generatorActivation = configuration.generatorActivation.activation(slope: configuration.leakySlope)
    let discriminatorActivation = configuration.discriminatorActivation.activation(slope: configuration.leakySlope)
    hashLayer = Linear(
      weight: generatorBlock.tensor("W"), bias: generatorBlock.tensor("c"), activation: .tanh, backend: backend)
    generatorLayer = Linear(
      weight: generatorBlock.tensor("W2"), bias: generatorBlock.tensor("c2"), activation: generatorActivation,
      backend: backend)
    discriminator = try MLP(
      layers: [
        Linear(
          weight: discriminatorBlock.tensor("W3"), bias: discriminatorBlock.tensor("c3"),
          activation: discriminatorActivation, backend: backend),
        Linear(
          weight: discriminatorBlock.tensor("W4"), bias: discriminatorBlock.tensor("c4"), activation: .identity,
          backend: backend),
      ], capacity: 2 * capacity, backend: backend)
    mean = weights.tensors["mu"]!
    negatedMean = try backend.makeBuffer(mean.map { -$0 })
    meanBuffer = try backend.makeBuffer(mean)
    psi = try backend.makeBuffer(weights.tensors["Psi"]!)

    func buffer(_ count: Int) throws -> DeviceBuffer<Float> {
      try backend.makeBuffer(Float.self, count: count)
    }
    let n = capacity
    stacked = try buffer(2 * n * d)
    x = try backend.makeSlice(of: stacked, offset: 0, count: n * d)
    (h, g, xHatAlone) = (try buffer(n * r), try buffer(n * m), try buffer(n * d))
    // A slice must start on the device's alignment; where n·d floats do not, X̂ is copied.
    xHatInStack =
      (n * d * MemoryLayout<Float>.stride) % backend.sliceAlignment == 0
      ? try backend.makeSlice(of: stacked, offset: n * d, count: n * d) : nil
    xHat = xHatAlone
    dXHat = try buffer(n * d)
    dG = try buffer(n * m)
    (dH, lh, hScratch) = (try buffer(n * r), try buffer(n * r), try buffer(n * r))
    similarity = try buffer(n * n)
    let dmSize = configuration.graphTerm == .distanceMatching ? n * n : 1
    (dmDistances, dmSelected, dmLoss) = (try buffer(dmSize), try buffer(dmSize), try buffer(dmSize))
    (norms, degrees, distanceSums, scalar) = (try buffer(n), try buffer(n), try buffer(n), try buffer(1))
    losses = try backend.makeBuffer([Float](repeating: 0, count: LossSlot.allCases.count * 2 * n))
  }

  // MARK: Input

  /// Uploads `n` raw input rows and centres them: `x̃ = x − μ` (measurements outside the
  /// training loop, which fills `x` itself).
  public func loadBatch(_ rows: [Float], count n: Int) throws {
    precondition(n >= 1 && n <= capacity && rows.count == n * d)
    try backend.upload(rows, to: x)
    try backend.addRowVector(negatedMean, to: x, rows: n, columns: d)
  }

  // MARK: Forward

  /// Hash layer and generator: `H = tanh(X̃Wᵀ + c)`, `Gout = act(HW2ᵀ + c2)`,
  /// `X̂ = Gout·Ψᵀ` (METHOD.md §1).
  public func forward(rows n: Int) throws {
    try hashForward(rows: n)
    try generatorForward(rows: n)
  }

  func hashForward(rows n: Int) throws {
    try hashLayer.forward(x, rows: n, into: h)
  }

  func generatorForward(rows n: Int) throws {
    try generatorLayer.forward(h, rows: n, into: g)
    xHat = n == capacity ? (xHatInStack ?? xHatAlone) : xHatAlone
    try backend.gemm(g, transposeA: false, psi, transposeB: true, into: xHat, m: n, n: d, k: m, alpha: 1, beta: 0)
  }

  var kappa: Float { configuration.energyScale(inputDimension: d) }

  /// The auto-encoder discriminator on `rows` rows of `input` (`E = act(AW3ᵀ + c3)`,
  /// `R = EW4ᵀ + c4`) and its energies `D(a_i) = κ‖R_i − a_i‖²` (METHOD.md §1): rows from
  /// `hingeFrom` on lose `max(0, β − D)`, the others `weight·D`. Leaves `∂L/∂R` (for a
  /// mean over `perRows` rows) in the MLP's output gradient and, when `inputGradient` is
  /// given, subtracts it there (the path `a → R − a`).
  func discriminatorEnergyLoss(
    _ input: DeviceBuffer<Float>, rows n: Int, hingeFrom: Int, weight: Float, perRows: Int, slot: LossSlot,
    inputGradient: DeviceBuffer<Float>? = nil
  ) throws {
    try discriminator.forward(input, rows: n)
    try backend.energyLoss(
      output: discriminator.output, input: input, rows: n, columns: d, energyScale: kappa, hingeFrom: hingeFrom,
      margin: configuration.margin, gradientScale: weight / Float(perRows), into: discriminator.outputGradient,
      inputGradient: inputGradient, loss: lossRows(slot, scale: weight))
  }

  // MARK: Losses on the device

  /// Where each loss term accumulates in `losses`.
  enum LossSlot: Int, CaseIterable {
    case discriminator, reconstruction, quantisation, sparsity, adversarial, graph
  }

  /// Where a fused operation adds its rows' share of `slot`, times `scale`.
  func lossRows(_ slot: LossSlot, scale: Float) -> LossRows {
    LossRows(losses, offset: slot.rawValue * lossStride, scale: scale)
  }

  /// `slot += scale · reduce(buffer[0..<count])` in one launch: for the data-parallel graph
  /// terms, whose rows are the whole batch's.
  func add(
    _ slot: LossSlot, _ buffer: DeviceBuffer<Float>, count: Int, _ reduction: RowReduction = .sum, scale: Float
  ) throws {
    try backend.accumulate(
      buffer, count: count, reduction, scale: scale, into: losses, index: slot.rawValue * lossStride)
  }

  /// Zeroes the loss accumulator.
  public func resetLosses() throws {
    try backend.fill(losses, value: 0, count: LossSlot.allCases.count * lossStride)
  }

  /// The mean loss terms over the `rows` rows trained since `resetLosses` (summed over the
  /// shares of a data-parallel run by `reduction`): one read.
  public func readLosses(rows: Int, reduction: ShardReduction = .local) throws -> LossTerms {
    let rowsOfSlots = try backend.download(losses)
    let sums = reduction.sum(
      LossSlot.allCases.map { slot in
        rowsOfSlots[(slot.rawValue * lossStride)..<((slot.rawValue + 1) * lossStride)].reduce(0.0) { $0 + Double($1) }
      })
    let perRow = 1 / Double(max(rows, 1))
    var terms = LossTerms()
    terms.discriminator = sums[LossSlot.discriminator.rawValue] * perRow
    terms.reconstruction = sums[LossSlot.reconstruction.rawValue] * perRow
    // α·(1 − Σh²/(r·n)): the constant α is added here, the device sums −α·Σh²/r.
    terms.quantisation =
      configuration.alpha == 0 ? 0 : Double(configuration.alpha) + sums[LossSlot.quantisation.rawValue] * perRow
    terms.sparsity = sums[LossSlot.sparsity.rawValue] * perRow
    terms.adversarial = sums[LossSlot.adversarial.rawValue] * perRow
    terms.graph = sums[LossSlot.graph.rawValue] * perRow
    return terms
  }

  /// `L_G`'s terms on the loaded batch (after `forward`), read back at once: for tests
  /// and evaluation, never inside training.
  func measureGeneratorLoss(rows n: Int) throws -> LossTerms {
    try resetLosses()
    try generatorLoss(rows: n)
    return try readLosses(rows: n)
  }

  /// `L_D` on the loaded batch (after `forward`), read back at once.
  func measureDiscriminatorLoss(rows n: Int) throws -> Double {
    try resetLosses()
    try discriminatorLoss(rows: n)
    return try readLosses(rows: n).discriminator
  }

  /// The discriminator's energies `D(a_i) = κ‖R_i − a_i‖²` of `rows` rows of `input`, read
  /// back: for tests and diagnostics, never inside training.
  func measureEnergies(_ input: DeviceBuffer<Float>, rows n: Int) throws -> [Float] {
    try discriminator.forward(input, rows: n)
    let (r, a) = (try backend.download(discriminator.output, count: n * d), try backend.download(input, count: n * d))
    return (0..<n).map { i in
      kappa * (i * d..<(i + 1) * d).reduce(Float(0)) { total, j in total + (r[j] - a[j]) * (r[j] - a[j]) }
    }
  }

  // MARK: Discriminator loss (paper Eq. 21)

  /// `L_D = mean_i [D(x̃_i) + max(0, β − D(x̂_i))]` with `x̂` held constant, on the batch
  /// and its current `X̂` (call `forward` first). Leaves the gradients of W3, c3, W4, c4
  /// and adds `n·L_D` to the accumulator.
  public func discriminatorLoss(rows n: Int) throws {
    // One pass over the stacked batch [X̃; X̂]: X̃ was gathered into its first rows, and a
    // full batch's X̂ was written after them.
    if xHat !== xHatInStack {
      try backend.copy(xHat, sourceOffset: 0, to: stacked, destinationOffset: n * d, count: n * d)
    }
    try discriminatorEnergyLoss(stacked, rows: 2 * n, hingeFrom: n, weight: 1, perRows: n, slot: .discriminator)
    try discriminator.backward(input: stacked, rows: 2 * n, parameterGradients: true, inputGradient: nil)
  }

  // MARK: Generator loss (paper Eq. 20 with the adversarial term, METHOD.md §2)

  /// All terms of `L_G` on the batch (call `forward` first); leaves the gradients of
  /// W, c, W2, c2 and adds each term times `n` to the accumulator. The graph term is
  /// computed here, or finished here when `graphTermBeside` queued it.
  public func generatorLoss(rows n: Int) throws {
    try generatorLoss(rows: n, graph: nil)
  }

  func generatorLoss(rows n: Int, graph pending: PendingGraph?) throws {
    let cfg = configuration
    let nf = Float(n)

    // Reconstruction ρ·(1/d)‖x̂ − x̃‖²: ∂/∂X̂ = (2ρ/(d·n))(X̂ − X̃).
    try backend.squaredErrorLoss(
      xHat, target: x, rows: n, columns: d, gradientScale: 2 * cfg.reconstructionWeight / (Float(d) * nf),
      into: dXHat, loss: lossRows(.reconstruction, scale: cfg.reconstructionWeight / Float(d)))

    // Adversarial μ·D(x̂): back through the (just updated) discriminator to X̂, adding
    // dE·W3 − dR to ∂/∂X̂.
    if cfg.usesDiscriminator {
      try discriminatorEnergyLoss(
        xHat, rows: n, hingeFrom: n, weight: cfg.adversarialWeight, perRows: n, slot: .adversarial,
        inputGradient: dXHat)
      try discriminator.backward(
        input: xHat, rows: n, parameterGradients: false, inputGradient: dXHat, inputGradientBeta: 1)
    }

    // Sparsity λ·(1/m)‖Gout‖² (or ‖·‖₁) written into ∂/∂Gout first, then X̂ = Gout·Ψᵀ ⇒
    // ∂/∂Gout += ∂/∂X̂ · Ψ, times the generator activation's derivative in the same GEMM.
    if cfg.lambda != 0 {
      let kind: RowReduction = cfg.sparsity == .l2 ? .sumOfSquares : .sumOfAbsoluteValues
      let sparsity = Penalty(
        kind, gradientScale: cfg.lambda / (Float(m) * nf), loss: lossRows(.sparsity, scale: cfg.lambda / Float(m)))
      try backend.penaltyGradient(g, rows: n, columns: m, sparsity, accumulate: false, into: dG)
    }
    try backend.gemm(
      dXHat, transposeA: false, psi, transposeB: false, into: dG, m: n, n: m, k: d, alpha: 1,
      beta: cfg.lambda != 0 ? 1 : 0, epilogue: .activationGradient(generatorLayer.activation, output: g))

    // Through the generator layer to ∂/∂H.
    try generatorLayer.backward(fromPreActivation: dG, input: h, rows: n, inputGradient: dH)

    // Quantisation α·(1/r)·Σ_k(1 − H²) (paper Eq. 9 bound): ∂/∂H = −(2α/(r·n))·H; the graph
    // term; then through tanh — one pass over the codes.
    let quantisation =
      cfg.alpha == 0
      ? nil
      : Penalty(
        .sumOfSquares, gradientScale: -cfg.alpha / (Float(r) * nf),
        loss: lossRows(.quantisation, scale: -cfg.alpha / Float(r)))
    let graph = try pending.map(finishGraphTerm) ?? (cfg.gamma != 0 ? try graphTerm(rows: n) : nil)
    try backend.codeGradient(
      codes: h, rows: n, bits: r, gradient: dH, quantisation: quantisation, graph: graph,
      activation: hashLayer.activation)

    // The hash layer's weight and bias gradients: H = tanh(X̃Wᵀ + c).
    try hashLayer.backward(fromPreActivation: dH, input: x, rows: n)
  }

  // MARK: Graph term

  /// The graph term's inputs: the batch, or in a data-parallel run the whole batch
  /// gathered from every process, with this process's rows at `own`.
  struct GraphBatch {
    let x: DeviceBuffer<Float>, h: DeviceBuffer<Float>
    let rows: Int
    let own: Range<Int>
    /// The factor from the whole batch's gradient of this process's rows to its part's
    /// (normalised by its n rows, as `ShareStep.combine` expects): N/n.
    var partScale: Float { Float(rows) / Float(max(own.count, 1)) }
    /// The share of the whole batch's loss this process adds: n/N.
    var lossShare: Float { Float(own.count) / Float(rows) }
  }

  func graphBatch(rows n: Int) throws -> GraphBatch {
    guard let share else { return GraphBatch(x: x, h: h, rows: n, own: 0..<n) }
    if wholeBatch == nil {
      wholeBatch = (
        try backend.makeBuffer(Float.self, count: capacity * d), try backend.makeBuffer(Float.self, count: capacity * r)
      )
    }
    let whole = wholeBatch!
    let (xs, first) = try share.gather(x, rows: n, columns: d, backend: backend)
    let (hs, _) = try share.gather(h, rows: n, columns: r, backend: backend)
    try backend.upload(xs, to: whole.x)
    try backend.upload(hs, to: whole.h)
    return GraphBatch(x: whole.x, h: whole.h, rows: xs.count / d, own: share.counts ? first..<(first + n) : 0..<0)
  }

  /// `γ·L_S`, `L_S = (2/n²)·tr(Hᵀ(Diag(S1) − S)H)` (paper Eq. 17, METHOD.md §2), or SiGAH-DM's
  /// distance matching, on the whole batch. On one process the graph term's last step is
  /// returned for the code gradient to fuse; otherwise `∂/∂H` of this process's rows is
  /// added to `dH` here and nil returned.
  func graphTerm(rows n: Int) throws -> GraphGradient? {
    let batch = try graphBatch(rows: n)
    if configuration.graphTerm == .distanceMatching {
      try distanceMatchingResidual(batch)
      try addDistanceMatchingGradient(batch)
      return nil
    }
    if share == nil { return try similarityProducts(batch) }
    let (cfg, rows) = (configuration, batch.rows)
    let nf = Float(rows)
    // ∂L_S/∂H = (4/n²)·(Diag(S1) − S)·H.
    try backend.graphSimilarity(
      batch.x, rows: rows, columns: d, sigma: cfg.sigma, norms: norms, total: scalar, into: similarity)
    try backend.reduceRows(similarity, rows: rows, columns: rows, .sum, into: degrees)
    try backend.gemm(
      similarity, transposeA: false, batch.h, transposeB: false, into: lh, m: rows, n: r, k: rows, alpha: -1, beta: 0)
    try backend.copy(batch.h, sourceOffset: 0, to: hScratch, destinationOffset: 0, count: rows * r)
    try backend.scaleRows(hScratch, by: degrees, rows: rows, columns: r)
    try backend.linearCombination(alpha: 1, lh, beta: 1, hScratch, into: lh, count: rows * r)
    try backend.multiply(batch.h, lh, into: hScratch, count: rows * r)
    try add(.graph, hScratch, count: rows * r, scale: cfg.gamma * 2 / nf * batch.lossShare)
    guard !batch.own.isEmpty else { return nil }
    let ownRows = try ownRows(of: lh, batch)
    try backend.linearCombination(
      alpha: 1, dH, beta: 4 * cfg.gamma / (nf * nf) * batch.partScale, ownRows, into: dH, count: n * r)
    return nil
  }

  /// The paper's term on one process: S and its degrees in four launches, then −S·H;
  /// ∂L_S/∂H = (4/n²)·(Diag(S1) − S)·H is finished in the code gradient.
  private func similarityProducts(_ batch: GraphBatch) throws -> GraphGradient {
    let (cfg, rows) = (configuration, batch.rows)
    try backend.squaredRowNorms(batch.x, rows: rows, columns: d, into: norms)
    try backend.gemm(
      batch.x, transposeA: false, batch.x, transposeB: true, into: similarity, m: rows, n: rows, k: d, alpha: 1,
      beta: 0)
    try backend.distancesFromGram(
      similarity, rowNorms: norms, columnNorms: norms, rows: rows, columns: rows, squareRoot: true,
      zeroDiagonal: true, into: similarity, rowSums: distanceSums)
    try backend.similarityWithDegrees(
      similarity, rows: rows, sigma: cfg.sigma, distanceRowSums: distanceSums, pairs: rows * (rows - 1),
      into: similarity, degrees: degrees)
    try backend.gemm(
      similarity, transposeA: false, batch.h, transposeB: false, into: lh, m: rows, n: r, k: rows, alpha: -1,
      beta: 0)
    let nf = Float(rows)
    return GraphGradient(
      negatedProducts: lh, degrees: degrees, gradientScale: 4 * cfg.gamma / (nf * nf),
      loss: lossRows(.graph, scale: cfg.gamma * 2 / nf))
  }

  /// The graph term queued as side work (`Backend+SideWork`), to be finished by
  /// `generatorLoss`: what it computes needs only X̃ and H, so it may run beside the
  /// generator's forward pass, the discriminator's step and the generator's backward pass,
  /// none of which touches its buffers. Only on one process (a data-parallel run gathers
  /// the whole batch through the host) and for a full batch whose X̂ is written in the
  /// stacked buffer's own slice (otherwise X̂ is copied into the buffer X̃ is a slice of,
  /// which OpenCL does not allow beside a read of X̃); nil otherwise.
  func graphTermBeside(rows n: Int) throws -> PendingGraph? {
    guard configuration.gamma != 0, share == nil, n == capacity, xHatInStack != nil else { return nil }
    let batch = try graphBatch(rows: n)
    try backend.beginSideWork()
    let pending: PendingGraph
    if configuration.graphTerm == .distanceMatching {
      try distanceMatchingResidual(batch)
      pending = .distanceMatching(batch)
    } else {
      pending = .fused(try similarityProducts(batch))
    }
    try backend.endSideWork()
    return pending
  }

  /// A graph term queued by `graphTermBeside`: the paper's term's last step, which the code
  /// gradient fuses, or distance matching's batch, whose gradient is added to ∂/∂H.
  enum PendingGraph {
    case fused(GraphGradient)
    case distanceMatching(GraphBatch)
  }

  /// Waits for the side work, then what the code gradient needs of the term.
  private func finishGraphTerm(_ pending: PendingGraph) throws -> GraphGradient? {
    try backend.joinSideWork()
    switch pending {
    case .fused(let gradient): return gradient
    case .distanceMatching(let batch):
      try addDistanceMatchingGradient(batch)
      return nil
    }
  }

  /// This process's rows of a whole-batch matrix of r columns (the matrix itself with one process).
  private func ownRows(of matrix: DeviceBuffer<Float>, _ batch: GraphBatch) throws -> DeviceBuffer<Float> {
    guard batch.own.count != batch.rows else { return matrix }
    try backend.copy(
      matrix, sourceOffset: batch.own.lowerBound * r, to: hScratch, destinationOffset: 0, count: batch.own.count * r)
    return hScratch
  }

  // MARK: Training step (METHOD.md §3)

  /// One iteration on a loaded batch: a discriminator step on `L_D`, then a step of the
  /// hash layer and generator on `L_G` against the updated discriminator. Queues work
  /// only: nothing is read back.
  public func trainStep(rows n: Int, learningRate: Float) throws {
    try hashForward(rows: n)
    let graph = try graphTermBeside(rows: n)
    try generatorForward(rows: n)
    if configuration.usesDiscriminator {
      try discriminatorLoss(rows: n)
      discriminatorSteps += 1
      try discriminatorBlock.adamStep(
        learningRate: learningRate, weightDecay: configuration.weightDecay, step: discriminatorSteps)
    }
    try generatorLoss(rows: n, graph: graph)
    generatorSteps += 1
    try generatorBlock.adamStep(
      learningRate: learningRate, weightDecay: configuration.weightDecay, step: generatorSteps)
  }

  // MARK: Weights

  /// The current weights, downloaded (one read per player).
  /// The current weights, labelled with the scale of the data the network was given.
  public func weights(inputScale: Float = 1) throws -> SiGAHWeights {
    var tensors: [String: [Float]] = ["mu": mean, "Psi": try backend.download(psi, count: d * m)]
    tensors.merge(try generatorBlock.download()) { $1 }
    tensors.merge(try discriminatorBlock.download()) { $1 }
    var weights = SiGAHWeights(inputDimension: d, bits: r, generatorWidth: m, discriminatorWidth: dl, tensors: tensors)
    weights.inputScale = inputScale
    return weights
  }

  /// Both players' Adam moments by tensor name, for checkpoints.
  func moments() throws -> (first: [String: [Float]], second: [String: [Float]]) {
    let (g, dsc) = (try generatorBlock.moments(), try discriminatorBlock.moments())
    return (g.first.merging(dsc.first) { $1 }, g.second.merging(dsc.second) { $1 })
  }

  func restoreMoments(first: [String: [Float]], second: [String: [Float]]) throws {
    try generatorBlock.restoreMoments(first: first, second: second)
    try discriminatorBlock.restoreMoments(first: first, second: second)
  }
}
