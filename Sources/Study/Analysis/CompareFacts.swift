import NN

/// What a compare cell's variants show. Which story fits depends on what the variants
/// change: batch sizes are a trade of time for accuracy, regularizers a change of the
/// train-validation gap, anything else a ranking.
public struct CompareFacts: Sendable {
  /// A variant's numbers, read once.
  public struct Variant: Sendable {
    public let name: String
    public let run: RunRecord
    /// The keys the variant changes from the cell's settings.
    public let changes: [SettingKey]
    /// The best validation accuracy (−1 when the run has none).
    public let best: Double
    public let bestEpoch: Int
    /// The last epoch's training minus validation accuracy.
    public let gap: Double?
    public let secondsPerEpoch: Double
    public var diverged: Bool { run.status == .diverged }

    init(name: String, run: RunRecord, changes: [SettingKey]) {
      self.name = name
      self.run = run
      self.changes = changes
      best = run.bestEpoch?.validationAccuracy ?? -1
      bestEpoch = run.bestEpoch?.epoch ?? 0
      let last = run.history.epochs.last
      gap = last.flatMap { l in l.validationAccuracy.map { l.trainAccuracy - $0 } }
      secondsPerEpoch = run.history.epochs.reduce(0) { $0 + $1.seconds } / Double(max(run.history.epochs.count, 1))
    }
  }

  public enum Story: Sendable {
    /// No variant trained to the end.
    case allDiverged
    case ranking(Ranking, race: Race?)
    /// Nil when fewer than two batch sizes trained.
    case batchSizes(BatchSizes?)
    /// Nil when no variant has a train-validation gap.
    case regularization(Regularization?)
  }

  /// The variants in the study file's order.
  public let variants: [Variant]
  /// The best variant by validation accuracy (nil when all diverged).
  public let winner: Variant?
  public let story: Story
  /// The variants whose loss became NaN or infinite.
  public let diverged: [String]

  /// The keys that make a comparison one of regularizers (when dropout or batch
  /// normalization is among them).
  static let regularizationKeys: Set<SettingKey> = [.dropout, .batchNorm, .weightDecay, .optimizer, .inputDropout]

  /// Facts of `runs`, one per variant of `cell` in the same order; `settings` are the
  /// cell's, which the variants change.
  public init(_ cell: CompareCell, runs: [NamedRun], settings: RunSettings) {
    variants = zip(cell.variants, runs).map { variant, named in
      Variant(name: named.name, run: named.run, changes: settings.changedKeys(to: variant.settings))
    }
    diverged = variants.filter(\.diverged).map(\.name)
    let ranked = variants.filter { !$0.diverged }.sorted { $0.best > $1.best }
    winner = ranked.first
    guard winner != nil else {
      story = .allDiverged
      return
    }
    let keys = Set(variants.flatMap(\.changes))
    if keys == [.batchSize] {
      story = .batchSizes(BatchSizes(variants))
    } else if !keys.isEmpty, keys.isSubset(of: Self.regularizationKeys),
      keys.contains(.dropout) || keys.contains(.batchNorm)
    {
      story = .regularization(Regularization(variants))
    } else {
      let race = keys.contains(.optimizer) || keys.contains(.activation) ? Race(ranked) : nil
      story = .ranking(Ranking(ranked), race: race)
    }
  }

  /// The variants by validation accuracy, and what an epoch costs.
  public struct Ranking: Sendable {
    public let winner: Variant
    /// The second best and how far behind it is.
    public let runnerUp: (name: String, margin: Double)?
    /// The last of three or more, and how far behind.
    public let last: (name: String, margin: Double)?
    public let cost: Cost

    public enum Cost: Sendable {
      /// The slowest variant's epoch takes `costDifference` times the fastest's or more.
      case differs(fastest: Variant, slowest: Variant)
      /// About the same: the mean seconds per epoch.
      case same(mean: Double)
    }

    /// The ratio of epoch times that counts as a difference in cost: below 15%, the drift of
    /// a shared machine within one build (a few percent) and the varying share of skipped
    /// zeros blur it.
    public static let costDifference = 1.15

    init(_ ranked: [Variant]) {
      winner = ranked[0]
      runnerUp = ranked.count > 1 ? (ranked[1].name, ranked[0].best - ranked[1].best) : nil
      last = ranked.count > 2 ? (ranked[ranked.count - 1].name, ranked[0].best - ranked[ranked.count - 1].best) : nil
      let fast = ranked.min { $0.secondsPerEpoch < $1.secondsPerEpoch }!
      let slow = ranked.max { $0.secondsPerEpoch < $1.secondsPerEpoch }!
      if slow.secondsPerEpoch > Self.costDifference * fast.secondsPerEpoch {
        cost = .differs(fastest: fast, slowest: slow)
      } else {
        cost = .same(mean: ranked.map(\.secondsPerEpoch).reduce(0, +) / Double(ranked.count))
      }
    }
  }

