// Model files say which format and tool wrote them; a file of a newer format is refused
// with a message that says so, for every method and for SiGAH checkpoints alike.

import Backend
import Foundation
import Testing

@testable import SiGAH

struct ModelFileTests {
  @Test func filesCarryTheirFormatAndANewerOneIsRefused() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("model-file-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = try TestData.sift2000.get().rows(0..<300)
    let backend = try CPUBackend()
    var configuration = SiGAHConfiguration()
    (configuration.bits, configuration.batchSize) = (8, 100)
    var options = TrainingOptions()
    options.epochs = 1
    let sigah = try SiGAHTrainer(configuration: configuration, data: data, backend: backend, options: options).train()
    let models: [(String, HashModel)] = [
      ("lsh", try HashModel.fitBaseline(.lsh, data: data, bits: 8, seed: 0, backend: backend)),
      ("sh", try HashModel.fitBaseline(.sh, data: data, bits: 8, seed: 0, backend: backend)),
      ("sigah", .sigah(sigah)),
    ]
    for (name, model) in models {
      let path = folder.appendingPathComponent("\(name).safetensors").path
      try model.write(to: path)
      var file = try SafeTensors.read(from: path)
      #expect(file.metadata["format_version"] == "1")
      #expect(file.metadata["written_by"] == "sigah \(ModelFile.toolVersion)")
      file.metadata["format_version"] = "\(ModelFile.formatVersion + 1)"
      try file.write(to: path)
      #expect {
        _ = try HashModel.read(from: path)
      } throws: { error in
        "\(error)".contains("model format \(ModelFile.formatVersion + 1)") && "\(error)".contains(path)
      }
    }
  }
}
