// Progress for long work: on a terminal, one self-rewriting line with a bar, rate and
// ETA on standard error; otherwise (or with --quiet) nothing but the command's own lines.

import Foundation

final class Progress {
  private let label: String
  private let total: Int
  private let unit: String
  private let enabled: Bool
  private let started = Date()
  private var lastDraw = Date.distantPast

  /// Whether standard error is a terminal.
  static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

  init(_ label: String, total: Int, unit: String, quiet: Bool) {
    self.label = label
    self.total = max(total, 1)
    self.unit = unit
    enabled = !quiet && Self.isTerminal
  }

  func update(_ done: Int) {
    guard enabled else { return }
    let now = Date()
    guard done >= total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    let elapsed = now.timeIntervalSince(started)
    let fraction = min(Double(done) / Double(total), 1)
    let rate = elapsed > 0 ? Double(done) / elapsed : 0
    let eta = rate > 0 ? Double(total - done) / rate : 0
    let width = 24
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let line = String(
      format: "\r%@ [%@] %3.0f%% %d/%d %@, %.0f %@/s, ETA %@ ", label, bar, fraction * 100, done, total, unit, rate,
      unit, Self.duration(eta))
    FileHandle.standardError.write(Data(line.utf8))
  }

  /// Clears the line when done.
  func finish() {
    guard enabled else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }

  static func duration(_ seconds: Double) -> String {
    seconds >= 3600
      ? String(format: "%dh%02dm", Int(seconds) / 3600, Int(seconds) % 3600 / 60)
      : seconds >= 60
        ? String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60) : String(format: "%.0fs", seconds)
  }
}

/// Prints a line unless quiet, unbuffered, so progress shows at once in a pipe too
/// (`sigah train … | tee log`).
struct Console {
  let quiet: Bool

  func line(_ text: String) {
    if !quiet { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
  }
}
