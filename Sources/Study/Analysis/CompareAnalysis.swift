import NN
import Statistics
import Tensor

extension CompareFacts.Variant {
  init(name: String, runs: [RunRecord], changes: [SettingKey], cell: String, comparison: PairedComparison?) {
    self.name = name
    self.changes = changes
    self.comparison = comparison
    batchSize = runs[0].settings.batchSize
    diverged = runs.contains { $0.status == .diverged }
    bestScores = runs.map(\.bestValidationAccuracy)
    best = Spread(bestScores.filter(\.isFinite))
    bestEpoch = runs[0].bestEpoch?.epoch ?? 0
    finalLoss = Spread(runs.compactMap(\.validationLoss).filter(\.isFinite))
    let lasts = runs.compactMap(\.history.epochs.last)
    trainAccuracy = Spread(lasts.map(\.trainAccuracy))
    lastValidationAccuracy = Spread(lasts.compactMap(\.validationAccuracy))
    let gaps = lasts.compactMap { l in l.validationAccuracy.map { l.trainAccuracy - $0 } }
    gap = gaps.isEmpty ? nil : Spread(gaps)
    secondsPerEpoch = runs.allSatisfy { $0.timed(in: cell) } ? Spread(runs.map(\.secondsPerEpoch)) : nil
    curves = EpochCurves(runs)
  }
}

extension CompareFacts {
  /// Facts of `runs`, one per variant of `cell` in the same order; `settings` are the
  /// cell's, which the variants change; the bootstraps draw from `seed`'s streams (see
  /// `pairedComparison`), one per variant. `id` is the cell's, for where times were measured.
  public init(
    _ cell: CompareCell, runs: [NamedRun], settings: RunSettings, id: String = "", seed: SeedPath = SeedPath(0)
  ) {
    let referenceIndex = min(cell.reference, runs.count - 1)
    let referenceScores = runs[referenceIndex].all.map(\.bestValidationAccuracy)
    variants = zip(cell.variants, runs).enumerated().map { index, pair in
      let (variant, named) = pair
      var comparison: PairedComparison?
      if index != referenceIndex {
        let pairs = zip(named.all.map(\.bestValidationAccuracy), referenceScores).filter {
          $0.0.isFinite && $0.1.isFinite
        }
        if !pairs.isEmpty { comparison = pairedComparison(pairs.map(\.0), pairs.map(\.1), seed: seed, named.name) }
      }
      return Variant(
        name: named.name, runs: named.all, changes: settings.changedKeys(to: variant.settings), cell: id,
        comparison: comparison)
    }
    let runsByName = Dictionary(runs.map { ($0.name, $0.all) }, uniquingKeysWith: { first, _ in first })
    referenceName = variants[referenceIndex].name
    referenceIsUnchanged = cell.referenceIsUnchanged(from: settings)
    repeats = variants.map(\.bestScores.count).min() ?? 0
    diverged = variants.filter(\.diverged).map(\.name)
    let ranked = variants.filter { !$0.diverged }.sorted { $0.meanBest > $1.meanBest }
    highestName = ranked.first?.name
    guard let highest = ranked.first else {
      story = .allDiverged
      return
    }
    let keys = Set(variants.flatMap(\.changes))
    if keys == [.batchSize] {
      story = .batchSizes(BatchSizes(variants, seed: seed))
    } else if !keys.isEmpty, keys.isSubset(of: Self.regularizationKeys),
      keys.contains(.dropout) || keys.contains(.batchNorm)
    {
      story = .regularization(Regularization(variants, runs: runsByName, seed: seed))
    } else if repeats < 2 {
      story = .single(low: ranked.last!.meanBest, high: highest.meanBest)
    } else {
      let race = keys.contains(.optimizer) || keys.contains(.activation) ? Race(ranked) : nil
      story = .ranking(Ranking(ranked), race: race)
    }
  }
}

extension CompareFacts.Ranking {
  init(_ ranked: [CompareFacts.Variant]) {
    highest = ranked[0].name
    cost = Self.cost(ranked)
  }

  /// Nil when fewer than two variants were timed by the cell itself.
  static func cost(_ variants: [CompareFacts.Variant]) -> Cost? {
    let timed = variants.filter { $0.secondsPerEpoch != nil }
    guard timed.count > 1 else { return nil }
    let fast = timed.min { $0.secondsPerEpoch!.mean < $1.secondsPerEpoch!.mean }!
    let slow = timed.max { $0.secondsPerEpoch!.mean < $1.secondsPerEpoch!.mean }!
    if slow.secondsPerEpoch!.mean > costDifference * fast.secondsPerEpoch!.mean {
      return .differs(fastest: fast.name, slowest: slow.name)
    }
    return .same(mean: timed.map(\.secondsPerEpoch!.mean).reduce(0, +) / Double(timed.count))
  }
}

