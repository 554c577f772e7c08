import NN
import Statistics
import Tensor

/// What a compare cell's variants show, over their repeats. Each variant is compared with
/// the cell's reference, repeat by repeat; a variant is better or worse only when the
/// paired comparison says so (`PairedComparison.verdict`), and with one repeat nothing is
/// ranked. Which story fits depends on what the variants change: batch sizes are a trade of
/// time for accuracy, regularizers a change of the train-validation gap, anything else a
/// ranking.
public struct CompareFacts: Sendable {
  /// A variant's numbers over its repeats, read once.
  public struct Variant: Sendable {
    public let name: String
    /// Every repeat, repeat 0 first.
    public let runs: [RunRecord]
    /// The keys the variant changes from the cell's settings.
    public let changes: [SettingKey]
    /// The best validation accuracy of each repeat.
    public let bestScores: [Double]
    public let best: Spread
    /// Repeat 0's best epoch.
    public let bestEpoch: Int
    public let finalLoss: Spread
    public let trainAccuracy: Spread
    /// The last epoch's training minus validation accuracy.
    public let gap: Spread?
    /// Seconds per epoch, nil when they were not measured by this cell's build like its
    /// peers' (the run came from another cell, or was read off a longer run).
    public let secondsPerEpoch: Spread?
    /// Whether any repeat's loss became NaN or infinite.
    public let diverged: Bool

    /// Repeat 0.
    public var run: RunRecord { runs[0] }
    /// The mean best validation accuracy (−1 when the runs have none), for ordering.
    public var meanBest: Double { best.mean.isFinite ? best.mean : -1 }

    init(name: String, runs: [RunRecord], changes: [SettingKey], cell: String) {
      self.name = name
      self.runs = runs
      self.changes = changes
      diverged = runs.contains { $0.status == .diverged }
      bestScores = runs.map(\.bestValidationAccuracy)
      best = Spread(bestScores.filter(\.isFinite))
      bestEpoch = runs[0].bestEpoch?.epoch ?? 0
      finalLoss = Spread(runs.compactMap(\.validationLoss).filter(\.isFinite))
      let lasts = runs.compactMap(\.history.epochs.last)
      trainAccuracy = Spread(lasts.map(\.trainAccuracy))
      let gaps = lasts.compactMap { l in l.validationAccuracy.map { l.trainAccuracy - $0 } }
      gap = gaps.isEmpty ? nil : Spread(gaps)
      secondsPerEpoch = runs.allSatisfy { $0.timed(in: cell) } ? Spread(runs.map(\.secondsPerEpoch)) : nil
    }
  }

  public enum Story: Sendable {
    /// No variant trained to the end.
    case allDiverged
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
  /// The variant every other is compared with.
  public let reference: Variant
  /// Whether the reference is the cell's settings unchanged, rather than a variant the study
  /// names (or the first).
  public let referenceIsUnchanged: Bool
  /// Each other variant that trained against the reference, by position in `variants`.
  public let comparisons: [Int: PairedComparison]
  /// Repeats per variant.
  public let repeats: Int
  /// The variant with the highest mean best validation accuracy (nil when all diverged).
  public let highest: Variant?
  public let story: Story
  /// The variants whose loss became NaN or infinite.
  public let diverged: [String]

  /// The keys that make a comparison one of regularizers (when dropout or batch
  /// normalization is among them).
  static let regularizationKeys: Set<SettingKey> = [.dropout, .batchNorm, .weightDecay, .optimizer, .inputDropout]

