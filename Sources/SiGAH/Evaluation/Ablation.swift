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

/// A named way to train a model on data at a code length from a seed.
public struct TrainedVariant {
  public let name: String
  public let train: (_ data: Matrix, _ bits: Int, _ seed: UInt64) throws -> HashModel

  public init(name: String, train: @escaping (_ data: Matrix, _ bits: Int, _ seed: UInt64) throws -> HashModel) {
    self.name = name
    self.train = train
  }
}

public enum Ablation {
  /// The ablation each paper reports for its method (METHOD.md §8–11): the full method,
  /// then each term or part left out as the paper leaves it out.
  public static func variants(
    _ method: HashMethod, configurations base: GenerativeConfigurations, options: GenerativeOptions,
    backend: any Backend
  ) -> [TrainedVariant] {
    func variant(_ name: String, _ change: (inout GenerativeConfigurations) -> Void) -> TrainedVariant {
      var configurations = base
      change(&configurations)
      return TrainedVariant(name: name) { [configurations] data, bits, seed in
        var options = options
        options.seed = seed
        return try GenerativeTraining.train(
          method, data: data, bits: bits, configurations: configurations, options: options, backend: backend)
      }
    }
    switch method {
    case .hashgan:
      return [
        variant("hashgan") { _ in },
        variant("w/o L_indBit") { $0.hashgan.independenceWeight = 0 },
        variant("w/o L_2") { $0.hashgan.collaborativeWeight = 0 },
        variant("w/o L_consBit") { $0.hashgan.consistencyWeight = 0 },
        variant("w/o L_uniFrqBit") { $0.hashgan.uniformFrequencyWeight = 0 },
        variant("w/o L_adv + L_feat + L_2") { $0.hashgan.adversarialWeight = 0 },
      ]
    case .gmans:
      return [
        variant("gmans") { _ in },
        variant("w/o AE-GAN") { $0.gmans.aeGANWeight = 0 },
        variant("w/o B-GAN (norm loss)") {
          $0.gmans.binaryGANWeight = 0
          $0.gmans.quantisationWeight = 1
        },
        variant("Algorithm 1 as printed (no ℓ2)") { $0.gmans.reconstructionWeight = 0 },
      ]
    case .sgh:
      return [
        variant("sgh (stochastic neurons)") { _ in },
        variant("deterministic neurons (ε = ½)") { $0.sgh.stochastic = false },
        variant("w/o the encoder's entropy term") { $0.sgh.alpha = 0 },
      ]
    case .ba:
      return [
        variant("ba") { _ in },
        TrainedVariant(name: "its ITQ start") { data, bits, seed in
          .linear(try LinearBaselines.itq(data, bits: bits, seed: seed, backend: backend), method: .itq)
        },
      ]
    default:
      return []
    }
  }

  /// The variants, in table order, on top of `base` (batch size, learning rate, …).
  public static func variants(
    base: SiGAHConfiguration = SiGAHConfiguration(), validationSize: Int = 500,
    validationKs: [Int] = RankingOptions.defaultNeighbourhoods
  ) -> [SiGAHVariant] {
    let dm = SiGAHConfiguration.distanceMatchingPreset
    func with(_ change: (inout SiGAHConfiguration) -> Void) -> SiGAHConfiguration {
      var configuration = base
      change(&configuration)
      return configuration
    }
    let all = with {
      $0.method = .sigahDM
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
      variant.validationKs = validationKs
      return variant
    }
  }

  public static func run(
    split: EvaluationSplit, truth: (ids: [Int32], k: Int), relevantCount: Int, variants: [SiGAHVariant], bits: [Int],
    seeds: [UInt64], options: TrainingOptions, backend: any Backend, log: (String) -> Void = { _ in }
  ) throws -> [AblationRow] {
    try run(
      split: split, truth: truth, relevantCount: relevantCount,
      variants: variants.map { variant in
        TrainedVariant(name: variant.name) { data, r, seed in
          .sigah(try variant.train(data: data, bits: r, seed: seed, options: options, backend: backend))
        }
      }, bits: bits, seeds: seeds, backend: backend, log: log)
  }

  /// Every variant and ITQ at every length and seed, evaluated by `sigah eval`'s protocol.
  public static func run(
    split: EvaluationSplit, truth: (ids: [Int32], k: Int), relevantCount: Int, variants: [TrainedVariant],
    bits: [Int], seeds: [UInt64], backend: any Backend, log: (String) -> Void = { _ in }
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
          let model = try variant.train(split.database, r, seed)
          let row = try Experiment.evaluate(
            model, name: variant.name, split: split, truth: truth, relevantCount: relevantCount,
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
