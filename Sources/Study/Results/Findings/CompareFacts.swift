import Statistics

/// What a compare cell's variants show, over their repeats. Each variant is compared with
/// the cell's reference by the test their design calls for (paired by seed when they share
/// their random numbers, Welch's t when not), the cell's comparisons corrected together
/// (Holm); a variant is better or worse only by its `Comparison.verdict`, and with one repeat
/// nothing is ranked. Which story fits depends on what the variants change: batch sizes are a
/// trade of time for accuracy, regularizers a change of the train-validation gap, anything
/// else a ranking. Computed by the analysis (`CompareFacts.init(_:runs:settings:id:seed:)`).
public struct CompareFacts: Codable, Sendable {
  /// A variant's numbers over its repeats.
  public struct Variant: Codable, Sendable {
    public let name: String
    /// The keys the variant changes from the cell's settings.
    public let changes: [SettingKey]
    /// Its batch size (what a comparison of batch sizes orders them by).
    public let batchSize: Int
    /// The best validation accuracy of each repeat.
    public let bestScores: [Double]
    public let best: Spread
    /// Repeat 0's best epoch.
    public let bestEpoch: Int
    public let finalLoss: Spread
    /// The kept weights' accuracy on the training sample (without dropout) and on the
    /// validation part, and the first minus the second: the train-validation gap, one epoch
    /// for both. Nil when a repeat has no training evaluation (it was read off a longer run).
    public let trainAccuracy: Spread?
    public let validationAccuracy: Spread
    public let gap: Spread?
    /// Seconds per epoch, nil when they were not measured by this cell's build like its
    /// peers' (the run came from another cell, or was read off a longer run).
    public let secondsPerEpoch: Spread?
    /// Whether any repeat's loss became NaN or infinite.
    public let diverged: Bool
    /// Its comparison with the cell's reference (nil for the reference itself, or when
    /// either has no score), Holm-corrected among the cell's comparisons.
    public let comparison: Comparison?
    /// The mean curves over the repeats.
    public let curves: EpochCurves
    /// With adaptive repeats, the repeats at whose look its comparison was decided (or the
    /// last look's); nil otherwise.
    public let stoppedAt: Int?

    /// The mean best validation accuracy (−1 when the runs have none), for ordering.
    public var meanBest: Double { best.mean.isFinite ? best.mean : -1 }
  }

  public enum Story: Sendable {
    /// No variant trained to the end.
    case allDiverged
    /// No variant that trained has a validation score (the runs validated on nothing):
    /// nothing is ranked.
    case unscored
    /// One repeat per variant: nothing is ranked.
    case single(low: Double, high: Double)
    case ranking(Ranking, race: Race?)
    /// Nil when fewer than two batch sizes trained.
    case batchSizes(BatchSizes?)
    /// Nil when no variant has a train-validation gap.
    case regularization(Regularization?)
  }

  /// The variants in the study file's order.
  public let variants: [Variant]
  /// The name of the variant every other is compared with.
  public let referenceName: String
  /// Whether the reference is the cell's settings unchanged, rather than a variant the study
  /// names (or the first).
  public let referenceIsUnchanged: Bool
  /// Repeats per variant (the fewest any has).
  public let repeats: Int
  /// The variants with the highest mean best validation accuracy: one, or several tied
  /// (none when all diverged). Chosen after the results were seen.
  public let highestNames: [String]
  public let story: Story
  /// The variants whose loss became NaN or infinite.
  public let diverged: [String]
  /// Where the timed runs trained: the hosts, and the threads each run had.
  public let timing: Timing?
  /// The looks of adaptive repeats, when the cell has them.
  public let sequential: SequentialDesign?

  public struct Timing: Codable, Sendable {
    public let hosts: [String]
    public let threadsPerRun: [Int]
  }

  /// The keys that make a comparison one of regularizers (when dropout or batch
  /// normalization is among them).
  static let regularizationKeys: Set<SettingKey> = [.dropout, .batchNorm, .weightDecay, .optimizer, .inputDropout]

