// The evaluation report: a table like the paper's Tables 1–2 (Markdown) with the radius-2
// lookup beside it, the figures as JSON, the recall curves as CSV, and per code length
// three SVG figures: Recall@T, Precision@N and precision against recall.

import Foundation

public enum Report {
  /// The paper-style table: one row per method, mAP / Precision@100 / semantic mAP (when
  /// labelled) per length; over several seeds each cell is the mean ± standard deviation.
  public static func markdownTable(_ rows: [ExperimentRow]) -> String {
    let lengths = Array(Set(rows.map(\.bits))).sorted()
    let methods = rows.map(\.method).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    let hasSemantic = rows.contains { $0.semantic != nil }
    let seeds = Array(Set(rows.compactMap(\.seed))).sorted()
    let title =
      "Euclidean top-K mAP, Precision@100" + (hasSemantic ? ", semantic mAP" : "")
      + (seeds.count > 1 ? " (mean ± std over seeds \(seeds.map(String.init).joined(separator: ",")))" : "")
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
        let runs = rows.filter { $0.method == method && $0.bits == bits }
        guard !runs.isEmpty else {
          line += " – | – | – |" + (hasSemantic ? " – |" : "")
          continue
        }
        line += " \(cell(runs.map(\.euclidean.mAP))) | \(cell(runs.map(\.euclidean.tieAwareMAP))) |"
        line += " \(cell(runs.map { $0.euclidean.precisionAt["100"] ?? .nan })) |"
        if hasSemantic {
          let semantic = runs.compactMap(\.semantic?.mAP)
          line += semantic.count == runs.count ? " \(cell(semantic)) |" : " – |"
        }
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// One figure, or the mean ± sample standard deviation of several.
  static func cell(_ values: [Double]) -> String {
    // Precision@100 of a database under 100 items is not defined.
    if values.isEmpty || values.contains(where: \.isNaN) { return "–" }
    guard values.count > 1 else { return String(format: "%.4f", values.first ?? .nan) }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
    return String(format: "%.4f ± %.4f", mean, variance.squareRoot())
  }

  /// Hamming-radius lookup as the papers report it: precision and recall of the items
  /// within distance 2 of each query, Euclidean (and semantic when labelled).
  public static func radiusTable(_ rows: [ExperimentRow]) -> String {
    let lengths = Array(Set(rows.map(\.bits))).sorted()
    let methods = rows.map(\.method).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    var lines = [
      "### Hamming radius 2: precision / recall", "",
      "| method |" + lengths.map { " \($0)b |" }.joined(),
      "| --- |" + String(repeating: " ---: |", count: lengths.count),
    ]
    for method in methods {
      lines.append(
        "| \(method) |"
          + lengths.map { bits in
            let runs = rows.filter { $0.method == method && $0.bits == bits }
            guard !runs.isEmpty else { return " – |" }
            let mean = { (value: (ExperimentRow) -> Double) in runs.map(value).reduce(0, +) / Double(runs.count) }
            return String(format: " %.4f / %.4f |", mean(\.euclidean.precisionRadius2), mean(\.euclidean.recallRadius2))
          }.joined())
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public static func json(_ record: EvaluationRecord) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(record)
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

  /// One line per method: `points` in data units, a log or linear x axis, y in [0, 1].
  public struct Series {
    public var name: String
    public var points: [(x: Double, y: Double)]
  }

  /// A line chart that scales (viewBox), with a title and labelled axes.
  public static func lineChart(
    title: String, xLabel: String, yLabel: String, logX: Bool, xRange: ClosedRange<Double>, series: [Series]
  ) -> String {
    let (width, height, left, bottom, top, right) = (660.0, 430.0, 70.0, 55.0, 40.0, 150.0)
    func position(_ v: Double) -> Double {
      let (low, high) =
        logX ? (log10(max(xRange.lowerBound, 1)), log10(xRange.upperBound)) : (xRange.lowerBound, xRange.upperBound)
      let value = logX ? log10(max(v, 1)) : v
      return left + (width - left - right) * (value - low) / max(high - low, 1e-9)
    }
    func y(_ r: Double) -> Double { height - bottom - (height - bottom - top) * min(max(r, 0), 1) }
    func f(_ v: Double) -> String { String(format: "%.1f", v) }
    let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#e377c2", "#7f7f7f"]
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(Int(left))" y="22" font-size="14">\(title)</text>
      <line x1="\(left)" y1="\(y(0))" x2="\(width - right)" y2="\(y(0))" stroke="black"/>
      <line x1="\(left)" y1="\(y(0))" x2="\(left)" y2="\(y(1))" stroke="black"/>

      """
    for r in stride(from: 0.0, through: 1.0, by: 0.25) {
      svg += "<line x1=\"\(left)\" y1=\"\(f(y(r)))\" x2=\"\(width - right)\" y2=\"\(f(y(r)))\" stroke=\"#ddd\"/>"
      svg += "<text x=\"\(left - 8)\" y=\"\(f(y(r) + 4))\" text-anchor=\"end\">\(String(format: "%.2f", r))</text>\n"
    }
    var ticks: [Double] = []
    if logX {
      var t = 1.0
      while t <= xRange.upperBound {
        ticks.append(t)
        t *= 10
      }
    } else {
      ticks = stride(
        from: xRange.lowerBound, through: xRange.upperBound, by: (xRange.upperBound - xRange.lowerBound) / 4
      ).map { $0 }
    }
    for t in ticks {
      let label = logX ? "\(Int(t))" : String(format: "%.2f", t)
      svg += "<text x=\"\(f(position(t)))\" y=\"\(f(y(0) + 18))\" text-anchor=\"middle\">\(label)</text>\n"
    }
    svg +=
      "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(xLabel)</text>\n"
    svg +=
      "<text transform=\"translate(18 \(f((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(yLabel)</text>\n"
    for (index, line) in series.enumerated() {
      let colour = colours[index % colours.count]
      let points = line.points.map { "\(f(position($0.x))),\(f(y($0.y)))" }
      svg +=
        "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
      // A marker shape a series as well as a colour: the figure reads in grey print and
      // for readers who do not tell the colours apart.
      for point in line.points {
        svg += marker(index, x: position(point.x), y: y(point.y), colour: colour)
      }
      let legendY = top + 20 * Double(index)
      svg +=
        "<line x1=\"\(width - right + 15)\" y1=\"\(legendY)\" x2=\"\(width - right + 40)\" y2=\"\(legendY)\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
      svg += marker(index, x: width - right + 27.5, y: legendY, colour: colour)
      svg += "<text x=\"\(width - right + 46)\" y=\"\(legendY + 4)\">\(line.name)</text>\n"
    }
    return svg + "</svg>\n"
  }

  /// Series `index`'s marker at (x, y): circle, square, triangle, diamond, then again.
  static func marker(_ index: Int, x: Double, y: Double, colour: String) -> String {
    let (r, f) = (3.5, { (v: Double) in String(format: "%.1f", v) })
    switch index % 4 {
    case 0: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(r)\" fill=\"\(colour)\"/>"
    case 1:
      return "<rect x=\"\(f(x - r))\" y=\"\(f(y - r))\" width=\"\(2 * r)\" height=\"\(2 * r)\" fill=\"\(colour)\"/>"
    case 2:
      return
        "<polygon points=\"\(f(x)),\(f(y - r - 1)) \(f(x - r - 1)),\(f(y + r)) \(f(x + r + 1)),\(f(y + r))\" fill=\"\(colour)\"/>"
    default:
      return
        "<polygon points=\"\(f(x)),\(f(y - r - 1)) \(f(x + r + 1)),\(f(y)) \(f(x)),\(f(y + r + 1)) \(f(x - r - 1)),\(f(y))\" fill=\"\(colour)\"/>"
    }
  }

  /// The three figures of one code length: Recall@T of the K true neighbours (the mAP's
  /// K when it is one of the recall targets), Precision@N, and precision against recall.
  public static func figures(_ rows: [ExperimentRow], bits: Int, relevantK: Int?) -> [(name: String, svg: String)] {
    // Over several seeds the figures show the first seed's curves.
    let firstSeed = rows.compactMap(\.seed).min()
    let series = rows.filter { $0.bits == bits && (firstSeed == nil || $0.seed == firstSeed) }
    guard let first = series.first else { return [] }
    let cutoffs = first.euclidean.recallCutoffs.map(Double.init)
    let range = 1...(cutoffs.last ?? 1)
    let available = first.euclidean.recallCurves.keys.compactMap { Int($0.dropFirst(2)) }.sorted()
    var figures: [(String, String)] = []
    if let target = relevantK.flatMap({ k in available.contains(k) ? k : nil }) ?? available.last {
      let curve = "R-\(target)"
      figures.append(
        (
          "recall-\(bits)bits.svg",
          lineChart(
            title: "Recall@T of the \(target) true neighbours, \(bits) bits", xLabel: "T (items retrieved)",
            yLabel: "recall", logX: true, xRange: range,
            series: series.map {
              Series(name: $0.method, points: Array(zip(cutoffs, $0.euclidean.recallCurves[curve] ?? [])))
            })
        ))
    }
    figures.append(
      (
        "precision-\(bits)bits.svg",
        lineChart(
          title: "Precision@N, \(bits) bits", xLabel: "N (items retrieved)", yLabel: "precision", logX: true,
          xRange: range,
          series: series.map { Series(name: $0.method, points: Array(zip(cutoffs, $0.euclidean.precisionCurve))) })
      ))
    figures.append(
      (
        "precision-recall-\(bits)bits.svg",
        lineChart(
          title: "Precision against recall, \(bits) bits", xLabel: "recall", yLabel: "precision", logX: false,
          xRange: 0...1,
          series: series.map {
            Series(name: $0.method, points: Array(zip($0.euclidean.relevantRecallCurve, $0.euclidean.precisionCurve)))
          })
      ))
    return figures
  }

  /// Writes report.md, report.json, recall.csv and one SVG per length into `folder`.
  public static func write(
    _ record: EvaluationRecord, title: String, preamble: String, relevantK: Int? = nil, to folder: String
  ) throws -> [String] {
    let rows = record.rows
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
      throw DataError(file: folder, position: "", "is a file; the report is a folder: name a folder (or a new path)")
    }
    // mkdir -p by hand, for the system's own reason when a part cannot be made.
    var made = folder.hasPrefix("/") ? "" : "."
    for part in folder.split(separator: "/") {
      made += "/" + part
      if mkdir(made, 0o777) != 0 && errno != EEXIST {
        throw DataError(
          file: folder, position: "", "cannot be made as the report's folder: \(String(cString: strerror(errno)))")
      }
    }
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
      throw DataError(file: folder, position: "", "cannot be made as the report's folder: a part of it is a file")
    }
    var written: [String] = []
    func save(_ name: String, _ data: Data) throws {
      let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
      try AtomicFile.write(data, to: path)
      written.append(path)
    }
    var markdown =
      "# \(title)\n\n\(preamble)\n\n" + markdownTable(rows)
    markdown += "\n" + radiusTable(rows)
    for bits in Array(Set(rows.map(\.bits))).sorted() {
      markdown += "\n"
      for figure in figures(rows, bits: bits, relevantK: relevantK) {
        try save(figure.name, Data(figure.svg.utf8))
        markdown += "![\(figure.name)](\(figure.name)) "
      }
      markdown += "\n"
    }
    try save("report.md", Data(markdown.utf8))
    try save("report.json", try json(record))
    try save("recall.csv", Data(recallCSV(rows).utf8))
    return written
  }
}