  /// Facts of `runs`, one per variant of `cell` in the same order; `settings` are the
  /// cell's, which the variants change; the bootstraps draw from `seed`'s streams, one per
  /// variant. `id` is the cell's, for where times were measured.
  public init(
    _ cell: CompareCell, runs: [NamedRun], settings: RunSettings, id: String = "", seed: SeedPath = SeedPath(0)
  ) {
    variants = zip(cell.variants, runs).map { variant, named in
      Variant(name: named.name, runs: named.all, changes: settings.changedKeys(to: variant.settings), cell: id)
    }
    reference = variants[min(cell.reference, variants.count - 1)]
    referenceIsUnchanged = cell.referenceIsUnchanged(from: settings)
    repeats = variants.map(\.runs.count).min() ?? 0
    var comparisons: [Int: PairedComparison] = [:]
    for (index, variant) in variants.enumerated() where index != cell.reference {
      let pairs = zip(variant.bestScores, reference.bestScores).filter { $0.0.isFinite && $0.1.isFinite }
      guard !pairs.isEmpty else { continue }
      var generator = seed.child("bootstrap").child(variant.name).generator
      comparisons[index] = PairedComparison(pairs.map(\.0), pairs.map(\.1), generator: &generator)
    }
    self.comparisons = comparisons
    diverged = variants.filter(\.diverged).map(\.name)
    let ranked = variants.filter { !$0.diverged }.sorted { $0.meanBest > $1.meanBest }
    highest = ranked.first
    guard let highest else {
      story = .allDiverged
      return
    }
    let keys = Set(variants.flatMap(\.changes))
    if keys == [.batchSize] {
      story = .batchSizes(BatchSizes(variants, seed: seed))
    } else if !keys.isEmpty, keys.isSubset(of: Self.regularizationKeys),
      keys.contains(.dropout) || keys.contains(.batchNorm)
    {
      story = .regularization(Regularization(variants, seed: seed))
    } else if repeats < 2 {
      story = .single(low: ranked.last!.meanBest, high: highest.meanBest)
    } else {
      let race = keys.contains(.optimizer) || keys.contains(.activation) ? Race(ranked) : nil
      story = .ranking(Ranking(ranked), race: race)
    }
  }

  /// The comparison of the variant called `name` with the reference.
  public func comparison(of name: String) -> PairedComparison? {
    variants.firstIndex { $0.name == name }.flatMap { comparisons[$0] }
  }

  /// The variants whose comparison with the reference has `verdict`, in the study's order.
  public func variants(_ verdict: PairedComparison.Verdict) -> [Variant] {
    variants.indices.filter { comparisons[$0]?.verdict == verdict }.map { variants[$0] }
  }

  /// The variants by mean validation accuracy, and what an epoch costs.
  public struct Ranking: Sendable {
    public let highest: Variant
    public let cost: Cost?

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
      highest = ranked[0]
      cost = Self.cost(ranked)
    }

    /// Nil when fewer than two variants were timed by the cell itself.
    static func cost(_ variants: [Variant]) -> Cost? {
      let timed = variants.filter { $0.secondsPerEpoch != nil }
      guard timed.count > 1 else { return nil }
      let fast = timed.min { $0.secondsPerEpoch!.mean < $1.secondsPerEpoch!.mean }!
      let slow = timed.max { $0.secondsPerEpoch!.mean < $1.secondsPerEpoch!.mean }!
      if slow.secondsPerEpoch!.mean > costDifference * fast.secondsPerEpoch!.mean {
        return .differs(fastest: fast, slowest: slow)
      }
      return .same(mean: timed.map(\.secondsPerEpoch!.mean).reduce(0, +) / Double(timed.count))
    }
  }

  /// Which variant's mean validation curve first reaches a common bar: half a point below
  /// the second's mean best, rounded down to half a point, so that at least two get there.
  public struct Race: Sendable {
    public let bar: Double
    /// Every variant that got there first (several on a tie), and in which epoch.
    public let first: (names: [String], epoch: Int)
    /// The last to get there, when it took longer than the first.
    public let last: (name: String, epoch: Int)?
    public let never: [String]

    /// A bar at or below this is no race: every network gets there in its first epoch.
    public static let lowestBar = 0.5
    /// How far below the runner-up's best the bar sits: half a point, so that the winner
    /// and the runner-up both reach it and the race is about speed, not the final score.
    public static let margin = 0.005

    init?(_ ranked: [Variant]) {
      guard ranked.count > 1 else { return nil }
      // Rounded down to half a point; the nudge keeps 0.97 × 200 = 193.99999… at 194.
      let bar = (ranked[1].meanBest * 200 + 1e-9).rounded(.down) / 200 - Self.margin
      guard bar > Self.lowestBar else { return nil }
      let reached = ranked.compactMap { v -> (String, Int)? in
        epochSpreads(v.runs, \.validationAccuracy).firstIndex { $0.mean >= bar }.map { (v.name, $0 + 1) }
      }.sorted { $0.1 < $1.1 }
      guard let first = reached.first else { return nil }
      self.bar = bar
      self.first = (reached.filter { $0.1 == first.1 }.map(\.0), first.1)
      last = reached.last.flatMap { $0.1 > first.1 ? $0 : nil }
      never = ranked.filter { v in !reached.contains { $0.0 == v.name } }.map(\.name)
    }
  }

