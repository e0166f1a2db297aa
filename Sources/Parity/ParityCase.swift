// A parity case: one backend operation on fixed inputs, its expected output in Float64,
// and the tolerance it is held to. The same cases test the CPU backend against the
// Float64 reference and every other backend against the CPU one.

import Backend

public struct ParityCase: Sendable {
  /// The Backend operation, e.g. "gemm".
  public let operation: String
  /// The shape and options, e.g. "93×7·500, Aᵀ B".
  public let shape: String
  /// Largest allowed error, relative to the largest magnitude of the expected output.
  /// 0 means the outputs must be equal (packed codes, distances, ids).
  public let tolerance: Double
  /// Runs the operation on a backend and returns its output as Float64.
  public let run: @Sendable (any Backend) throws -> [Double]
  /// The output computed in Float64 by `Reference`.
  public let reference: @Sendable () -> [Double]

  public var name: String { "\(operation) \(shape)" }
}

/// How one case went.
public struct ParityResult: Sendable, CustomStringConvertible {
  public let operation: String
  public let shape: String
  /// Largest error, relative as the tolerance is (absolute count of mismatches when exact).
  public let error: Double
  public let tolerance: Double
  public let passed: Bool

  public var description: String {
    let bound = tolerance == 0 ? "exact" : "≤ \(tolerance)"
    return "\(passed ? "pass" : "FAIL")  \(operation) \(shape): error \(error) (\(bound))"
  }
}

extension ParityCase {
  /// Compares `backend` with the Float64 reference.
  public func check(_ backend: any Backend) throws -> ParityResult {
    result(got: try run(backend), expected: reference())
  }

  /// Compares `backend` with `oracle` (the CPU backend) on the same inputs.
  public func check(_ backend: any Backend, against oracle: any Backend) throws -> ParityResult {
    result(got: try run(backend), expected: try run(oracle))
  }

  func result(got: [Double], expected: [Double]) -> ParityResult {
    guard got.count == expected.count else {
      return ParityResult(
        operation: operation, shape: shape, error: .infinity, tolerance: tolerance, passed: false)
    }
    if tolerance == 0 {
      let mismatches = zip(got, expected).filter { $0 != $1 }.count
      return ParityResult(
        operation: operation, shape: shape, error: Double(mismatches), tolerance: 0,
        passed: mismatches == 0)
    }
    let scale = max(expected.map(abs).max() ?? 0, .leastNormalMagnitude)
    var worst = 0.0
    for (x, y) in zip(got, expected) {
      // NaN anywhere is a failure, never a pass by comparison.
      let error = x.isNaN || y.isNaN ? .infinity : abs(x - y) / scale
      worst = max(worst, error)
    }
    return ParityResult(
      operation: operation, shape: shape, error: worst, tolerance: tolerance,
      passed: worst <= tolerance)
  }
}
