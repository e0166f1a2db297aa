// Loss terms summed on the device over the batches of an epoch, each times its batch's
// rows, and read once: nothing in a training step waits for the device (METHOD.md §3).

import Backend

public final class LossAccumulator {
  public let names: [String]
  let backend: any Backend
  let sums: DeviceBuffer<Float>

  public init(names: [String], backend: any Backend) throws {
    precondition(!names.isEmpty)
    self.names = names
    self.backend = backend
    sums = try backend.makeBuffer([Float](repeating: 0, count: names.count))
  }

  /// `sums[slot] += scale · reduce(values[0..<count])`.
  func add(_ slot: Int, _ values: DeviceBuffer<Float>, count: Int, _ reduction: RowReduction = .sum, scale: Float)
    throws
  {
    try backend.accumulate(values, count: count, reduction, scale: scale, into: sums, index: slot)
  }

  public func reset() throws { try backend.fill(sums, value: 0, count: names.count) }

  /// Each term's mean per row over the `rows` rows since `reset` (summed over the shares
  /// of a data-parallel run by `reduction`): one read.
  public func read(rows: Int, reduction: ShardReduction = .local) throws -> [LossTerm] {
    let values = reduction.sum(try backend.download(sums).map { Double($0) })
    return zip(names, values).map { LossTerm($0, $1 / Double(max(rows, 1))) }
  }

  /// The sums as they are, to `restore` after a step that must not count.
  func snapshot() throws -> [Float] { try backend.download(sums) }

  func restore(_ values: [Float]) throws { try backend.upload(values, to: sums) }
}

/// A loss term's mean per row, by the name its method gives it: what every learned
/// method reports an epoch (`EpochReport`).
public struct LossTerm: Sendable, Codable, Equatable {
  public var name: String
  public var value: Double

  public init(_ name: String, _ value: Double) { (self.name, self.value) = (name, value) }
}

/// Where a loss adds its value: an accumulator's slot, or nowhere.
public struct LossSlot {
  let accumulator: LossAccumulator?
  let index: Int

  public static var none: LossSlot { LossSlot(accumulator: nil, index: 0) }

  public init(_ accumulator: LossAccumulator, _ name: String) {
    guard let index = accumulator.names.firstIndex(of: name) else { preconditionFailure("no loss term \(name)") }
    self.accumulator = accumulator
    self.index = index
  }

  init(accumulator: LossAccumulator?, index: Int) {
    self.accumulator = accumulator
    self.index = index
  }

  func add(_ values: DeviceBuffer<Float>, count: Int, _ reduction: RowReduction = .sum, scale: Float) throws {
    try accumulator?.add(index, values, count: count, reduction, scale: scale)
  }
}