  /// Where a larger batch stops paying: each doubling must cut an epoch's time by at least
  /// a fifth; and whether accuracy falls meanwhile, as the repeats tell.
  public struct BatchSizes: Sendable {
    /// The batch size with the highest mean accuracy.
    public let highest: Variant
    public let smallest: Variant
    /// The largest batch reached while every step up still paid (nil without times).
    public let payoff: Variant?
    public let largest: Variant
    /// The largest batch size against the highest, repeat by repeat (nil with one repeat,
    /// or when the largest is the highest).
    public let drop: PairedComparison?

    /// A step up in batch size pays while the smaller batch's epoch takes at least 1.25
    /// times as long as the larger's (the larger saves a fifth).
    public static let payoffRatio = 1.25

    init?(_ variants: [Variant], seed: SeedPath) {
      let sorted = variants.filter { !$0.diverged }.sorted { $0.run.settings.batchSize < $1.run.settings.batchSize }
      guard sorted.count > 1, let highest = sorted.max(by: { $0.meanBest < $1.meanBest }) else { return nil }
      let timed = sorted.filter { $0.secondsPerEpoch != nil }
      var payoff = timed.first
      for (small, large) in zip(timed, timed.dropFirst()) {
        if small.secondsPerEpoch!.mean / large.secondsPerEpoch!.mean < Self.payoffRatio { break }
        payoff = large
      }
      self.highest = highest
      smallest = sorted[0]
      self.payoff = payoff
      largest = sorted[sorted.count - 1]
      if largest.name != highest.name, sorted.allSatisfy({ $0.runs.count > 1 }) {
        var generator = seed.child("bootstrap").child("largest batch").generator
        drop = PairedComparison(largest.bestScores, highest.bestScores, generator: &generator)
      } else {
        drop = nil
      }
    }
  }

  /// How each regularizer changes the train-validation gap of the unregularized network:
  /// with repeats, by a paired comparison of the gaps' sizes, so that a change within the
  /// noise is called none.
  public struct Regularization: Sendable {
    public enum Verdict: Sendable {
      /// The gap is smaller, and less than half the unregularized one.
      case closesMost
      case narrows
      /// The repeats cannot tell the gap from the unregularized one.
      case unchanged
      case doesNotNarrow
    }

    /// A regularizer "closes most of" the gap when it leaves less than this share of it.
    public static let mostOfTheGap = 0.5

    /// The unregularized variant and its gap, when the cell has one.
    public let reference: (name: String, gap: Spread)?
    /// Every other variant (all of them without a reference), with its gap and, against a
    /// reference, its verdict.
    public let others: [(name: String, gap: Spread, verdict: Verdict?)]

    init?(_ variants: [Variant], seed: SeedPath = SeedPath(0)) {
      let valid = variants.filter { !$0.diverged && $0.gap != nil }
      guard !valid.isEmpty else { return nil }
      func gaps(_ v: Variant) -> [Double] {
        v.runs.compactMap { r in
          r.history.epochs.last.flatMap { l in l.validationAccuracy.map { l.trainAccuracy - $0 } }
        }
      }
      if let none = valid.first(where: { $0.run.settings.isUnregularized }), let reference = none.gap {
        self.reference = (none.name, reference)
        let referenceSizes = gaps(none).map(abs)
        others = valid.filter { $0.name != none.name }.map { v in
          let size = abs(v.gap!.mean)
          let sizes = gaps(v).map(abs)
          var verdict: Verdict
          if sizes.count >= 2 && sizes.count == referenceSizes.count {
            var generator = seed.child("bootstrap").child("gap").child(v.name).generator
            // "Better" here: the unregularized gap is the larger one.
            switch PairedComparison(referenceSizes, sizes, generator: &generator).verdict {
            case .better: verdict = size < reference.mean * Self.mostOfTheGap ? .closesMost : .narrows
            case .worse: verdict = .doesNotNarrow
            case .indistinguishable, .single: verdict = .unchanged
            }
          } else {
            verdict =
              size < reference.mean * Self.mostOfTheGap
              ? .closesMost : size < reference.mean ? .narrows : .doesNotNarrow
          }
          return (v.name, v.gap!, verdict)
        }
      } else {
        reference = nil
        others = valid.map { ($0.name, $0.gap!, nil) }
      }
    }
  }
}
