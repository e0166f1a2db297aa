// Repeated timing: warm-up runs excluded, min / median / max of the counted runs.

import Foundation

public struct Timing: Sendable, Codable, Equatable {
  public var runs: Int
  public var minimum: Double
  public var median: Double
  public var maximum: Double

  /// Times `body` `runs` times after `warmup` untimed runs. Seconds.
  public static func measure(runs: Int = 5, warmup: Int = 1, _ body: () throws -> Void) rethrows -> Timing {
    for _ in 0..<warmup { try body() }
    var seconds: [Double] = []
    for _ in 0..<max(runs, 1) {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    seconds.sort()
    return Timing(
      runs: seconds.count, minimum: seconds[0], median: seconds[seconds.count / 2], maximum: seconds[seconds.count - 1])
  }
}

/// A throughput: `work` units per timed run, as rates at the fastest and median run.
/// Its JSON holds the rates themselves (`perSecond`, `bestPerSecond`) beside the work and
/// the timing in seconds, so that `bench --json`'s keys hold what they name.
public struct Rate: Sendable, Codable, Equatable {
  public var work: Double
  public var timing: Timing
  /// Units per second at the median run.
  public var median: Double { work / timing.median }
  /// Units per second at the fastest run.
  public var best: Double { work / timing.minimum }

  public init(work: Double, timing: Timing) {
    (self.work, self.timing) = (work, timing)
  }

  enum CodingKeys: String, CodingKey {
    case perSecond, bestPerSecond, work, seconds
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    work = try container.decode(Double.self, forKey: .work)
    timing = try container.decode(Timing.self, forKey: .seconds)
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(median, forKey: .perSecond)
    try container.encode(best, forKey: .bestPerSecond)
    try container.encode(work, forKey: .work)
    try container.encode(timing, forKey: .seconds)
  }
}
