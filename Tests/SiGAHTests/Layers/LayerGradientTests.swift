// Every layer and loss of Sources/SiGAH/Layers against central finite differences, through
// one harness: a case runs forward and backward at a point and returns the loss and the
// analytic gradient; the harness moves each coordinate by ±h and compares.
//
// Float32 differences with h = 1e-3 carry about 2⁻²⁴·|L|/h ≈ 1e-4·|L| of rounding per
// entry, so a whole gradient is held to ‖fd − analytic‖ ≤ 2e-2·‖analytic‖; a missing
// factor or sign gives ≥ 0.5.

import Backend
import Testing

@testable import SiGAH

struct GradientCase: CustomStringConvertible, Sendable {
  let description: String
  let point: [Float]
  /// Loss and gradient at `x`, computed on `backend`.
  let evaluate: @Sendable (_ backend: CPUBackend, _ x: [Float]) throws -> (loss: Double, gradient: [Float])
}

enum GradientCases {
  static let (n, d) = (6, 5)

  static func gaussians(_ count: Int, seed: UInt64, scale: Double = 1) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return generator.gaussians(count: count, standardDeviation: scale)
  }

  static func accumulator(_ backend: CPUBackend) throws -> (LossAccumulator, LossSlot) {
    let accumulator = try LossAccumulator(names: ["loss"], backend: backend)
    return (accumulator, LossSlot(accumulator, "loss"))
  }

  static func total(_ accumulator: LossAccumulator, rows: Int) throws -> Double {
    try accumulator.read(rows: rows)[0].value
  }

  /// An MLP's gradient with respect to its input or its parameters, under `L = Σ c⊙Y`.
  static func mlp(_ activations: [Activation], parameters: Bool) -> GradientCase {
    let specs = activations.enumerated().map { LayerSpec([4, 3, 5][$0.offset % 3], $0.element) }
    var generator = SeededGenerator(seed: 3)
    let inits = MLP.parameters(prefix: "m", inputs: d, layers: specs, generator: &generator)
      .map {
        TensorInit(
          name: $0.name, shape: $0.shape,
          values: $0.decays ? $0.values : gaussians($0.values.count, seed: 9, scale: 0.3), decays: $0.decays)
      }
    let input = gaussians(n * d, seed: 4)
    let weights = gaussians(n * specs.last!.outputs, seed: 5)
    let parameterCount = inits.reduce(0) { $0 + $1.values.count }
    return GradientCase(
      description: "MLP \(activations) w.r.t. \(parameters ? "parameters" : "input")",
      point: parameters ? inits.flatMap(\.values) : input,
      evaluate: { backend, x in
        var offset = 0
        let values =
          parameters
          ? inits.map { tensor in
            defer { offset += tensor.values.count }
            return TensorInit(
              name: tensor.name, shape: tensor.shape, values: Array(x[offset..<(offset + tensor.values.count)]),
              decays: tensor.decays)
          } : inits
        let block = try ParameterBlock(values, on: backend)
        let mlp = try MLP(prefix: "m", inputs: d, layers: specs, block: block, capacity: n, backend: backend)
        let inputBuffer = try backend.makeBuffer(parameters ? input : x)
        try mlp.forward(inputBuffer, rows: n)
        let out = try backend.download(mlp.output, count: n * mlp.outputs)
        let loss = zip(out, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        try backend.upload(weights, to: mlp.outputGradient)
        let inputGradient = try backend.makeBuffer(Float.self, count: n * d)
        try mlp.backward(input: inputBuffer, rows: n, inputGradient: inputGradient)
        if parameters {
          let gradients = block.tensors
          // Back in the order of `inits` (the block puts weights first).
          let byName = Dictionary(
            uniqueKeysWithValues: try gradients.map { ($0.name, try backend.download($0.gradient)) })
          let flat = inits.flatMap { byName[$0.name]! }
          precondition(flat.count == parameterCount)
          return (loss, flat)
        }
        return (loss, try backend.download(inputGradient))
      })
  }

  static func all() -> [GradientCase] {
    var cases = [
      mlp([.leakyReLU(slope: 0.2), .tanh, .identity], parameters: false),
      mlp([.leakyReLU(slope: 0.2), .tanh, .identity], parameters: true),
      mlp([.selu, .sigmoid], parameters: true),
      mlp([.relu, .selu, .sigmoid], parameters: false),
    ]
    let target = gaussians(n * d, seed: 21)
    cases.append(
      GradientCase(description: "SquaredError", point: gaussians(n * d, seed: 20)) { backend, x in
        let (accumulator, slot) = try accumulator(backend)
        let gradient = try backend.makeBuffer(Float.self, count: n * d)
        try SquaredError(capacity: n * d, backend: backend).apply(
          try backend.makeBuffer(x), try backend.makeBuffer(target), rows: n, columns: d, weight: 0.7, slot: slot,
          gradientA: gradient)
        return (try total(accumulator, rows: n), try backend.download(gradient))
      })
    let probabilities = gaussians(n * d, seed: 22).map { $0 > 0 ? Float(1) : 0 }
    for constant in [nil, Float(1), 0] {
      cases.append(
        GradientCase(
          description: "BinaryCrossEntropy target \(constant.map { "\($0)" } ?? "per element")",
          point: gaussians(n * d, seed: 23, scale: 2)
        ) { backend, x in
          let (accumulator, slot) = try accumulator(backend)
          let gradient = try backend.makeBuffer(Float.self, count: n * d)
          let loss = try BinaryCrossEntropy(capacity: n * d, backend: backend)
          if let constant {
            try loss.apply(
              logits: try backend.makeBuffer(x), target: constant, rows: n, columns: d, weight: 1.3, slot: slot,
              gradient: gradient)
          } else {
            try loss.apply(
              logits: try backend.makeBuffer(x), targets: try backend.makeBuffer(probabilities), rows: n, columns: d,
              weight: 1.3, slot: slot, gradient: gradient)
          }
          return (try total(accumulator, rows: n), try backend.download(gradient))
        })
    }
    cases.append(
      GradientCase(description: "BitEntropy minimum entropy", point: gaussians(n * d, seed: 24, scale: 2)) {
        backend, x in
        let (accumulator, slot) = try accumulator(backend)
        let gradient = try backend.makeBuffer(Float.self, count: n * d)
        try BitEntropy(capacity: n, bits: d, backend: backend).minimumEntropy(
          logits: try backend.makeBuffer(x), rows: n, weight: 0.9, slot: slot, gradient: gradient)
        return (try total(accumulator, rows: n), try backend.download(gradient))
      })
    cases.append(
      GradientCase(description: "BitEntropy uniform frequency", point: gaussians(n * d, seed: 25, scale: 2)) {
        backend, x in
        let (accumulator, slot) = try accumulator(backend)
        let gradient = try backend.makeBuffer(Float.self, count: n * d)
        try BitEntropy(capacity: n, bits: d, backend: backend).uniformFrequency(
          logits: try backend.makeBuffer(x), rows: n, weight: 1.1, slot: slot, gradient: gradient)
        return (try total(accumulator, rows: n), try backend.download(gradient))
      })
    let real = gaussians(4 * d, seed: 26)
    cases.append(
      GradientCase(description: "FeatureMatching", point: gaussians(n * d, seed: 27)) { backend, x in
        let (accumulator, slot) = try accumulator(backend)
        let gradient = try backend.makeBuffer(Float.self, count: n * d)
        try FeatureMatching(features: d, backend: backend).apply(
          real: try backend.makeBuffer(real), realRows: 4, fake: try backend.makeBuffer(x), fakeRows: n, weight: 0.8,
          slot: slot, fakeGradient: gradient)
        return (try total(accumulator, rows: n), try backend.download(gradient))
      })
    cases.append(
      GradientCase(description: "Orthogonality", point: gaussians(3 * d, seed: 28, scale: 0.5)) { backend, x in
        let (accumulator, slot) = try accumulator(backend)
        let block = try ParameterBlock([TensorInit(name: "W", shape: [3, d], values: x, decays: true)], on: backend)
        let weight = block.tensor("W")
        try backend.fill(weight.gradient, value: 0, count: 3 * d)
        try Orthogonality(rows: 3, backend: backend).apply(weight, weight: 0.6, batchRows: 2, slot: slot)
        return (try total(accumulator, rows: 2), try backend.download(weight.gradient))
      })
    let sampled = gaussians(n * d, seed: 29).map { $0 > 0 ? Float(1) : 0 }
    cases.append(
      GradientCase(description: "VarianceMatching", point: gaussians(n * d, seed: 30, scale: 0.4)) { backend, x in
        let (accumulator, slot) = try accumulator(backend)
        let gradient = try backend.makeBuffer(Float.self, count: n * d)
        try VarianceMatching(capacity: n * d, backend: backend).apply(
          codes: try backend.makeBuffer(x), sampled: try backend.makeBuffer(sampled), rows: n, bits: d, weight: 50,
          slot: slot, gradient: gradient)
        return (try total(accumulator, rows: n), try backend.download(gradient))
      })
    // Scores kept away from the hinge's kink at y·s = 1, where the derivative jumps.
    let labels = gaussians(n * d, seed: 31).map { $0 > 0 ? Float(1) : -1 }
    let scores = gaussians(n * d, seed: 32, scale: 1.5).map { abs($0 - 1) < 0.1 ? $0 + 0.3 : $0 }
    cases.append(
      GradientCase(description: "Hinge", point: scores) { backend, x in
        let (accumulator, slot) = try accumulator(backend)
        let gradient = try backend.makeBuffer(Float.self, count: n * d)
        try Hinge(capacity: n * d, backend: backend).apply(
          scores: try backend.makeBuffer(x), labels: try backend.makeBuffer(labels), rows: n, columns: d, weight: 1.7,
          slot: slot, gradient: gradient)
        return (try total(accumulator, rows: n), try backend.download(gradient))
      })
    cases.append(residualBranch())
    return cases
  }

  /// The ranking residual `Z = X·Wᵀ + relu(X·Vᵀ + v)·Uᵀ` w.r.t. `V`, `v` and `U`, under
  /// `L = Σ c⊙Z`.
  static func residualBranch() -> GradientCase {
    let (units, outputs) = (4, 3)
    let input = gaussians(n * d, seed: 33)
    let weights = gaussians(n * outputs, seed: 34)
    let skip = gaussians(outputs * d, seed: 35)
    let shapes = [("V", [units, d]), ("v", [units]), ("U", [outputs, units])]
    return GradientCase(
      description: "ResidualBranch w.r.t. V, v and U",
      point: gaussians(units * d + units + outputs * units, seed: 36, scale: 0.7)
    ) { backend, x in
      var offset = 0
      let inits = shapes.map { name, shape in
        let count = shape.reduce(1, *)
        defer { offset += count }
        return TensorInit(name: name, shape: shape, values: Array(x[offset..<(offset + count)]), decays: true)
      }
      let block = try ParameterBlock(inits, on: backend)
      let branch = try ResidualBranch(
        hiddenWeight: block.tensor("V"), hiddenBias: block.tensor("v"), outputWeight: block.tensor("U"), capacity: n,
        backend: backend)
      let inputBuffer = try backend.makeBuffer(input)
      let z = try backend.makeBuffer(Float.self, count: n * outputs)
      try backend.gemm(
        inputBuffer, transposeA: false, try backend.makeBuffer(skip), transposeB: true, into: z, m: n, n: outputs,
        k: d, alpha: 1, beta: 0, epilogue: .none)
      try branch.forward(inputBuffer, rows: n, addingTo: z)
      let loss = zip(try backend.download(z), weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
      try branch.backward(input: inputBuffer, preActivationGradient: try backend.makeBuffer(weights), rows: n)
      let gradients = try shapes.map { name, _ in try backend.download(block.tensor(name).gradient) }
      return (loss, gradients.flatMap { $0 })
    }
  }
}

struct LayerGradientTests {
  @Test(arguments: GradientCases.all())
  func gradientMatchesFiniteDifferences(_ testCase: GradientCase) throws {
    let backend = try CPUBackend(threads: 1)
    let (_, analytic) = try testCase.evaluate(backend, testCase.point)
    #expect(analytic.count == testCase.point.count)
    let h: Float = 1e-3
    var squaredError = 0.0
    var squaredNorm = 0.0
    for i in testCase.point.indices {
      var (plus, minus) = (testCase.point, testCase.point)
      plus[i] += h
      minus[i] -= h
      let numeric =
        (try testCase.evaluate(backend, plus).loss - testCase.evaluate(backend, minus).loss) / (2 * Double(h))
      squaredError += (numeric - Double(analytic[i])) * (numeric - Double(analytic[i]))
      squaredNorm += Double(analytic[i]) * Double(analytic[i])
    }
    #expect(squaredNorm > 1e-6, "a gradient that is zero everywhere tests nothing")
    #expect(squaredError.squareRoot() <= 2e-2 * squaredNorm.squareRoot(), "\(testCase)")
  }
}
