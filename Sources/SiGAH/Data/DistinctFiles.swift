// A command's outputs never overwrite its inputs or each other: `--out` equal to the data
// file, `--distances-out` equal to `--out`, or `--checkpoint` equal to `--out` would
// otherwise replace a file the user still needs with another, with exit 0.

import Foundation

public enum DistinctFiles {
  /// A file a command reads or writes, named by its option (`--out`, `data`, …); `-`
  /// (a standard stream) and nil are never compared.
  public typealias Named = (option: String, path: String?)

  /// Throws when an output is the same file as an input or as another output: the same
  /// entry of the same folder once links are resolved (what a write replaces), or the
  /// same device and inode.
  public static func check(inputs: [Named], outputs: [Named]) throws {
    for (list, stream) in [(inputs, "standard input"), (outputs, "standard output")] {
      let dashes = list.filter { $0.path == "-" }.map(\.option)
      guard dashes.count <= 1 else {
        throw DataError(
          file: stream, position: "",
          "\(dashes.joined(separator: " and ")) cannot all be - (one \(stream)): give all but one a file")
      }
    }
    let files = { (list: [Named]) in
      list.compactMap { named in named.path.map { (named.option, $0) } }.filter { $0.1 != "-" }
    }
    let (reads, writes) = (files(inputs), files(outputs))
    for (index, (option, path)) in writes.enumerated() {
      for (otherOption, other) in reads where same(output: path, input: other) {
        throw DataError(
          file: path, position: "",
          "is also the input \(otherOption) (\(other)): writing \(option) there would destroy it; choose another path")
      }
      for (otherOption, other) in writes[..<index]
      where same(output: path, input: other) || entry(of: path) == entry(of: other) {
        throw DataError(
          file: path, position: "", "is named by both \(otherOption) and \(option): give each output its own path")
      }
    }
  }

  /// The folder entry a write to `path` replaces: its folder resolved, its name kept.
  static func entry(of path: String) -> String? {
    let url = URL(fileURLWithPath: path)
    guard let folder = realpath(url.deletingLastPathComponent().path, nil) else { return nil }
    defer { free(folder) }
    return String(cString: folder) + "/" + url.lastPathComponent
  }

  static func same(output: String, input: String) -> Bool {
    if let resolved = realpath(input, nil) {
      defer { free(resolved) }
      if entry(of: output) == String(cString: resolved) { return true }
    }
    var a = stat()
    var b = stat()
    guard stat(output, &a) == 0, stat(input, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
  }
}
