// SiGAH-DM's ranking stage (METHOD.md §3c): the hash layer, with a ReLU residual beside it
// when configured, trained on from a starting hash function with a pairwise ranking loss
// whose positives are each training vector's exact nearest neighbours, so that the codes
// order neighbours before non-neighbours the way the evaluation ranks them. It runs on
// whatever backend it is given; the (scaled) training set is uploaded once, each step's
// rows are gathered on the device from a plan of row ids uploaded a chunk of steps at a
// time, and the loss is accumulated on the device and read only with a validation.
//
// Data-parallel (METHOD.md §12): every process gathers the whole training set (an
// anchor's positives and negatives may be any rows) and computes the neighbours of its own
// rows; every process draws every step's whole plan, and each trains on its slots of the
// step's anchors, its gradients weighted by its part of them and summed over the processes.

import Backend
import Foundation

public enum RankingRefinement {
  /// Trains `start`'s projection and offset, and a residual of `options.residualWidth`
  /// units from zero, on `data` and returns the best hash function on `validate` (the
  /// start included, scored `startValidationMAP` when known, and returned without a
  /// residual), or the last one without validation; both in the data's units. With
  /// `share`, `data` is this process's share of the rows and the result is the one
  /// process's up to the order of the sums. Past `deadline` the stage validates once more
  /// and stops (every process at the same step).
  public static func refine(
    _ start: LinearHash, data ownRows: Matrix, options: RankingOptions, neighbourhoods: [Int], seed: UInt64,
    backend: any Backend, validate: ((SiGAHHash) throws -> Double)?, startValidationMAP: Double? = nil,
    share: DataShare? = nil, deadline: Date? = nil, onEvent: (TrainingEvent) -> Void = { _ in }
  ) throws -> (hash: LinearHash, residual: RankingResidual?, summary: RankingSummary) {
    let began = Date()
    let data = try share?.wholeData(ownRows) ?? ownRows
    let (n, d, r) = (data.rows, data.columns, start.bits)
    let pairs = options.pairsPerAnchor
    guard n >= 2, !neighbourhoods.isEmpty, neighbourhoods.allSatisfy({ $0 >= 1 }) else {
      throw TrainingError.invalidData(
        "the ranking stage needs two or more vectors and neighbourhoods of at least 1, got \(neighbourhoods)")
    }
    // Each neighbourhood at most every other vector; the table holds the widest.
    let scales = Set(neighbourhoods.map { min($0, n - 1) }).sorted()
    let k = scales.last!
    guard (1...maximumRankingPairs).contains(pairs), options.anchors >= 1, options.steps >= 1 else {
      throw TrainingError.invalidData(
        "the ranking stage needs at least one step and anchor, and 1 to \(maximumRankingPairs) pairs an anchor")
    }
    // More anchors a step than training vectors would only repeat them (and size buffers
    // by the option): a step takes at most every vector once over.
    // The rows with neighbour lists, which anchors are drawn from: all of them, or a seeded
    // sample on a set larger than `anchorRows`.
    let most = options.anchorRows ?? RankingOptions.defaultAnchorRows
    let anchorRows: [Int] = {
      guard n > most else { return Array(0..<n) }
      var sampler = SeededGenerator(seed: seed ^ 0x41C4_0A5E)
      return Array(sampler.permutation(n).prefix(most)).sorted()
    }()
    let anchors = min(options.anchors, anchorRows.count)
    // Centred and divided by the overall scale s = √(Σ_j var x_j), so the learning rate
    // means the same in any units; the layer's weights are W·s until they are handed back.
    // Each bit then starts at about unit spread (a power of two, so no sign changes): β
    // means the same for any start.
    let scale = Float(overallScale(data, mean: start.mean))
    var scaled = data.values
    for i in 0..<n {
      for j in 0..<d { scaled[i * d + j] = (scaled[i * d + j] - start.mean[j]) / scale }
    }
    // On the device once: the spreads are measured on it and each step gathers from it.
    let vectors = try backend.makeBuffer(scaled)
    var projection = start.projection.map { $0 * scale }
    let spreads = try ITQStart.unitSpreadScales(projection, bits: r, centred: vectors, rows: n, backend: backend)
    for bit in 0..<r {
      for j in 0..<d { projection[bit * d + j] *= spreads[bit] }
    }
    let nearest =
      try share.map { share in
        // Each process finds the lists of its own anchor rows; gathered in row order.
        let own = anchorRows.filter { share.rows.contains($0) }
        let queries = own.count == ownRows.rows ? ownRows : ownRows.rows(own.map { $0 - share.rows.lowerBound })
        return share.gatherIDs(
          try neighbourTable(
            queries, rowIDs: own, database: data, k: k, metric: options.metric ?? .l2, backend: backend,
            onEvent: onEvent))
      }
      ?? neighbourTable(
        anchorRows.count == n ? data : data.rows(anchorRows), rowIDs: anchorRows, database: data, k: k,
        metric: options.metric ?? .l2, backend: backend, onEvent: onEvent)
    let part = share?.part(ofSlots: anchors) ?? (slots: 0..<anchors, weight: 1)
    // The residual's hidden layer starts N(0, 1/d) and its output at zero: the start's codes.
    let width = options.residualWidth ?? 0
    var residualGenerator = SeededGenerator(seed: seed ^ 0x5E51_D0A1)
    let residualTensors =
      width == 0
      ? []
      : [
        TensorInit(
          name: "V", shape: [width, d],
          values: residualGenerator.gaussians(count: width * d, standardDeviation: 1 / Double(d).squareRoot()),
          decays: true),
        TensorInit(name: "v", shape: [width], values: [Float](repeating: 0, count: width), decays: false),
        TensorInit(name: "U", shape: [r, width], values: [Float](repeating: 0, count: r * width), decays: true),
      ]
    let block = try ParameterBlock(
      [
        TensorInit(name: "W", shape: [r, d], values: projection, decays: true),
        TensorInit(name: "c", shape: [r], values: zip(start.offset, spreads).map { $0 * $1 }, decays: false),
      ] + residualTensors, on: backend)
    if let share {
      block.share = ShareStep(reduction: share.reduction)
      block.share?.weight = part.weight
    }
    let layer = Linear(weight: block.tensor("W"), bias: block.tensor("c"), activation: .identity, backend: backend)
    let rows = part.slots.count * (1 + 2 * pairs)
    let residual =
      try width == 0
      ? nil
      : ResidualBranch(
        hiddenWeight: block.tensor("V"), hiddenBias: block.tensor("v"), outputWeight: block.tensor("U"),
        capacity: rows, backend: backend)
    let chunkSteps = max(1, min(options.steps, 65_536 / rows))
    let plan = try backend.makeBuffer(Int32.self, count: chunkSteps * rows)
    let input = try backend.makeBuffer(Float.self, count: rows * d)
    let codes = try backend.makeBuffer(Float.self, count: rows * r)
    let codeGradient = try backend.makeBuffer(Float.self, count: rows * r)
    let anchorLosses = try backend.makeBuffer(Float.self, count: part.slots.count)
    let lossSum = try backend.makeBuffer([Float(0)])

    var generator = SeededGenerator(seed: seed ^ 0x52A4_C1F0)
    var best = (step: 0, map: startValidationMAP ?? -.infinity, hash: start, residual: RankingResidual?.none)
    var checkpoints: [RankingSummary.Checkpoint] = []
    var stepsSinceCheckpoint = 0
    for step in 1...options.steps {
      let slot = (step - 1) % chunkSteps
      if slot == 0 {
        let chunk = samplePlan(
          steps: min(chunkSteps, options.steps - step + 1), anchors: anchors, pairs: pairs, nearest: nearest,
          k: k, scales: scales, anchorRows: anchorRows, count: n,
          hardNegatives: min(options.hardNegatives ?? 0, pairs),
          widestShare: options.widestShare ?? RankingOptions.defaultWidestShare(bits: r),
          generator: &generator)
        try backend.upload(
          share == nil ? chunk : Self.part(of: chunk, anchors: anchors, pairs: pairs, slots: part.slots), to: plan)
      }
      try backend.gatherRows(
        vectors, sourceRows: n, indices: plan, first: slot * rows, rows: rows, columns: d, into: input)
      // h = tanh(β·(W x + c)), the loss and its gradient, then back through tanh and β.
      let beta =
        options.startScale + (options.endScale - options.startScale) * Float(step - 1)
        / Float(max(options.steps - 1, 1))
      try layer.forward(input, rows: rows, into: codes)
      try residual?.forward(input, rows: rows, addingTo: codes)
      try backend.linearCombination(alpha: beta, codes, beta: 0, codes, into: codes, count: rows * r)
      try backend.activate(.tanh, codes, into: codes, count: rows * r)
      try backend.rankingPairLoss(
        codes, anchors: part.slots.count, pairsPerAnchor: pairs, bits: r, sharpness: options.sharpness,
        gradient: codeGradient, losses: anchorLosses)
      try backend.accumulate(anchorLosses, count: part.slots.count, .sum, scale: 1, into: lossSum, index: 0)
      try backend.activationBackward(
        .tanh, output: codes, outputGradient: codeGradient, into: codeGradient, count: rows * r)
      try backend.linearCombination(
        alpha: beta, codeGradient, beta: 0, codeGradient, into: codeGradient, count: rows * r)
      try residual?.backward(input: input, preActivationGradient: codeGradient, rows: rows)
      try layer.backward(input: input, output: codes, outputGradient: codeGradient, rows: rows)
      try block.adamStep(learningRate: options.learningRate, weightDecay: 0, step: step)
      stepsSinceCheckpoint += 1
      onEvent(.rankingStep(step: step, total: options.steps))
      let outOfTime = deadline.map { deadline in (share?.reduction ?? .local).any(Date() >= deadline) } ?? false
      if step % max(options.validateEvery, 1) == 0 || step == options.steps || outOfTime {
        var loss = Double(try backend.download(lossSum)[0]) / Double(stepsSinceCheckpoint)
        if let share { loss = share.reduction.sum([loss * part.weight])[0] }
        guard loss.isFinite else {
          throw TrainingError.diverged(epoch: step, term: "the ranking loss", lastCheckpoint: nil)
        }
        try backend.fill(lossSum, value: 0, count: 1)
        stepsSinceCheckpoint = 0
        let weights = try block.download()
        let hash = LinearHash(
          mean: start.mean, projection: weights["W"]!.map { $0 / scale }, offset: weights["c"]!, bits: r)
        let kept =
          width == 0
          ? nil
          : RankingResidual(
            hiddenWeight: weights["V"]!.map { $0 / scale }, hiddenBias: weights["v"]!, outputWeight: weights["U"]!,
            width: width)
        let function = SiGAHHash(hash, residual: kept)
        let map = try validate.map { validate in
          try share?.measuredByWriter { try validate(function) } ?? validate(function)
        }
        let checkpoint = RankingSummary.Checkpoint(step: step, loss: loss, validationMAP: map)
        checkpoints.append(checkpoint)
        onEvent(.rankingCheckpoint(checkpoint))
        if validate == nil || map! > best.map { best = (step, map ?? 0, hash, kept) }
      }
      if outOfTime { break }
    }
    let summary = RankingSummary(
      neighbours: k, neighbourhoods: scales, startValidationMAP: startValidationMAP, checkpoints: checkpoints,
      keptStep: best.step,
      seconds: Date().timeIntervalSince(began))
    return (best.hash, best.residual, summary)
  }

