// The ranking stage's settings and what it did (METHOD.md §3c), recorded in model files
// and checkpoints beside the configuration; the stage itself is Training/RankingRefinement.

import Foundation

public struct RankingOptions: Sendable, Codable, Equatable {
  /// Adam steps of the stage.
  public var steps = 4000
  /// Anchors drawn uniformly each step.
  public var anchors = 256
  /// Positives (from the anchor's nearest) and negatives (`hardNegatives` just past them,
  /// the rest uniform) an anchor.
  public var pairsPerAnchor = 8
  /// An anchor's positives come from its `K` nearest training vectors for each K of
  /// `neighbourhoods` (files written before several could be given hold one, `neighbours`);
  /// with neither, from `defaultNeighbourhoods`.
  public var neighbours: Int?
  public var neighbourhoods: [Int]?
  /// The Ks users search for: with these, the stage serves each of them (METHOD.md §3c).
  public static let defaultNeighbourhoods = [10, 100, 1000]
  /// The most training vectors that get neighbour lists and serve as anchors (nil:
  /// `defaultAnchorRows`); a larger set gives a seeded sample of its rows that role, so the
  /// exact search costs `O(m·n·d)`, not `O(n²·d)`. Sets of at most this many are untouched.
  public var anchorRows: Int?
  public static let defaultAnchorRows = 65_536
  /// The neighbourhoods positives are drawn from.
  public var positiveNeighbourhoods: [Int] {
    neighbourhoods ?? neighbours.map { [$0] } ?? Self.defaultNeighbourhoods
  }
  /// 3e-3, not the reference implementation's 1e-3: on SIFT10K (seed 0, 2,000 steps) 0.394 against 0.380 at 32
  /// bits and 0.532 against 0.522 at 64 (BENCHMARKS.md).
  public var learningRate: Float = 3e-3
  /// `κ` of `softplus(−κ·(s_ap − s_an))`.
  public var sharpness: Float = 10
  /// `β` of `h = tanh(β·(W x + c))`, ramped linearly over the steps.
  public var startScale: Float = 1
  public var endScale: Float = 3
  /// Validate (and keep the best) every this many steps, and after the last.
  public var validateEvery = 250
  /// Of each anchor's negatives, this many from the ranks just past its positives'
  /// neighbourhood (METHOD.md §3c); nil in files written before the option, which
  /// trained without.
  public var hardNegatives: Int?
  /// 1 with the residual (2 was the linear stage's best; with the residual 2 cost SIFT's
  /// top-1,000 and 0 MNIST's top-10, BENCHMARKS.md).
  public static let defaultHardNegatives = 1
  /// With hard negatives, the share of anchors whose positives come from the widest
  /// neighbourhood; the others share the rest equally (METHOD.md §3c). Nil: the default for
  /// the code length, `defaultWidestShare(bits:)`.
  public var widestShare: Double?
  /// ½ below 64 bits, where a short code's coarse order needs it (with every neighbourhood
  /// alike MNIST's top-1,000 stayed at 1.04× ITQ at 16 bits); from 64 bits every
  /// neighbourhood alike (nil), since ½ cost MNIST's top-10 there more than it gave
  /// (BENCHMARKS.md).
  public static func defaultWidestShare(bits: Int) -> Double? { bits < 64 ? 0.5 : nil }
  /// The distance of the positives' neighbour lists (nil: Euclidean).
  public var metric: Metric?
  /// Units of the ReLU residual trained beside the hash layer (METHOD.md §3c); 0, or nil in
  /// files written before the option, trains the hash layer alone.
  public var residualWidth: Int?
  public static let defaultResidualWidth = 256

  /// A new stage draws `defaultHardNegatives` hard negatives an anchor and trains a residual
  /// of `defaultResidualWidth` units.
  public init() { (hardNegatives, residualWidth) = (Self.defaultHardNegatives, Self.defaultResidualWidth) }
}

public struct RankingSummary: Sendable, Codable, Equatable {
  public struct Checkpoint: Sendable, Codable, Equatable {
    public var step: Int
    /// Mean ranking loss since the previous checkpoint.
    public var loss: Double
    public var validationMAP: Double?
  }
  /// The widest neighbourhood, and every one positives were drawn from (nil in files
  /// written before there could be several: `neighbours` alone).
  public var neighbours: Int
  public var neighbourhoods: [Int]?
  public var startValidationMAP: Double?
  public var checkpoints: [Checkpoint]
  /// The step whose hash function was kept (0: the start, when no step validated better).
  public var keptStep: Int
  public var seconds: Double
}

/// One validation of the ranking stage, as training events carry it.
public typealias RankingCheckpoint = RankingSummary.Checkpoint
