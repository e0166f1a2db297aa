// Writes that never leave a half-written file: write beside the target, then rename. The
// temporary file is listed in TemporaryFiles while it exists, so that an interrupted
// command (SIGINT, SIGTERM) removes it too. Its name is unpredictable and it is created
// exclusively (O_EXCL | O_NOFOLLOW): a file or symbolic link planted under a guessed name
// is never written through.

import Foundation

public enum AtomicFile {
  /// Writes `data` to `path` through a temporary file in the same folder and a rename,
  /// so readers see the old file or the whole new one, never a part. `-` is standard
  /// output: every single-stream output of the command line takes it.
  public static func write(_ data: Data, to path: String) throws {
    if path == "-" {
      do {
        try writeWhole(data, to: STDOUT_FILENO, closing: false)
      } catch let failure as SystemFailure {
        throw DataError(file: "standard output", position: "", "the write failed: \(failure.reason)")
      }
      return
    }
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    // The final file keeps its permissions; a new one gets 0644 less the umask.
    var existing = stat()
    let mode = stat(url.path, &existing) == 0 ? mode_t(existing.st_mode & 0o7777) : nil
    var temporary = ""
    var created = false
    var listed: Int?
    defer { TemporaryFiles.remove(listed) }
    do {
      guard
        let file = TemporaryFiles.createExclusive(
          mode: 0o644,
          name: { folder.appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())-\($0)").path })
      else { throw SystemFailure() }
      (temporary, listed, created) = (file.path, file.slot, true)
      let descriptor = file.descriptor
      if let mode { fchmod(descriptor, mode) }
      try writeWhole(data, to: descriptor)
    } catch let failure as SystemFailure {
      if created { unlink(temporary) }
      let missing = !FileManager.default.fileExists(atPath: folder.path)
      throw DataError(
        file: path, position: "",
        missing ? "cannot be written: the folder \(folder.path) does not exist" : "cannot be written: \(failure.reason)"
      )
    }
    // A test hook: hold the written temporary file for a while, so that a test can kill
    // the process mid-write and check that nothing is left.
    if let pause = ProcessInfo.processInfo.environment["SIGAH_TEST_WRITE_PAUSE"].flatMap(Double.init) {
      Thread.sleep(forTimeInterval: pause)
    }
    guard rename(temporary, url.path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw DataError(file: path, position: "", "cannot be written: \(reason)")
    }
  }

  /// Writes every byte and closes (unless told not to): the system's reason (strerror) on
  /// any failure.
  private static func writeWhole(_ data: Data, to descriptor: Int32, closing: Bool = true) throws {
    var failure: SystemFailure?
    data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
      var offset = 0
      while offset < bytes.count {
        let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = SystemFailure()
          return
        }
        offset += written
      }
    }
    if closing && close(descriptor) != 0 && failure == nil { failure = SystemFailure() }
    if let failure { throw failure }
  }
}

/// The system's reason a call failed, as strerror gives it.
private struct SystemFailure: Error {
  let reason: String
  init() { reason = String(cString: strerror(errno)) }
}