  /// `√(Σ_j var x_j)` about `mean`, in Float64.
  static func overallScale(_ data: Matrix, mean: [Float]) -> Double {
    var total = 0.0
    for i in 0..<data.rows {
      for j in 0..<data.columns {
        let v = Double(data.values[i * data.columns + j] - mean[j])
        total += v * v
      }
    }
    return max((total / Double(max(data.rows, 1))).squareRoot(), 1e-30)
  }

  /// The `k` nearest other training vectors of each of `queries`, rows `rowIDs` of the
  /// training set `database` (exact by `metric`, ties by index), `queries.rows × k`
  /// row-major.
  static func neighbourTable(
    _ queries: Matrix, rowIDs: [Int], database: Matrix, k: Int, metric: Metric = .l2, backend: any Backend,
    onEvent: (TrainingEvent) -> Void = { _ in }
  ) throws -> [Int32] {
    var table: [Int32] = []
    table.reserveCapacity(queries.rows * k)
    // In blocks of queries, each exact on its own, so that the wait shows progress.
    for block in queries.rowBlocks(2048) {
      let withSelf = try GroundTruth.compute(
        queries: queries.rows(block), database: database, k: k + 1, backend: backend, metric: metric)
      for (offset, i) in block.enumerated() {
        // Itself is first unless a duplicate ties it at distance 0 with a smaller index.
        let row = withSelf[(offset * (k + 1))..<((offset + 1) * (k + 1))]
        var others = row.filter { $0 != Int32(rowIDs[i]) }
        if others.count > k { others.removeLast() }
        table += others
      }
      onEvent(.rankingNeighbours(done: block.upperBound, total: queries.rows))
    }
    return table
  }

