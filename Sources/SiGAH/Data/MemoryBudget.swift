// What one allocation of a reader may take: half the memory the process may use (the
// machine's, or `ulimit -v` when lower), so that a file too large for the machine (or a
// gzip stream that inflates past it) is an error naming it, not Swift's "failed to allocate".

import Foundation

public enum MemoryBudget {
  /// Bytes the process may use: physical memory, or the address-space limit when lower.
  public static var total: Int {
    var limit = rlimit()
    let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
    guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else {
      return physical
    }
    return min(physical, Int(clamping: limit.rlim_cur))
  }

  /// The most one reader's allocation may take.
  public static var largestAllocation: Int { total / 2 }

  /// Throws, naming `file` and what the bytes are for, when `bytes` exceed the budget.
  static func require(_ bytes: Int, for file: String, position: String = "", _ what: String) throws {
    guard bytes > largestAllocation else { return }
    let gib = { (bytes: Int) in String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) }
    throw DataError(
      file: file, position: position,
      "\(what) would take \(gib(bytes)), more than the \(gib(largestAllocation)) one allocation may use here "
        + "(half of \(gib(total)): the machine's memory or `ulimit -v`)")
  }
}
