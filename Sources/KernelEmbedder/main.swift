// Build tool: writes a Swift file holding each .cl file's text, keyed by its base name.
// Usage: KernelEmbedder OUTPUT.swift KERNEL.cl...
import Foundation
import OperationCodes

let arguments = CommandLine.arguments.dropFirst()
guard let outputPath = arguments.first else {
  FileHandle.standardError.write(Data("usage: KernelEmbedder OUTPUT.swift KERNEL.cl...\n".utf8))
  exit(2)
}

/// A Swift string literal for any text: escapes quotes, backslashes and control characters.
func swiftLiteral(_ text: String) -> String {
  var literal = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\\": literal += "\\\\"
    case "\"": literal += "\\\""
    case "\t": literal += "\\t"
    case "\r": literal += "\\r"
    default:
      if scalar.value < 0x20 || scalar.value > 0x7e {
        literal += "\\u{\(String(scalar.value, radix: 16))}"
      } else {
        literal.unicodeScalars.append(scalar)
      }
    }
  }
  return literal + "\""
}

var file = "// Generated at build time from kernels/*.cl by KernelEmbedder. Do not edit.\n\n"
file += "enum EmbeddedKernelSources {\n  static let byName: [String: String] = [\n"
for path in arguments.dropFirst() {
  let url = URL(fileURLWithPath: path)
  let name = url.deletingPathExtension().lastPathComponent
  let text: String
  do {
    text = try String(contentsOf: url, encoding: .utf8)
  } catch {
    FileHandle.standardError.write(Data("KernelEmbedder: cannot read \(path): \(error)\n".utf8))
    exit(1)
  }
  // One literal a line: an array literal type-checks fast however long the file is.
  let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
  file += "    \(swiftLiteral(name)): [\n"
  for line in lines { file += "      \(swiftLiteral(String(line))),\n" }
  file += "    ].joined(separator: \"\\n\"),\n"
}
file += "  ]\n\n  /// The operation codes as `#define`s, prepended to every kernel file.\n"
file += "  static let operationCodes = \(swiftLiteral(OperationCodes.openCLHeader))\n}\n"

do {
  try file.write(toFile: outputPath, atomically: true, encoding: .utf8)
} catch {
  FileHandle.standardError.write(Data("KernelEmbedder: cannot write \(outputPath): \(error)\n".utf8))
  exit(1)
}