  /// Which variant first reaches a common bar of validation accuracy: half a point below
  /// the runner-up's best, rounded down to half a point, so that at least two get there.
  public struct Race: Sendable {
    public let bar: Double
    public let first: (name: String, epoch: Int)
    /// The last to get there, when more than one did.
    public let last: (name: String, epoch: Int)?
    public let never: [String]

    /// A bar at or below this is no race: every network gets there in its first epoch.
    public static let lowestBar = 0.5
    /// How far below the runner-up's best the bar sits: half a point, so that the winner
    /// and the runner-up both reach it and the race is about speed, not the final score.
    public static let margin = 0.005

    init?(_ ranked: [Variant]) {
      guard ranked.count > 1 else { return nil }
      let bar = (ranked[1].best * 200).rounded(.down) / 200 - Self.margin
      guard bar > Self.lowestBar else { return nil }
      let reached = ranked.compactMap { v -> (String, Int)? in
        v.run.history.epochs.first { ($0.validationAccuracy ?? 0) >= bar }.map { (v.name, $0.epoch) }
      }.sorted { $0.1 < $1.1 }
      guard let first = reached.first else { return nil }
      self.bar = bar
      self.first = first
      last = reached.count > 1 ? reached.last : nil
      never = ranked.filter { v in !reached.contains { $0.0 == v.name } }.map(\.name)
    }
  }

  /// Where a larger batch stops paying: each doubling must cut an epoch's time by at least
  /// a fifth.
  public struct BatchSizes: Sendable {
    public let best: Variant
    public let smallest: Variant
    /// The largest batch reached while every step up still paid.
    public let payoff: Variant
    public let largest: Variant
    /// How far the largest batch ends below the best, when that is `shownDrop` or more.
    public let drop: Double?

    /// A step up in batch size pays while the smaller batch's epoch takes at least 1.25
    /// times as long as the larger's (the larger saves a fifth).
    public static let payoffRatio = 1.25
    /// A drop of less than a tenth of a point (6 of 6,000 validation images) is not told.
    public static let shownDrop = 0.001

    init?(_ variants: [Variant]) {
      let sorted = variants.filter { !$0.diverged }.sorted { $0.run.settings.batchSize < $1.run.settings.batchSize }
      guard sorted.count > 1, let best = sorted.max(by: { $0.best < $1.best }) else { return nil }
      var payoff = sorted[0]
      for (small, large) in zip(sorted, sorted.dropFirst()) {
        if small.secondsPerEpoch / large.secondsPerEpoch < Self.payoffRatio { break }
        payoff = large
      }
      self.best = best
      smallest = sorted[0]
      self.payoff = payoff
      largest = sorted[sorted.count - 1]
      let drop = best.best - largest.best
      self.drop = drop > Self.shownDrop ? drop : nil
    }
  }

  /// How each regularizer changes the train-validation gap of the unregularized network.
  public struct Regularization: Sendable {
    public enum Verdict: Sendable {
      /// The gap is less than half the unregularized one.
      case closesMost
      case narrows
      case doesNotNarrow
    }

    /// A regularizer "closes most of" the gap when it leaves less than this share of it.
    public static let mostOfTheGap = 0.5

    /// The unregularized variant and its gap, when the cell has one.
    public let reference: (name: String, gap: Double)?
    /// Every other variant (all of them without a reference), with its gap and, against a
    /// reference, its verdict.
    public let others: [(name: String, gap: Double, verdict: Verdict?)]

    init?(_ variants: [Variant]) {
      let valid = variants.filter { !$0.diverged && $0.gap != nil }
      guard !valid.isEmpty else { return nil }
      if let none = valid.first(where: { $0.run.settings.isUnregularized }), let reference = none.gap {
        self.reference = (none.name, reference)
        others = valid.filter { $0.name != none.name }.map { v in
          let gap = v.gap!
          let verdict: Verdict =
            abs(gap) < reference * Self.mostOfTheGap ? .closesMost : abs(gap) < reference ? .narrows : .doesNotNarrow
          return (v.name, gap, verdict)
        }
      } else {
        reference = nil
        others = valid.map { ($0.name, $0.gap!, nil) }
      }
    }
  }
}
