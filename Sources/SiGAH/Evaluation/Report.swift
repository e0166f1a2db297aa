// The evaluation report: a table like the paper's Tables 1–2 (Markdown), the figures as
// JSON, the recall curves as CSV and as an SVG plot.

import Foundation

public enum Report {
  /// The paper-style table: one row per method, mAP / Precision@100 / semantic mAP per length.
  public static func markdownTable(_ rows: [ExperimentRow], title: String) -> String {
    let lengths = Array(Set(rows.map(\.bits))).sorted()
    let methods = rows.map(\.method).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    let hasSemantic = rows.contains { $0.semantic != nil }
    var header = "| method |"
    var rule = "| --- |"
    for bits in lengths {
      header +=
        " mAP \(bits)b | tie-aware mAP \(bits)b | P@100 \(bits)b |" + (hasSemantic ? " semantic mAP \(bits)b |" : "")
      rule += " ---: | ---: | ---: |" + (hasSemantic ? " ---: |" : "")
    }
    var lines = ["### \(title)", "", header, rule]
    for method in methods {
      var line = "| \(method) |"
      for bits in lengths {
        guard let row = rows.first(where: { $0.method == method && $0.bits == bits }) else {
          line += " – | – | – |" + (hasSemantic ? " – |" : "")
          continue
        }
        line += String(
          format: " %.4f | %.4f | %.4f |", row.euclidean.mAP, row.euclidean.tieAwareMAP,
          row.euclidean.precisionAt["100"] ?? .nan)
        if hasSemantic { line += row.semantic.map { String(format: " %.4f |", $0.mAP) } ?? " – |" }
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public static func json(_ rows: [ExperimentRow]) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(rows)
  }

  /// `method,bits,curve,T,recall` rows.
  public static func recallCSV(_ rows: [ExperimentRow]) -> String {
    var lines = ["method,bits,curve,T,recall"]
    for row in rows {
      for (curve, values) in row.euclidean.recallCurves.sorted(by: { $0.key < $1.key }) {
        for (t, value) in zip(row.euclidean.recallCutoffs, values) {
          lines.append("\(row.method),\(row.bits),\(curve),\(t),\(String(format: "%.6f", value))")
        }
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Recall@T (log T axis) for one curve (e.g. "R-100"), every method at `bits`.
  public static func recallSVG(_ rows: [ExperimentRow], bits: Int, curve: String) -> String {
    let (width, height, left, bottom, top, right) = (640.0, 420.0, 60.0, 50.0, 40.0, 150.0)
    let series = rows.filter { $0.bits == bits && $0.euclidean.recallCurves[curve] != nil }
    let cutoffs = series.first?.euclidean.recallCutoffs ?? [1]
    let maxT = Double(cutoffs.last ?? 1)
    func x(_ t: Double) -> Double { left + (width - left - right) * log10(max(t, 1)) / max(log10(maxT), 1e-9) }
    func y(_ r: Double) -> Double { height - bottom - (height - bottom - top) * r }
    let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(Int(left))" y="22" font-size="14">Recall@T of the \(curve.dropFirst(2)) true neighbours, \(bits) bits</text>
      <line x1="\(left)" y1="\(y(0))" x2="\(width - right)" y2="\(y(0))" stroke="black"/>
      <line x1="\(left)" y1="\(y(0))" x2="\(left)" y2="\(y(1))" stroke="black"/>

      """
    for r in stride(from: 0.0, through: 1.0, by: 0.25) {
      svg += "<line x1=\"\(left)\" y1=\"\(y(r))\" x2=\"\(width - right)\" y2=\"\(y(r))\" stroke=\"#ddd\"/>"
      svg += "<text x=\"\(left - 8)\" y=\"\(y(r) + 4)\" text-anchor=\"end\">\(String(format: "%.2f", r))</text>\n"
    }
    var t = 1.0
    while t <= maxT {
      svg += "<text x=\"\(x(t))\" y=\"\(y(0) + 18)\" text-anchor=\"middle\">\(Int(t))</text>\n"
      t *= 10
    }
    svg +=
      "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">T (items retrieved)</text>\n"
    for (index, row) in series.enumerated() {
      let colour = colours[index % colours.count]
      let points = zip(cutoffs, row.euclidean.recallCurves[curve]!).map {
        "\(String(format: "%.1f", x(Double($0)))),\(String(format: "%.1f", y($1)))"
      }
      svg +=
        "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
      let legendY = top + 20 * Double(index)
      svg +=
        "<line x1=\"\(width - right + 15)\" y1=\"\(legendY)\" x2=\"\(width - right + 40)\" y2=\"\(legendY)\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
      svg += "<text x=\"\(width - right + 46)\" y=\"\(legendY + 4)\">\(row.method)</text>\n"
    }
    return svg + "</svg>\n"
  }

  /// Writes report.md, report.json, recall.csv and one SVG per length into `folder`.
  public static func write(_ rows: [ExperimentRow], title: String, preamble: String, to folder: String) throws
    -> [String]
  {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var written: [String] = []
    func save(_ name: String, _ data: Data) throws {
      let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
      try AtomicFile.write(data, to: path)
      written.append(path)
    }
    var markdown =
      "# \(title)\n\n\(preamble)\n\n" + markdownTable(rows, title: "Euclidean top-K mAP, Precision@100, semantic mAP")
    for bits in Array(Set(rows.map(\.bits))).sorted() {
      let curve =
        rows.first?.euclidean.recallCurves.keys.contains("R-100") == true
        ? "R-100" : (rows.first?.euclidean.recallCurves.keys.sorted().last ?? "R-1")
      let name = "recall-\(bits)bits.svg"
      try save(name, Data(recallSVG(rows, bits: bits, curve: curve).utf8))
      markdown += "\n![Recall@T, \(bits) bits](\(name))\n"
    }
    try save("report.md", Data(markdown.utf8))
    try save("report.json", try json(rows))
    try save("recall.csv", Data(recallCSV(rows).utf8))
    return written
  }
}
