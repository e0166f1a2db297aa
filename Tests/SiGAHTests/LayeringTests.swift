// The folders of Sources/SiGAH are layers, bottom to top: a file uses types declared in its
// own folder or in the layers below, never above. Read from the sources' text, so the test
// stays true as files move, and a new dependency upwards fails it with the file and type.

import Foundation
import Testing

@Suite struct LayeringTests {
  /// Bottom to top; every folder of Sources/SiGAH is one.
  static let layers = [
    "Data", "Parallel", "Layers", "Codes", "Baselines", "Search", "Model", "Training", "Registry", "Methods", "Jobs",
    "Evaluation", "Benchmark",
  ]

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sources/SiGAH")

  /// Each Swift file under Sources/SiGAH with its folder (the first path component).
  static func files() throws -> [(folder: String, path: String, text: String)] {
    let enumerator = FileManager.default.enumerator(atPath: root.path)
    var files: [(String, String, String)] = []
    while let relative = enumerator?.nextObject() as? String {
      guard relative.hasSuffix(".swift"), let folder = relative.split(separator: "/").first else { continue }
      let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
      files.append((String(folder), relative, text))
    }
    return files
  }

  @Test func eachLayerUsesOnlyItselfAndTheLayersBelow() throws {
    let files = try Self.files()
    #expect(Set(files.map(\.folder)).isSuperset(of: Self.layers), "a layer's folder is missing")
    // Top-level declarations only: nested types (SafeTensors.Tensor) are their owner's.
    let declaration = try Regex(
      #"(?m)^(?:@\w+ )*(?:public |internal |final |indirect )*(?:struct|class|enum|protocol|typealias|actor) ([A-Z]\w*)"#
    )
    var owner: [String: String] = [:]
    for file in files {
      for match in file.text.matches(of: declaration) {
        if let name = match.output[1].substring { owner[String(name), default: file.folder] = file.folder }
      }
    }
    let identifier = try Regex(#"\b[A-Z]\w*\b"#)
    // A file's own nested types (SafeTensors.Tensor) shadow top-level ones of that name.
    let nested = try Regex(
      #"(?m)^\s+(?:@\w+ )*(?:public |internal |private |fileprivate |final |indirect )*(?:struct|class|enum|protocol|typealias) ([A-Z]\w*)"#
    )
    for file in files {
      guard let level = Self.layers.firstIndex(of: file.folder) else { continue }
      let own = Set(file.text.matches(of: nested).compactMap { $0.output[1].substring.map(String.init) })
      let code = file.text.split(separator: "\n")
        .map { $0.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
        .joined(separator: "\n")
      for name in Set(code.matches(of: identifier).map { String(code[$0.range]) }) {
        guard let home = owner[name], home != file.folder, !own.contains(name) else { continue }
        let homeLevel = Self.layers.firstIndex(of: home) ?? Int.max
        #expect(homeLevel < level, "\(file.path) uses \(name) from \(home), a layer above \(file.folder)")
      }
    }
  }
}