  /// The rows of anchor `slots` in each step of a plan of `samplePlan`'s layout: those
  /// anchors, their positives, their negatives (the same layout, for `slots.count` anchors).
  static func part(of plan: [Int32], anchors: Int, pairs: Int, slots: Range<Int>) -> [Int32] {
    let stepRows = anchors * (1 + 2 * pairs)
    var part: [Int32] = []
    for step in stride(from: 0, to: plan.count, by: stepRows) {
      let (positives, negatives) = (step + anchors, step + anchors * (1 + pairs))
      part += plan[(step + slots.lowerBound)..<(step + slots.upperBound)]
      part += plan[(positives + slots.lowerBound * pairs)..<(positives + slots.upperBound * pairs)]
      part += plan[(negatives + slots.lowerBound * pairs)..<(negatives + slots.upperBound * pairs)]
    }
    return part
  }

  /// The row ids of `steps` steps: per step the anchors, then each anchor's positives,
  /// then each anchor's negatives (the layout `rankingPairLoss` reads). Each anchor draws
  /// one scale `s` uniformly from `scales` (rows of `nearest` hold `k`, the widest): its
  /// positives are uniform among its nearest `s`; `hardNegatives` of its negatives are
  /// uniform among the ranks just past them, `s ..< min(10·s, k)`, so that every pair
  /// orders a nearer neighbour above a farther one at that scale, and the rest uniform over
  /// the set (all of them at the widest scale). With 10, 100 and 1,000 the 10 nearest are
  /// drawn more often than the 1,000th, as every K a user searches for wants.
  static func samplePlan(
    steps: Int, anchors: Int, pairs: Int, nearest: [Int32], k: Int, scales: [Int], anchorRows: [Int], count n: Int,
    hardNegatives: Int = 0, widestShare: Double? = nil, generator: inout SeededGenerator
  ) -> [Int32] {
    func below(_ bound: Int) -> Int { min(Int(generator.uniform() * Double(bound)), bound - 1) }
    var plan: [Int32] = []
    plan.reserveCapacity(steps * anchors * (1 + 2 * pairs))
    for _ in 0..<steps {
      // Anchors are rows with neighbour lists: `nearest`'s row `a` is row `anchorRows[a]`'s.
      let chosen = (0..<anchors).map { _ in below(anchorRows.count) }
      plan += chosen.map { Int32(anchorRows[$0]) }
      // Without hard negatives, or with one scale (no ranks past it in the lists), the plan
      // the stage always drew: a scale a positive, the negatives after every anchor's.
      guard hardNegatives > 0 && scales.count > 1 else {
        for anchor in chosen {
          for _ in 0..<pairs {
            let scale = scales.count == 1 ? scales[0] : scales[below(scales.count)]
            plan.append(nearest[anchor * k + below(scale)])
          }
        }
        for _ in 0..<(anchors * pairs) { plan.append(Int32(below(n))) }
        continue
      }
      var negatives: [Int32] = []
      negatives.reserveCapacity(anchors * pairs)
      for anchor in chosen {
        let scale = scales[neighbourhood(widestShare: widestShare, of: scales.count, generator: &generator)]
        for _ in 0..<pairs { plan.append(nearest[anchor * k + below(scale)]) }
        let farthest = min(10 * scale, k)
        for pair in 0..<pairs {
          negatives.append(
            pair < hardNegatives && farthest > scale
              ? nearest[anchor * k + scale + below(farthest - scale)] : Int32(below(n)))
        }
      }
      plan += negatives
    }
    return plan
  }

  /// Which of `count` neighbourhoods (narrowest first) serves an anchor: the widest with
  /// probability `widestShare`, each other one with an equal part of the rest; all alike
  /// without a share. One uniform draw either way.
  static func neighbourhood(widestShare: Double?, of count: Int, generator: inout SeededGenerator) -> Int {
    let u = generator.uniform()
    guard let widestShare, count > 1 else { return min(Int(u * Double(count)), count - 1) }
    let others = 1 - widestShare
    guard u < others else { return count - 1 }
    return min(Int(u / others * Double(count - 1)), count - 2)
  }
}
