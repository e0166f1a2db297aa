// Binary output on standard output (`--out -`), written with write(2) so that a failed
// write is an error with the system's reason rather than a trap.

import Foundation

enum StandardOutput {
  static func write(_ data: Data) throws {
    try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
      var offset = 0
      while offset < bytes.count {
        let written = Foundation.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          throw CLIError("standard output: the write failed (\(String(cString: strerror(errno))))")
        }
        offset += written
      }
    }
  }
}
