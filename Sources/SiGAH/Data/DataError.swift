// The error every reader and writer throws: which file, where in it, what was expected.

public struct DataError: Error, Equatable, CustomStringConvertible {
  public let file: String
  /// Where: "byte 16", "record 3", "line 7, column 2".
  public let position: String
  /// What was expected, or what went wrong, as a sentence.
  public let message: String

  public init(file: String, position: String, _ message: String) {
    self.file = file
    self.position = position
    self.message = message
  }

  public var description: String {
    // `-` is the standard stream of whichever side the file was on.
    let name = file == "-" ? "standard input" : file
    return position.isEmpty ? "\(name): \(message)" : "\(name): \(position): \(message)"
  }
}