  /// The variant called `name`.
  public func variant(_ name: String) -> Variant? { variants.first { $0.name == name } }

  /// The variant every other is compared with.
  public var reference: Variant { variant(referenceName)! }

  /// The comparison of the variant called `name` with the reference.
  public func comparison(of name: String) -> Comparison? { variant(name)?.comparison }

  /// The variants whose comparison with the reference has `verdict`, in the study's order.
  public func variants(_ verdict: Comparison.Verdict) -> [Variant] {
    variants.filter { $0.comparison?.verdict == verdict }
  }

  /// The variants by mean validation accuracy, and what an epoch costs.
  public struct Ranking: Codable, Sendable {
    /// Every variant with the highest mean (several on a tie).
    public let highest: [String]
    public let cost: Cost?

    public enum Cost: Sendable {
      /// The slowest variant's epoch takes `costDifference` times the fastest's or more.
      case differs(fastest: String, slowest: String)
      /// About the same: the mean seconds per epoch.
      case same(mean: Double)
    }

    /// The ratio of epoch times that counts as a difference in cost: below 15%, the drift of
    /// a shared machine within one build (a few percent) and the varying share of skipped
    /// zeros blur it.
    public static let costDifference = 1.15
  }

  /// Which variant's mean validation curve first reaches a common bar: half a point below
  /// the second's mean best, rounded down to half a point, so that at least two get there.
  public struct Race: Codable, Sendable {
    public let bar: Double
    /// Every variant that got there first (several on a tie), and in which epoch.
    public let first: [String]
    public let firstEpoch: Int
    /// The last to get there, when it took longer than the first.
    public let last: EpochOf?
    public let never: [String]

    /// A variant and an epoch.
    public struct EpochOf: Codable, Sendable {
      public let name: String
      public let epoch: Int
    }

    /// A bar at or below this is no race: every network gets there in its first epoch.
    public static let lowestBar = 0.5
    /// How far below the runner-up's best the bar sits: half a point, so that the winner
    /// and the runner-up both reach it and the race is about speed, not the final score.
    public static let margin = 0.005
  }

  /// Where a larger batch stops paying: each doubling must cut an epoch's time by the
  /// `payoffRatio`; and whether accuracy falls meanwhile, as the repeats tell. Variants by
  /// name; sizes whose epochs were not timed by this cell are skipped and named.
  public struct BatchSizes: Codable, Sendable {
    /// The batch sizes with the highest mean accuracy (several on a tie).
    public let highest: [String]
    public let smallest: String
    /// One step between consecutive timed batch sizes.
    public struct Step: Codable, Sendable {
      public let small: String
      public let large: String
      /// How many times as long the small batch's epoch takes.
      public let ratio: Double
      /// The same ratio per doubling of the batch: `ratio^(1 / log₂(large / small))`.
      public let perDoubling: Double
      /// Its 95% interval, from the spread of both sides' epoch times (the log of the ratio
      /// of means by the delta method, Welch's degrees of freedom); nil with one repeat.
      public let perDoublingLow: Double?
      public let perDoublingHigh: Double?
      /// Whether the step pays by `payoffRatio`: with repeats, only when the whole interval
      /// is on one side of it; else `undecided`.
      public let pays: Payoff
    }

    public enum Payoff: String, Codable, Sendable {
      case pays, doesNotPay = "does_not_pay", undecided
    }
    public let steps: [Step]
    /// Sizes not timed by this cell (another cell trained them, or they were read off a
    /// longer run): the steps go over them.
    public let untimed: [String]
    /// The largest batch reached while every step up still paid (nil without times); when
    /// the step after it is undecided, the rule cannot say whether it pays further.
    public let payoff: String?
    public let largest: String
    /// The largest batch size against the first of the highest, repeat by repeat (nil with
    /// one repeat, or when the largest is among the highest).
    public let drop: Comparison?

    /// A step up in batch size pays while each doubling cuts an epoch's time by at least a
    /// fifth: the smaller batch's epoch takes at least `payoffRatio` times as long per
    /// doubling.
    public static let payoffRatio = 1.25
  }

