// Writes that never leave a half-written file: write beside the target, then rename.

import Foundation

public enum AtomicFile {
  /// Writes `data` to `path` through a temporary file in the same folder and a rename,
  /// so readers see the old file or the whole new one, never a part.
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
    do {
      try data.write(to: temporary)
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw DataError(file: path, position: "", "cannot be written (\(error.localizedDescription))")
    }
    guard rename(temporary.path, url.path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw DataError(file: path, position: "", "cannot be written (\(reason))")
    }
  }
}
