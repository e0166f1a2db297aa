// The report's curves and figures: Precision@N and precision–recall from a hand-worked
// ranking, and figures that scale (viewBox) with labelled axes, three a code length.

import Backend
import Testing

@testable import SiGAH

struct ReportTests {
  /// One query; database codes at Hamming distances 0, 1, 2, 3; relevant: rows 0 and 2.
  static func report() throws -> RetrievalReport {
    let queries = PackedCodes(count: 1, bits: 8, words: [0])
    let database = PackedCodes(count: 4, bits: 8, words: [0b0, 0b1, 0b11, 0b111])
    var options = EvaluationOptions()
    (options.recallCutoffs, options.recallTargets) = ([1, 2, 3], [2])
    return try Evaluator.evaluate(
      queryCodes: queries, databaseCodes: database, relevance: .neighbours(ids: [0, 2], k: 2, relevantCount: 2),
      backend: try CPUBackend(), options: options)
  }

  @Test func precisionAndRecallCurvesFollowTheRanking() throws {
    let report = try Self.report()
    #expect(report.recallCutoffs == [1, 2, 3, 4])
    #expect(report.precisionCurve == [1, 0.5, 2.0 / 3, 0.5])
    #expect(report.relevantRecallCurve == [0.5, 0.5, 1, 1])
  }

  @Test func figuresScaleAndLabelTheirAxes() throws {
    let report = try Self.report()
    let row = ExperimentRow(
      method: "lsh", bits: 8, euclidean: report, semantic: nil, trainSeconds: 0, reconstructionError: nil)
    let figures = Report.figures([row], bits: 8, relevantK: 2)
    #expect(figures.map(\.name) == ["recall-8bits.svg", "precision-8bits.svg", "precision-recall-8bits.svg"])
    for figure in figures {
      #expect(figure.svg.contains("viewBox=\"0 0 660 430\""), "\(figure.name)")
      #expect(figure.svg.contains("rotate(-90)") && figure.svg.contains("<polyline"), "\(figure.name)")
    }
    #expect(figures[0].svg.contains("the 2 true neighbours"))
    #expect(Report.radiusTable([row]).contains("| lsh |"))
  }
}
