// Where kernel sources come from: the copies embedded at build time, or a folder of .cl
// files named by SIGAH_KERNELS_DIR for kernel development without a rebuild.

import Backend
import Foundation

public enum KernelSources {
  /// The environment variable that points at a folder of `.cl` files.
  public static let folderVariable = "SIGAH_KERNELS_DIR"

  /// The file of helpers prepended to every other one (`kernels/common.cl`).
  static let commonName = "common"

  /// Names of the embedded kernel files (without `.cl`), the helpers' file excepted.
  public static var embeddedNames: [String] { EmbeddedKernelSources.byName.keys.filter { $0 != commonName }.sorted() }

  /// The folder SIGAH_KERNELS_DIR names, if any.
  public static var folderFromEnvironment: String? {
    guard let folder = ProcessInfo.processInfo.environment[folderVariable], !folder.isEmpty else {
      return nil
    }
    return folder
  }

  /// The helpers prepended to every kernel file: the folder's common.cl when it has one
  /// (a folder may hold only the file being worked on), else the embedded copy.
  static func common(folder: String?) throws -> String {
    if let folder, FileManager.default.fileExists(atPath: folder + "/\(commonName).cl") {
      return try source(named: commonName, folder: folder)
    }
    return try source(named: commonName, folder: nil)
  }

  /// The source of `kernels/<name>.cl`, from `folder` when given, else the embedded copy.
  static func source(named name: String, folder: String?) throws -> String {
    if let folder {
      let path = URL(fileURLWithPath: folder).appendingPathComponent("\(name).cl").path
      do {
        return try String(contentsOfFile: path, encoding: .utf8)
      } catch {
        throw BackendError.unavailable(
          backend: "opencl", reason: "the kernel folder is \(folder), but \(path) cannot be read")
      }
    }
    guard let source = EmbeddedKernelSources.byName[name] else {
      throw BackendError.unavailable(
        backend: "opencl", reason: "no kernel file '\(name).cl' was embedded at build time")
    }
    return source
  }
}
