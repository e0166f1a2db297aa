// One epoch record for every method: it round-trips through a model file's summary, and
// the summaries written before every method shared it (SiGAH's six named fields) still read.

import Foundation
import Testing

@testable import SiGAH

@Suite struct TrainingReportTests {
  @Test func aSummaryWrittenWithSiGAHsSixFieldsStillReads() throws {
    let json = """
      {"epoch":1,"learningRate":0.01,"losses":{"adversarial":0.25,"discriminator":0.5,"graph":5,
      "quantisation":0.125,"reconstruction":0.375,"sparsity":2},"samplesPerSecond":100,"seconds":3}
      """
    let report = try JSONDecoder().decode(EpochReport.self, from: Data(json.utf8))
    #expect(report.terms.map(\.name) == ["L_D", "recon", "quant", "sparse", "adv", "graph", "L_G"])
    #expect(report.term("L_D") == 0.5 && report.term("graph") == 5)
    #expect(report.term("L_G") == 0.375 + 0.125 + 2 + 0.25 + 5)
    #expect(report.phase.isEmpty && report.learningRate == 0.01 && report.validationMAP == nil)
  }

  @Test func everyMethodsRecordRoundTrips() throws {
    let reports = [
      EpochReport(
        epoch: 2, terms: [LossTerm("L_D", 0.5), LossTerm("L_G", 1.5)], seconds: 1, samplesPerSecond: 9,
        learningRate: 0.001, validationMAP: 0.25),
      EpochReport(epoch: 3, phase: "μ 0.125", terms: [LossTerm("hinge", 0.75)], seconds: 2, samplesPerSecond: 4),
    ]
    let decoded = try JSONDecoder().decode([EpochReport].self, from: try JSONEncoder().encode(reports))
    #expect(decoded == reports)
  }

  @Test func aRecordWithNeitherTermsNorLossesIsRefused() {
    let json = #"{"epoch":1,"samplesPerSecond":100,"seconds":3}"#
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(EpochReport.self, from: Data(json.utf8)) }
  }
}
