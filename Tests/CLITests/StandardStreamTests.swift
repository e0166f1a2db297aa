// `-` as every single-stream input and output: codes, models and indexes through pipes
// give what files give; two streams on one side and folders on `-` are refused.

import Foundation
import SiGAH
import Testing

@Suite struct StandardStreamTests {
  let sift = repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path

  /// A model and the query codes in `folder`.
  func codes(in folder: URL) throws -> (model: String, codes: String) {
    let model = folder.appendingPathComponent("m.safetensors").path
    let codes = folder.appendingPathComponent("codes.npy").path
    #expect(try SigahBinary.run(["train", sift, "--method", "itq", "--bits", "24", "--out", model]).status == 0)
    #expect(try SigahBinary.run(["encode", "--model", model, sift, "--out", codes]).status == 0)
    return (model, codes)
  }

  @Test func modelAndIndexGoToStandardOutput() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (model, codes) = try codes(in: folder)
    let piped = try SigahBinary.run(["train", sift, "--method", "itq", "--bits", "24", "--out", "-", "--quiet"])
    #expect(piped.status == 0, "\(piped.stderr)")
    let modelBytes = try Data(contentsOf: URL(fileURLWithPath: model))
    #expect(piped.output == modelBytes)
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("-").path))
    let index = folder.appendingPathComponent("codes.mih").path
    let written = try SigahBinary.run(["index", "--database", codes, "--out", index])
    #expect(written.status == 0 && written.stderr.contains("MB file"), "\(written.stderr)")
    let pipedIndex = try SigahBinary.run(["index", "--database", codes, "--out", "-", "--quiet"])
    let indexBytes = try Data(contentsOf: URL(fileURLWithPath: index))
    #expect(pipedIndex.status == 0 && pipedIndex.output == indexBytes)
  }

  @Test func codesModelsAndIndexesComeFromStandardInput() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (model, codes) = try codes(in: folder)
    let codeBytes = try Data(contentsOf: URL(fileURLWithPath: codes))
    let fromFiles = try SigahBinary.run(["search", "--database", codes, "--queries", codes, "--k", "5", "--out", "-"])
    #expect(fromFiles.status == 0 && !fromFiles.stdout.isEmpty)
    for (database, queries) in [("-", codes), (codes, "-")] {
      let run = try SigahBinary.run(
        ["search", "--database", database, "--queries", queries, "--k", "5", "--out", "-"], standardInput: codeBytes)
      #expect(run.status == 0 && run.stdout == fromFiles.stdout, "\(run.stderr)")
    }
    let index = folder.appendingPathComponent("codes.mih").path
    #expect(try SigahBinary.run(["index", "--database", "-", "--out", index], standardInput: codeBytes).status == 0)
    let byIndex = try SigahBinary.run(
      ["search", "--index", "-", "--queries", codes, "--k", "5", "--out", "-"],
      standardInput: try Data(contentsOf: URL(fileURLWithPath: index)))
    #expect(byIndex.status == 0 && byIndex.stdout == fromFiles.stdout, "\(byIndex.stderr)")
    let byModel = try SigahBinary.run(
      ["encode", "--model", "-", sift, "--out", "-"], standardInput: try Data(contentsOf: URL(fileURLWithPath: model)))
    #expect(byModel.status == 0 && byModel.output == codeBytes, "\(byModel.stderr)")
    // A broken stream is named as standard input, with where it broke.
    let cut = try SigahBinary.run(
      ["search", "--database", "-", "--queries", codes, "--k", "5", "--out", "-"], standardInput: codeBytes.prefix(90))
    #expect(cut.status != 0 && cut.stderr.contains("standard input"), "\(cut.stderr)")
  }

  @Test func twoStreamsOnOneSideAndFoldersAreRefused() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (_, codes) = try codes(in: folder)
    let bothIn = try SigahBinary.run(["search", "--database", "-", "--queries", "-", "--k", "5", "--out", "-"])
    #expect(
      bothIn.status != 0 && bothIn.stderr.contains("--database and --queries cannot all be -"), "\(bothIn.stderr)")
    let bothOut = try SigahBinary.run(
      ["search", "--database", codes, "--queries", codes, "--k", "5", "--out", "-", "--distances-out", "-"])
    #expect(bothOut.status != 0 && bothOut.output.isEmpty)
    for command in [["eval", sift], ["ablation", sift], ["demo"]] {
      let run = try SigahBinary.run(command + ["--out", "-"], folder: folder)
      #expect(run.status == 64 && run.stderr.contains("folder"), "\(command): \(run.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("-").path))
    let log = try SigahBinary.run(["train", sift, "--bits", "8", "--epochs", "1", "--out", "-", "--log-json", "-"])
    #expect(log.status == 64 && log.output.isEmpty)
  }
}
