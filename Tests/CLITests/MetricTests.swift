// --metric: ground truth, evaluation and sigah-dm's training neighbours by cosine or inner
// product, recorded where a reader looks for them.

import Foundation
import SiGAH
import Testing

@Suite struct MetricTests {
  let sift = repositoryRoot.appendingPathComponent("data/siftsmall/siftsmall_query.fvecs").path

  @Test func evalScoresAgainstTheMetricsNeighbours() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let common = [
      "eval", sift, "--queries", "20", "--k", "10", "--methods", "itq,sigah-dm", "--bits", "16", "--epochs", "1",
      "--val-size", "20", "--ranking-steps", "20", "--backend", "cpu", "--quiet",
      // A linear stage moves its codes within 20 steps; a residual starts at zero and may
      // keep its start, which does not depend on the metric.
      "--ranking-residual", "0",
    ]
    let cosine = try SigahBinary.run(common + ["--metric", "cosine", "--out", folder.appendingPathComponent("c").path])
    #expect(cosine.status == 0, "\(cosine.stderr)")
    let record = try JSONDecoder().decode(
      EvaluationRecord.self, from: Data(contentsOf: folder.appendingPathComponent("c/report.json")))
    #expect(record.metadata.metric == "cosine")
    let markdown = try String(contentsOf: folder.appendingPathComponent("c/report.md"), encoding: .utf8)
    #expect(markdown.contains("exact cosine neighbours"))
    let euclidean = try SigahBinary.run(common + ["--out", folder.appendingPathComponent("e").path])
    #expect(euclidean.status == 0 && euclidean.stdout != cosine.stdout, "the metric changes the scores")
    let unknown = try SigahBinary.run(
      common + ["--metric", "hamming", "--out", folder.appendingPathComponent("u").path])
    #expect(unknown.status == 64)
  }

  @Test func sigahDMTrainsForTheMetricsNeighbours() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model = folder.appendingPathComponent("m.safetensors").path
    let run = try SigahBinary.run([
      "train", sift, "--method", "sigah-dm", "--bits", "16", "--epochs", "1", "--val-size", "20", "--ranking-steps",
      "20", "--metric", "ip", "--out", model, "--backend", "cpu", "--quiet",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    guard case .sigah(let trained) = try HashModel.read(from: model) else {
      Issue.record("not a SiGAH model")
      return
    }
    #expect(trained.configuration.ranking?.metric == .ip)
  }
}
