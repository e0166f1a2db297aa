// The ablation of METHOD.md §3b / issue 8: the paper's method, each of SiGAH-DM's three
// changes alone, all three, all three without the discriminator, and without the
// discriminator and reconstruction; ITQ beside them. Means and standard deviations over
// seeds, so a user can see which parts of the method carry the result.

import Backend
import Foundation

public struct AblationRow: Sendable, Codable {
  public var name: String
  public var bits: Int
  /// Euclidean mAP per seed.
  public var maps: [Double]
  /// Semantic mAP per seed (labelled data only).
  public var semanticMaps: [Double]

  public var mean: Double { maps.reduce(0, +) / Double(max(maps.count, 1)) }
  public var standardDeviation: Double { Self.std(maps) }
  public var semanticMean: Double? {
    semanticMaps.isEmpty ? nil : semanticMaps.reduce(0, +) / Double(semanticMaps.count)
  }

  static func std(_ values: [Double]) -> Double {
    guard values.count > 1 else { return 0 }
    let mean = values.reduce(0, +) / Double(values.count)
    return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
  }
}

public enum Ablation {
  /// The variants, in table order, on top of `base` (batch size, learning rate, …).
  public static func variants(
    base: SiGAHConfiguration = SiGAHConfiguration(), validationSize: Int = 500, validationK: Int = 1000
  ) -> [SiGAHVariant] {
    let dm = SiGAHConfiguration.distanceMatchingPreset
    func with(_ change: (inout SiGAHConfiguration) -> Void) -> SiGAHConfiguration {
      var configuration = base
      change(&configuration)
      return configuration
    }
    let all = with {
      $0.methodName = "sigah-dm"
      $0.itqStart = true
      $0.graphTerm = .distanceMatching
      $0.gamma = dm.gamma
    }
    var noD = all
    noD.adversarialWeight = 0
    var noDNoRecon = noD
    noDNoRecon.reconstructionWeight = 0
    let variants = [
      SiGAHVariant(name: "paper (sigah)", configuration: base, schedule: .constant, validationSize: 0),
      SiGAHVariant(
        name: "+ ITQ start", configuration: with { $0.itqStart = true }, schedule: .constant, validationSize: 0),
      SiGAHVariant(
        name: "+ distance matching",
        configuration: with {
          $0.graphTerm = .distanceMatching
          $0.gamma = dm.gamma
        },
        schedule: .constant, validationSize: 0),
      SiGAHVariant(
        name: "+ cosine & selection", configuration: base, schedule: .cosine, validationSize: validationSize),
      SiGAHVariant(name: "all three (sigah-dm)", configuration: all, schedule: .cosine, validationSize: validationSize),
      SiGAHVariant(name: "all three, no D", configuration: noD, schedule: .cosine, validationSize: validationSize),
      SiGAHVariant(
        name: "all three, no D, no recon", configuration: noDNoRecon, schedule: .cosine, validationSize: validationSize),
    ]
    return variants.map { variant in
      var variant = variant
      variant.validationK = validationK
      return variant
    }
  }

  public static func run(
    split: EvaluationSplit, truth: (ids: [Int32], k: Int), relevantCount: Int, variants: [SiGAHVariant], bits: [Int],
    seeds: [UInt64], options: TrainingOptions, backend: any Backend, log: (String) -> Void = { _ in }
  ) throws -> [AblationRow] {
    var settings = ExperimentSettings()
    settings.evaluation.recallTargets = []
    var rows: [AblationRow] = []
    for r in bits {
      var itq = AblationRow(name: "ITQ (baseline)", bits: r, maps: [], semanticMaps: [])
      for seed in seeds {
        let model = try HashModel.fitBaseline(.itq, data: split.database, bits: r, seed: seed, backend: backend)
        let row = try Experiment.evaluate(
          model, name: "itq", split: split, truth: truth, relevantCount: relevantCount, settings: settings,
          backend: backend,
          trainSeconds: 0)
        itq.maps.append(row.euclidean.mAP)
        if let semantic = row.semantic { itq.semanticMaps.append(semantic.mAP) }
      }
      rows.append(itq)
      log(String(format: "%d bits  %-28@ mAP %.4f ± %.4f", r, itq.name, itq.mean, itq.standardDeviation))
      for variant in variants {
        var result = AblationRow(name: variant.name, bits: r, maps: [], semanticMaps: [])
        for seed in seeds {
          let model = try variant.train(data: split.database, bits: r, seed: seed, options: options, backend: backend)
          let row = try Experiment.evaluate(
            .sigah(model), name: variant.name, split: split, truth: truth, relevantCount: relevantCount,
            settings: settings,
            backend: backend, trainSeconds: 0)
          result.maps.append(row.euclidean.mAP)
          if let semantic = row.semantic { result.semanticMaps.append(semantic.mAP) }
        }
        rows.append(result)
        log(
          String(
            format: "%d bits  %-28@ mAP %.4f ± %.4f (%.3f × ITQ)", r, variant.name, result.mean,
            result.standardDeviation, result.mean / itq.mean))
      }
    }
    return rows
  }

  public static func markdown(_ rows: [AblationRow]) -> String {
    let hasSemantic = rows.contains { $0.semanticMean != nil }
    var lines = [
      "| bits | variant | Euclidean mAP (mean ± std) | × ITQ |" + (hasSemantic ? " semantic mAP |" : ""),
      "| ---: | --- | ---: | ---: |" + (hasSemantic ? " ---: |" : ""),
    ]
    for row in rows {
      let itq = rows.first { $0.bits == row.bits && $0.name == "ITQ (baseline)" }!.mean
      var line = String(
        format: "| %d | %@ | %.4f ± %.4f | %.3f |", row.bits, row.name, row.mean, row.standardDeviation, row.mean / itq)
      if hasSemantic { line += row.semanticMean.map { String(format: " %.4f |", $0) } ?? " – |" }
      lines.append(line)
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
