// Progress for long work: on a terminal, one self-rewriting line with a bar, rate and
// ETA on standard error; otherwise (or with --quiet) nothing but the command's status lines,
// which go to standard error too (Console).

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
    FileHandle.standardError.write(Data(("\r" + status(done: done, elapsed: now.timeIntervalSince(started))).utf8))
  }

  /// The progress line after `elapsed` seconds with `done` of the total finished.
  func status(done: Int, elapsed: Double) -> String {
    let fraction = min(Double(done) / Double(total), 1)
    // A rate over the first instants of a run (one batch in microseconds) means nothing:
    // none is shown before half a second has passed.
    let rate = elapsed >= 0.5 ? Double(done) / elapsed : nil
    let width = 24
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let speed = rate.map {
      String(format: "%.0f %@/s, ETA %@", $0, unit, Self.duration(Double(total - done) / max($0, 1e-9)))
    }
    return String(
      format: "%@ [%@] %3.0f%% %d/%d %@, %@ ", label, bar, fraction * 100, done, total, unit,
      speed ?? "measuring rate")
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

/// Status lines on standard error unless quiet, unbuffered, so they show at once in a
/// pipe too; standard output holds only what a command was asked for.
struct Console {
  let quiet: Bool

  func line(_ text: String) {
    if !quiet { FileHandle.standardError.write(Data((text + "\n").utf8)) }
  }
}
