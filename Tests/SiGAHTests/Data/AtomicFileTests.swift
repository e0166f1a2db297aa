// AtomicFile's temporary files cannot be turned against the user: a symbolic link planted
// where the temporary file used to be named is never written through, and the final
// file keeps its permissions.

import Foundation
import SiGAH
import Testing

@Suite struct AtomicFileTests {
  @Test func aPlantedLinkIsNotFollowed() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sigah-atomic-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let victim = folder.appendingPathComponent("victim").path
    try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
    let out = folder.appendingPathComponent("out.bin").path
    // The name rounds one and two used, which an attacker could predict.
    try FileManager.default.createSymbolicLink(
      atPath: folder.appendingPathComponent(".out.bin.partial-\(getpid())").path, withDestinationPath: victim)
    try AtomicFile.write(Data("new".utf8), to: out)
    #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == Data("precious".utf8))
    #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data("new".utf8))
  }

  @Test func theFinalFileKeepsItsMode() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sigah-atomic-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("private.bin").path
    try Data("old".utf8).write(to: URL(fileURLWithPath: out))
    chmod(out, 0o600)
    try AtomicFile.write(Data("new".utf8), to: out)
    var status = stat()
    #expect(stat(out, &status) == 0)
    #expect(status.st_mode & 0o777 == 0o600)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["private.bin"])
  }
}
