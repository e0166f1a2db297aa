// The temporary files a command has open right now (AtomicFile's), so that a terminating
// signal (`TemporaryFiles.signals`) can remove them: a killed write leaves no hidden file. The paths live in a fixed
// C buffer that the signal handler only reads, calling nothing but unlink, signal and
// raise (async-signal-safe), whichever thread the signal lands on (OpenBLAS's own too).

import Foundation

public enum TemporaryFiles {
  private static let slots = 16
  private static let length = Int(PATH_MAX)
  nonisolated(unsafe) private static let paths: UnsafeMutablePointer<CChar> = {
    let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: slots * length)
    buffer.initialize(repeating: 0, count: slots * length)
    return buffer
  }()
  private static let lock = NSLock()

  /// Creates a new file, `name(random suffix)`, exclusively (O_EXCL | O_NOFOLLOW: no
  /// file or symbolic link planted under a guessed name is written through) with `mode`
  /// less the umask, listed before it exists so that no signal finds it made and unlisted.
  /// Nil, with errno set, when it cannot be created.
  static func createExclusive(mode: mode_t, name: (String) -> String) -> (path: String, descriptor: Int32, slot: Int?)?
  {
    for _ in 0..<16 {
      let path = name(String(UInt64.random(in: 0...UInt64.max), radix: 36))
      let slot = add(path)
      let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
      if descriptor >= 0 { return (path, descriptor, slot) }
      let reason = errno
      remove(slot)
      errno = reason
      if reason != EEXIST { return nil }
    }
    return nil
  }

  /// Lists `path`; returns its slot, or nil when it cannot be listed (the write goes on).
  static func add(_ path: String) -> Int? {
    let bytes = Array(path.utf8CString)
    guard bytes.count <= length else { return nil }
    return lock.withLock {
      guard let slot = (0..<slots).first(where: { paths[$0 * length] == 0 }) else { return nil }
      // The terminating 0 last, so the handler never sees a path without its end.
      bytes.withUnsafeBufferPointer { source in
        (paths + slot * length + 1).update(from: source.baseAddress! + 1, count: bytes.count - 1)
      }
      paths[slot * length] = bytes[0]
      return slot
    }
  }

  static func remove(_ slot: Int?) {
    guard let slot else { return }
    lock.withLock { paths[slot * length] = 0 }
  }

  /// Every catchable signal whose default action ends the process without a core dump.
  public static let signals = [SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGXFSZ]

  /// Installs the handlers of `signals`: remove the listed files, then end the process as
  /// the signal would have.
  public static func removeOnSignals() {
    // The handler must find the buffer made: a signal during its lazy creation would
    // otherwise wait forever inside the one-time initialiser it interrupted.
    _ = (paths, slots, length)
    // A parent may start us with these signals blocked (Foundation's Process does): a
    // blocked SIGTERM would wait until the command ends.
    var blocked = sigset_t()
    sigemptyset(&blocked)
    for number in signals { sigaddset(&blocked, number) }
    pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
    for number in signals {
      signal(number) { received in
        for slot in 0..<TemporaryFiles.slots where TemporaryFiles.paths[slot * TemporaryFiles.length] != 0 {
          unlink(TemporaryFiles.paths + slot * TemporaryFiles.length)
        }
        signal(received, SIG_DFL)
        raise(received)
      }
    }
  }
}