  /// How each regularizer changes the signed train-validation gap of the unregularized
  /// network: a comparison of the gaps over the repeats, so that a change within the noise is
  /// called none, and a gap that turns negative is said to.
  public struct Regularization: Codable, Sendable {
    public enum Change: String, Codable, Sendable {
      /// The gap is smaller, and still not below zero.
      case narrows
      /// The gap is smaller and below zero beyond doubt: validation beats the training sample.
      case reverses
      /// The gap is larger.
      case widens
      /// Within the study's equivalence margin of no change, by the two one-sided tests.
      case unchanged
      /// The repeats cannot tell the change from none (its interval holds 0), nor show it
      /// to be within a margin.
      case undecided
      /// One repeat: no change is told.
      case single
    }

    /// A variant's signed gap and, against the unregularized one, how it changed.
    public struct Gap: Codable, Sendable {
      public let name: String
      public let gap: Spread
      /// The variant's gaps against the unregularized variant's (nil for that variant).
      public let comparison: Comparison?
      public let change: Change?
    }

    /// The unregularized variant and its gap, when the cell has one.
    public let reference: Gap?
    /// Every other variant (all of them without a reference).
    public let others: [Gap]
  }
}

/// A story as an object with its kind: `{"kind": "ranking", "ranking": {…}, "race": {…}}`.
extension CompareFacts.Story: Codable {
  enum CodingKeys: String, CodingKey {
    case kind, low, high, ranking, race, batchSizes, regularization
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .allDiverged: try c.encode("all_diverged", forKey: .kind)
    case .unscored: try c.encode("unscored", forKey: .kind)
    case .single(let low, let high):
      try c.encode("single", forKey: .kind)
      try c.encode(low, forKey: .low)
      try c.encode(high, forKey: .high)
    case .ranking(let ranking, let race):
      try c.encode("ranking", forKey: .kind)
      try c.encode(ranking, forKey: .ranking)
      try c.encodeIfPresent(race, forKey: .race)
    case .batchSizes(let sizes):
      try c.encode("batch_sizes", forKey: .kind)
      try c.encodeIfPresent(sizes, forKey: .batchSizes)
    case .regularization(let regularization):
      try c.encode("regularization", forKey: .kind)
      try c.encodeIfPresent(regularization, forKey: .regularization)
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(String.self, forKey: .kind) {
    case "all_diverged": self = .allDiverged
    case "unscored": self = .unscored
    case "single":
      self = .single(low: try c.decode(Double.self, forKey: .low), high: try c.decode(Double.self, forKey: .high))
    case "ranking":
      self = .ranking(
        try c.decode(CompareFacts.Ranking.self, forKey: .ranking),
        race: try c.decodeIfPresent(CompareFacts.Race.self, forKey: .race))
    case "batch_sizes": self = .batchSizes(try c.decodeIfPresent(CompareFacts.BatchSizes.self, forKey: .batchSizes))
    case "regularization":
      self = .regularization(try c.decodeIfPresent(CompareFacts.Regularization.self, forKey: .regularization))
    case let kind:
      throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown story '\(kind)'")
    }
  }
}

/// A cost as an object with its kind: `{"kind": "differs", "fastest": …, "slowest": …}`.
extension CompareFacts.Ranking.Cost: Codable {
  enum CodingKeys: String, CodingKey { case kind, fastest, slowest, mean }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .differs(let fastest, let slowest):
      try c.encode("differs", forKey: .kind)
      try c.encode(fastest, forKey: .fastest)
      try c.encode(slowest, forKey: .slowest)
    case .same(let mean):
      try c.encode("same", forKey: .kind)
      try c.encode(mean, forKey: .mean)
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    if try c.decode(String.self, forKey: .kind) == "differs" {
      self = .differs(
        fastest: try c.decode(String.self, forKey: .fastest), slowest: try c.decode(String.self, forKey: .slowest))
    } else {
      self = .same(mean: try c.decode(Double.self, forKey: .mean))
    }
  }
}