extension CompareFacts.Race {
  init?(_ ranked: [CompareFacts.Variant]) {
    guard ranked.count > 1 else { return nil }
    // Rounded down to half a point; the nudge keeps 0.97 × 200 = 193.99999… at 194.
    let bar = (ranked[1].meanBest * 200 + 1e-9).rounded(.down) / 200 - Self.margin
    guard bar > Self.lowestBar else { return nil }
    let reached = ranked.compactMap { v -> (String, Int)? in
      v.curves.validationAccuracy.mean.firstIndex { $0 >= bar }.map { (v.name, $0 + 1) }
    }.sorted { $0.1 < $1.1 }
    guard let first = reached.first else { return nil }
    self.bar = bar
    self.first = reached.filter { $0.1 == first.1 }.map(\.0)
    firstEpoch = first.1
    last = reached.last.flatMap { $0.1 > first.1 ? EpochOf(name: $0.0, epoch: $0.1) : nil }
    never = ranked.filter { v in !reached.contains { $0.0 == v.name } }.map(\.name)
  }
}

extension CompareFacts.BatchSizes {
  init?(_ variants: [CompareFacts.Variant], seed: SeedPath) {
    let sorted = variants.filter { !$0.diverged }.sorted { $0.batchSize < $1.batchSize }
    guard sorted.count > 1, let highest = sorted.max(by: { $0.meanBest < $1.meanBest }) else { return nil }
    let timed = sorted.filter { $0.secondsPerEpoch != nil }
    var payoff = timed.first
    for (small, large) in zip(timed, timed.dropFirst()) {
      if small.secondsPerEpoch!.mean / large.secondsPerEpoch!.mean < Self.payoffRatio { break }
      payoff = large
    }
    self.highest = highest.name
    smallest = sorted[0].name
    self.payoff = payoff?.name
    let largest = sorted[sorted.count - 1]
    self.largest = largest.name
    if largest.name != highest.name, sorted.allSatisfy({ $0.bestScores.count > 1 }) {
      drop = pairedComparison(largest.bestScores, highest.bestScores, seed: seed, "largest batch")
    } else {
      drop = nil
    }
  }
}

extension CompareFacts.Regularization {
  /// `runs` are each variant's repeats, by name.
  init?(_ variants: [CompareFacts.Variant], runs: [String: [RunRecord]], seed: SeedPath = SeedPath(0)) {
    let valid = variants.filter { !$0.diverged && $0.gap != nil }
    guard !valid.isEmpty else { return nil }
    func gaps(_ v: CompareFacts.Variant) -> [Double] {
      (runs[v.name] ?? []).compactMap { r in
        r.history.epochs.last.flatMap { l in l.validationAccuracy.map { l.trainAccuracy - $0 } }
      }
    }
    let none = valid.first { v in (runs[v.name]?.first?.settings.isUnregularized ?? false) }
    if let none, let reference = none.gap {
      self.reference = Gap(name: none.name, gap: reference, verdict: nil)
      let referenceSizes = gaps(none).map(abs)
      others = valid.filter { $0.name != none.name }.map { v in
        let size = abs(v.gap!.mean)
        let sizes = gaps(v).map(abs)
        var verdict: Verdict
        if sizes.count >= 2 && sizes.count == referenceSizes.count {
          // "Better" here: the unregularized gap is the larger one.
          switch pairedComparison(referenceSizes, sizes, seed: seed, "gap", v.name).verdict {
          case .better: verdict = size < reference.mean * Self.mostOfTheGap ? .closesMost : .narrows
          case .worse: verdict = .doesNotNarrow
          case .indistinguishable, .single: verdict = .unchanged
          }
        } else {
          verdict =
            size < reference.mean * Self.mostOfTheGap
            ? .closesMost : size < reference.mean ? .narrows : .doesNotNarrow
        }
        return Gap(name: v.name, gap: v.gap!, verdict: verdict)
      }
    } else {
      reference = nil
      others = valid.map { Gap(name: $0.name, gap: $0.gap!, verdict: nil) }
    }
  }
}
