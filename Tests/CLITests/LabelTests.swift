// Labels beyond MNIST: a label column of a CSV on every command that reads data, and
// labels from a file of their own (.npy, .ivecs, text) for semantic mAP.

import Foundation
import SiGAH
import Testing

@Suite struct LabelTests {
  /// 200 SIFT vectors with a label column (the row's index mod 4) last, and as a plain .npy.
  func labelledData(in folder: URL) throws -> (csv: String, npy: String, labels: [Int32]) {
    let sift = try Dataset.load(repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_base.fvecs").path)
    let vectors = sift.vectors.rows(0..<200)
    let labels = (0..<200).map { Int32($0 % 4) }
    var csv = ""
    for row in 0..<200 {
      csv += vectors[row].map { String(Int($0)) }.joined(separator: ",") + ",\(labels[row])\n"
    }
    let csvPath = folder.appendingPathComponent("labelled.csv").path
    try csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
    let npyPath = folder.appendingPathComponent("vectors.npy").path
    try NPYFormat.write(vectors, to: npyPath)
    return (csvPath, npyPath, labels)
  }

  @Test func aLabelledCSVTrainsAndEncodes() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (csv, npy, _) = try labelledData(in: folder)
    let model = folder.appendingPathComponent("m.safetensors").path
    let train = try SigahBinary.run([
      "train", csv, "--label-column", "-1", "--method", "itq", "--bits", "16", "--out", model,
    ])
    #expect(train.status == 0, "\(train.stderr)")
    #expect(try HashModel.read(from: model).inputDimension == 128)
    let fromCSV = try SigahBinary.run(["encode", "--model", model, csv, "--label-column", "-1", "--out", "-"])
    let fromNPY = try SigahBinary.run(["encode", "--model", model, npy, "--out", "-"])
    #expect(fromCSV.status == 0 && fromNPY.status == 0, "\(fromCSV.stderr)")
    #expect(fromCSV.output == fromNPY.output)
    let search = try SigahBinary.run([
      "search", "--database", folder.appendingPathComponent("none.npy").path, "--queries", csv, "--label-column", "-1",
      "--model", model, "--k", "3", "--out", "-",
    ])
    #expect(search.status != 0 && search.stderr.contains("none.npy"))
  }

  @Test func labelsFromTheirOwnFileGiveSemanticMAP() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (csv, npy, labels) = try labelledData(in: folder)
    let labelsPath = folder.appendingPathComponent("labels.txt").path
    try (labels.map(String.init).joined(separator: "\n") + "\n").write(
      toFile: labelsPath, atomically: true, encoding: .utf8)
    let common = ["--queries", "20", "--k", "10", "--methods", "lsh,itq", "--bits", "16", "--backend", "cpu"]
    let fromFile = try SigahBinary.run(
      ["eval", npy, "--labels", labelsPath, "--out", folder.appendingPathComponent("r1").path] + common)
    #expect(fromFile.status == 0, "\(fromFile.stderr)")
    #expect(fromFile.stdout.contains("semantic mAP 16b"))
    // The same numbers as the labels of the CSV's own column.
    let fromColumn = try SigahBinary.run(
      ["eval", csv, "--label-column", "-1", "--out", folder.appendingPathComponent("r2").path] + common)
    #expect(fromColumn.status == 0 && fromColumn.stdout == fromFile.stdout, "\(fromColumn.stderr)")
    // Unlabelled: no semantic column and no title that promises one.
    let plain = try SigahBinary.run(["eval", npy, "--out", folder.appendingPathComponent("r3").path] + common)
    #expect(plain.status == 0 && !plain.stdout.contains("semantic"), "\(plain.stdout)")
    let npyLabels = folder.appendingPathComponent("labels.npy").path
    try NPYFormat.write(integers: labels, rows: labels.count, columns: 1, to: npyLabels)
    let fromNPY = try SigahBinary.run(
      ["eval", npy, "--labels", npyLabels, "--out", folder.appendingPathComponent("r4").path] + common)
    #expect(fromNPY.status == 0 && fromNPY.stdout == fromFile.stdout, "\(fromNPY.stderr)")
  }

  @Test func wrongLabelFilesAreNamed() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (_, npy, labels) = try labelledData(in: folder)
    let short = folder.appendingPathComponent("short.txt").path
    try labels.prefix(150).map(String.init).joined(separator: "\n").write(
      toFile: short, atomically: true, encoding: .utf8)
    let run = try SigahBinary.run(["eval", npy, "--labels", short, "--out", folder.appendingPathComponent("r").path])
    #expect(run.status != 0 && run.stderr.contains("short.txt") && run.stderr.contains("expected 200 labels"))
    let bad = folder.appendingPathComponent("bad.txt").path
    try "1\n2\ncat\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let badRun = try SigahBinary.run(["eval", npy, "--labels", bad, "--out", folder.appendingPathComponent("r").path])
    #expect(badRun.status != 0 && badRun.stderr.contains("bad.txt: line 3"), "\(badRun.stderr)")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("r").path))
  }
}
