// Calls every backend must reject before doing any work: zero sizes, short buffers,
// bits out of range, k out of range, buffers of another backend. Each names the error
// it expects, so tests and `sigah check` hold every backend to the same words.

import Backend

public struct MisuseCase: Sendable {
  public let name: String
  /// Makes the bad call on `backend`; `foreign` is a buffer of another backend.
  public let call: @Sendable (any Backend, DeviceBuffer<Float>) throws -> Void
  /// The error the call must throw.
  public let expected: BackendError
}

public enum MisuseSuite {
  public static func cases() -> [MisuseCase] {
    [
      MisuseCase(
        name: "gemm with m = 0",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 4)
          try backend.gemm(x, transposeA: false, x, transposeB: false, into: x, m: 0, n: 2, k: 2, alpha: 1, beta: 0)
        },
        expected: .invalidArgument(operation: "gemm", message: "m must be at least 1, got 0")),
      MisuseCase(
        name: "gemm with a short B",
        call: { backend, _ in
          let a = try backend.makeBuffer(Float.self, count: 6)
          let b = try backend.makeBuffer(Float.self, count: 5)
          let c = try backend.makeBuffer(Float.self, count: 4)
          try backend.gemm(a, transposeA: false, b, transposeB: true, into: c, m: 2, n: 2, k: 3, alpha: 1, beta: 0)
        },
        expected: .bufferTooSmall(operation: "gemm", argument: "B", needed: 6, actual: 5)),
      MisuseCase(
        name: "upload past the end",
        call: { backend, _ in
          try backend.upload([1, 2, 3] as [Float], to: try backend.makeBuffer(Float.self, count: 3), offset: 1)
        },
        expected: .bufferTooSmall(operation: "upload", argument: "destination", needed: 4, actual: 3)),
      MisuseCase(
        name: "download with a negative offset",
        call: { backend, _ in
          _ = try backend.download(try backend.makeBuffer(Float.self, count: 3), offset: -1, count: 1)
        },
        expected: .invalidArgument(
          operation: "download", message: "offset and count must not be negative, got offset -1 and count 1")),
      MisuseCase(
        name: "makeBuffer of zero elements",
        call: { backend, _ in _ = try backend.makeBuffer(Float.self, count: 0) },
        expected: .invalidArgument(operation: "makeBuffer", message: "count must be at least 1, got 0")),
      MisuseCase(
        name: "addRowVector with a short vector",
        call: { backend, _ in
          let m = try backend.makeBuffer(Float.self, count: 12)
          try backend.addRowVector(try backend.makeBuffer(Float.self, count: 3), to: m, rows: 3, columns: 4)
        },
        expected: .bufferTooSmall(operation: "addRowVector", argument: "vector", needed: 4, actual: 3)),
      MisuseCase(
        name: "signPack with 4097 bits",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 4097)
          try backend.signPack(x, rows: 1, bits: 4097, into: try backend.makeBuffer(UInt64.self, count: 65))
        },
        expected: .invalidArgument(operation: "signPack", message: "bits must be between 1 and 4096, got 4097")),
      MisuseCase(
        name: "hammingTopK with k above the database size",
        call: { backend, _ in
          let codes = try backend.makeBuffer(UInt64.self, count: 4)
          _ = try backend.hammingTopK(queries: codes, queryCount: 1, database: codes, databaseCount: 4, bits: 64, k: 5)
        },
        expected: .invalidArgument(
          operation: "hammingTopK", message: "k must be between 1 and the database size 4, got 5")),
      MisuseCase(
        name: "hammingWithin with a negative radius",
        call: { backend, _ in
          let codes = try backend.makeBuffer(UInt64.self, count: 4)
          _ = try backend.hammingWithin(
            queries: codes, queryCount: 1, database: codes, databaseCount: 4, bits: 64, radius: -1)
        },
        expected: .invalidArgument(operation: "hammingWithin", message: "radius must be at least 0, got -1")),
      MisuseCase(
        name: "hammingDistances with a short database",
        call: { backend, _ in
          let codes = try backend.makeBuffer(UInt64.self, count: 3)
          let out = try backend.makeBuffer(Int32.self, count: 8)
          try backend.hammingDistances(
            queries: codes, queryCount: 1, database: codes, databaseCount: 2, bits: 100, into: out)
        },
        expected: .bufferTooSmall(operation: "hammingDistances", argument: "database", needed: 4, actual: 3)),
      MisuseCase(
        name: "adamUpdate at step 0",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 2)
          try backend.adamUpdate(
            parameters: x, gradients: x, firstMoment: x, secondMoment: x, count: 2,
            step: AdamStep(learningRate: 0.1, step: 0))
        },
        expected: .invalidArgument(operation: "adamUpdate", message: "step must be at least 1, got 0")),
      MisuseCase(
        name: "gatedAdamUpdate with a corrections table shorter than its steps",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 2)
          let gate = AdamGate(
            schedule: try backend.makeBuffer([1, 1] as [Int32]), slot: 0, corrections: try backend.makeBuffer([1, 1]))
          try backend.gatedAdamUpdate(
            parameters: x, gradients: x, firstMoment: x, secondMoment: x, count: 2,
            step: AdamStep(learningRate: 0.1, step: 2), gate: gate)
        },
        expected: .bufferTooSmall(operation: "gatedAdamUpdate", argument: "corrections", needed: 4, actual: 2)),
      MisuseCase(
        name: "scoreGate past the schedule's end",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 4)
          try backend.scoreGate(
            x, offset: 0, count: 4, threshold: 0.5, schedule: try backend.makeBuffer([0, 0] as [Int32]), slot: 1)
        },
        expected: .bufferTooSmall(operation: "scoreGate", argument: "schedule", needed: 4, actual: 2)),
      MisuseCase(
        name: "flipCodeBits past the codes' end",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 16)
          try backend.flipCodeBits(
            x, firstRow: 3, rows: 2, bits: 4, projections: x, shift: x, scores: x, gram: x, penalty: 1, passes: 1,
            flips: x, mismatches: x)
        },
        expected: .bufferTooSmall(operation: "flipCodeBits", argument: "codes", needed: 20, actual: 16)),
      MisuseCase(
        name: "flipCodeBits with codes past its longest",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 4)
          try backend.flipCodeBits(
            x, firstRow: 0, rows: 1, bits: maximumCodeStepBits + 1, projections: x, shift: x, scores: x, gram: x,
            penalty: 1, passes: 1, flips: x, mismatches: x)
        },
        expected: .invalidArgument(
          operation: "flipCodeBits",
          message: "bits must be between 1 and \(maximumCodeStepBits), got \(maximumCodeStepBits + 1)")),
      MisuseCase(
        name: "choleskySolve with a short right-hand side",
        call: { backend, _ in
          try backend.choleskySolve(
            try backend.makeBuffer(Float.self, count: 9), order: 3, relativeRidge: 0,
            rightHandSides: try backend.makeBuffer(Float.self, count: 5), columns: 2)
        },
        expected: .bufferTooSmall(operation: "choleskySolve", argument: "rightHandSides", needed: 6, actual: 5)),
      MisuseCase(
        name: "choleskySolve with a negative ridge",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 4)
          try backend.choleskySolve(
            x, order: 1, relativeRidge: -1, rightHandSides: try backend.makeBuffer([1]), columns: 1)
        },
        expected: .invalidArgument(
          operation: "choleskySolve", message: "relativeRidge must be finite and not negative, got -1.0")),
      MisuseCase(
        name: "projectSignPack with more rows than its workspace",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 64)
          let workspace = SignProjectionWorkspace(
            rows: 2, centred: x, projections: x, codes: try backend.makeBuffer(UInt64.self, count: 2),
            identity: try backend.makeBuffer([0, 1, 2, 3] as [Int32]))
          try backend.projectSignPack(
            x, rows: 4, columns: 2, subtracting: nil, transposedProjection: x, offset: x, bits: 3,
            into: try backend.makeBuffer(UInt64.self, count: 4), workspace: workspace)
        },
        expected: .invalidArgument(operation: "projectSignPack", message: "4 rows exceed the workspace's 2")),
      MisuseCase(
        name: "projectSignPack with an addend shorter than its rows' bits",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 64)
          let workspace = SignProjectionWorkspace(
            rows: 4, centred: x, projections: x, codes: try backend.makeBuffer(UInt64.self, count: 4),
            identity: try backend.makeBuffer([0, 1, 2, 3] as [Int32]))
          try backend.projectSignPack(
            x, rows: 4, columns: 2, subtracting: nil, transposedProjection: x,
            adding: try backend.makeBuffer(Float.self, count: 11), offset: x, bits: 3,
            into: try backend.makeBuffer(UInt64.self, count: 4), workspace: workspace)
        },
        expected: .bufferTooSmall(operation: "projectSignPack", argument: "addend", needed: 12, actual: 11)),
      MisuseCase(
        name: "projectSignPack centring without a workspace to centre in",
        call: { backend, _ in
          let x = try backend.makeBuffer(Float.self, count: 64)
          let workspace = SignProjectionWorkspace(
            rows: 4, projections: x, codes: try backend.makeBuffer(UInt64.self, count: 4))
          try backend.projectSignPack(
            x, rows: 4, columns: 2, subtracting: x, transposedProjection: x, offset: x, bits: 3,
            into: try backend.makeBuffer(UInt64.self, count: 4), workspace: workspace)
        },
        expected: .invalidArgument(
          operation: "projectSignPack",
          message: "centring rows or starting past row 0 needs workspace.centred and .identity")),
      MisuseCase(
        name: "a buffer of another backend",
        call: { backend, foreign in
          try backend.map(.abs, foreign, into: foreign, count: 1)
        },
        expected: .foreignBuffer(operation: "map", argument: "x")),
    ]
  }
}
