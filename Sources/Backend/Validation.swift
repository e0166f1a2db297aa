// Argument checks shared by every backend, so both reject the same calls with the same words.

/// The largest code length the library supports (METHOD.md §4).
public let maximumCodeBits = 4096
/// The most positives (and negatives) an anchor may have in `rankingPairLoss` (the
/// kernel keeps them in private arrays of this size).
public let maximumRankingPairs = 32

/// The longest code `flipCodeBits` takes (its kernel keeps a row's code, `Gz` and target
/// in local memory: 12 KB at this length).
public let maximumCodeStepBits = 1024

/// 64-bit words a packed code of `bits` bits occupies.
public func codeWords(bits: Int) -> Int { (bits + 63) / 64 }

package enum Validate {
  package static func positive(_ operation: String, _ name: String, _ value: Int) throws {
    guard value > 0 else {
      throw BackendError.invalidArgument(
        operation: operation, message: "\(name) must be at least 1, got \(value)")
    }
  }

  package static func fits<T>(
    _ operation: String, _ name: String, _ buffer: DeviceBuffer<T>, needs needed: Int
  ) throws {
    guard buffer.count >= needed else {
      throw BackendError.bufferTooSmall(
        operation: operation, argument: name, needed: needed, actual: buffer.count)
    }
  }

  package static func range<T>(
    _ operation: String, _ name: String, _ buffer: DeviceBuffer<T>, offset: Int, count: Int
  ) throws {
    guard offset >= 0, count >= 0 else {
      throw BackendError.invalidArgument(
        operation: operation,
        message: "offset and count must not be negative, got offset \(offset) and count \(count)")
    }
    try fits(operation, name, buffer, needs: offset + count)
  }

  package static func bits(_ operation: String, _ bits: Int) throws {
    guard (1...maximumCodeBits).contains(bits) else {
      throw BackendError.invalidArgument(
        operation: operation, message: "bits must be between 1 and \(maximumCodeBits), got \(bits)")
    }
  }

  /// A `rows × columns` operation: both sizes positive, then each `(name, buffer, needed)`
  /// long enough, in order — the checks of the broadcasts, reductions and distances.
  package static func shape(
    _ operation: String, rows: Int, columns: Int, _ buffers: [(String, DeviceBuffer<Float>, Int)]
  ) throws {
    try positive(operation, "rows", rows)
    try positive(operation, "columns", columns)
    for (name, buffer, needed) in buffers { try fits(operation, name, buffer, needs: needed) }
  }

  /// An element-wise operation over `count` elements of every named buffer.
  package static func elementwise(_ operation: String, _ buffers: [(String, DeviceBuffer<Float>)], count: Int) throws {
    try positive(operation, "count", count)
    for (name, buffer) in buffers { try fits(operation, name, buffer, needs: count) }
  }

  /// The checks of `signPack`.
  package static func signPack(
    _ x: DeviceBuffer<Float>, rows: Int, bits: Int, _ codes: DeviceBuffer<UInt64>
  ) throws {
    try positive("signPack", "rows", rows)
    try Validate.bits("signPack", bits)
    try fits("signPack", "x", x, needs: rows * bits)
    try fits("signPack", "codes", codes, needs: rows * codeWords(bits: bits))
  }

  /// The shape checks of `gemm`, identical on every backend.
  package static func gemm(
    _ a: DeviceBuffer<Float>, _ b: DeviceBuffer<Float>, _ c: DeviceBuffer<Float>,
    m: Int, n: Int, k: Int
  ) throws {
    try positive("gemm", "m", m)
    try positive("gemm", "n", n)
    try positive("gemm", "k", k)
    try fits("gemm", "A", a, needs: m * k)
    try fits("gemm", "B", b, needs: k * n)
    try fits("gemm", "C", c, needs: m * n)
  }

  /// The checks of both Hamming operations.
  package static func hamming(
    _ operation: String, _ queries: DeviceBuffer<UInt64>, _ queryCount: Int,
    _ database: DeviceBuffer<UInt64>, _ databaseCount: Int, _ bits: Int
  ) throws {
    try positive(operation, "queryCount", queryCount)
    try positive(operation, "databaseCount", databaseCount)
    try Validate.bits(operation, bits)
    let words = codeWords(bits: bits)
    try fits(operation, "queries", queries, needs: queryCount * words)
    try fits(operation, "database", database, needs: databaseCount * words)
  }

  package static func topK(_ k: Int, databaseCount: Int) throws {
    guard (1...databaseCount).contains(k) else {
      throw BackendError.invalidArgument(
        operation: "hammingTopK",
        message: "k must be between 1 and the database size \(databaseCount), got \(k)")
    }
  }

  /// The loss rows of a fused operation over `rows` rows.
  package static func lossRows(_ operation: String, _ loss: LossRows, rows: Int) throws {
    try range(operation, "loss", loss.buffer, offset: loss.offset, count: rows)
  }
}
