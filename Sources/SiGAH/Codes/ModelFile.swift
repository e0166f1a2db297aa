// What every model and checkpoint file says about itself in its safetensors header: that
// it is a sigah model, its method, the format version of its layout and the tool that
// wrote it. A file of a newer format is refused with a clear message instead of being
// misread.

public enum ModelFile {
  /// The tool's version, as `sigah --version` prints it.
  public static let toolVersion = "0.5.0"
  /// The newest version of the model files' layout this tool reads: tensors by name per
  /// method, their metadata. Version 2 added SiGAH-DM's ranking residual and an MLP hash's
  /// skip, which an older reader would drop without a word and encode other codes; a file
  /// says the lowest version that reads it whole, so a file without them stays version 1.
  public static let formatVersion = 2

  /// The header of a model file of `method` of layout `version`, plus `extra`.
  static func metadata(method: String, version: Int = 1, _ extra: [String: String] = [:]) -> [String: String] {
    [
      "format": "sigah-model", "method": method, "format_version": "\(version)",
      "written_by": "sigah \(toolVersion)",
    ].merging(extra) { _, new in new }
  }

  /// Throws unless `file` is a sigah model file of a format this tool reads (files
  /// written before format versions existed count as version 1) whose every tensor is
  /// finite (a model of NaN weights would encode silently). The one check of every
  /// model and checkpoint reader.
  static func check(_ file: SafeTensors, path: String) throws {
    guard file.metadata["format"] == "sigah-model" else {
      throw DataError(file: path, position: "header", "expected a sigah model file (metadata format = sigah-model)")
    }
    if let text = file.metadata["format_version"] {
      guard let version = Int(text), version >= 1 else {
        throw DataError(file: path, position: "header", "expected a whole format_version, found '\(text)'")
      }
      guard version <= formatVersion else {
        throw DataError(
          file: path, position: "header",
          "was written in model format \(version) (by \(file.metadata["written_by"] ?? "a newer sigah")); "
            + "this sigah \(toolVersion) reads formats up to \(formatVersion)")
      }
    }
    for name in file.tensors.keys.sorted() { try file.tensors[name]!.requireFinite(file: path, name: name) }
  }
}
