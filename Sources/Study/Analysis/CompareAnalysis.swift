import Foundation
import NN
import Statistics
import Tensor

extension CompareFacts.Variant {
  init(
    name: String, runs: [RunRecord], changes: [SettingKey], cell: String, comparison: Comparison?,
    stoppedAt: Int? = nil
  ) {
    self.name = name
    self.stoppedAt = stoppedAt
    self.changes = changes
    self.comparison = comparison
    batchSize = runs[0].settings.batchSize
    diverged = runs.contains { $0.status == .diverged }
    bestScores = runs.map(\.bestValidationAccuracy)
    best = Spread(bestScores.filter(\.isFinite))
    bestEpoch = runs[0].bestEpoch?.epoch ?? 0
    finalLoss = Spread(runs.compactMap(\.validationLoss).filter(\.isFinite))
    validationAccuracy = Spread(runs.compactMap(\.validationAccuracy).filter(\.isFinite))
    let gaps = runs.compactMap(\.gap)
    if !diverged && gaps.count == runs.count {
      trainAccuracy = Spread(runs.compactMap { $0.trainEvaluation?.accuracy })
      gap = Spread(gaps)
    } else {
      (trainAccuracy, gap) = (nil, nil)
    }
    secondsPerEpoch = runs.allSatisfy { $0.timed(in: cell) } ? Spread(runs.map(\.secondsPerEpoch)) : nil
    curves = EpochCurves(runs)
  }
}

extension RunRecord {
  /// The kept weights' accuracy on the training sample minus on the validation part (nil
  /// without either).
  var gap: Double? {
    guard let train = trainEvaluation?.accuracy, let validation = validationAccuracy else { return nil }
    return train - validation
  }
}

extension CompareFacts {
  /// Facts of `runs`, one per variant of `cell` in the same order; `settings` are the
  /// cell's, which the variants change. Each variant is compared with the reference, paired
  /// when they share their random numbers, and the comparisons corrected together (Holm);
  /// the bootstraps draw from `seed`'s streams (see `comparison`), one per variant. `id` is
  /// the cell's, for where times were measured; `margin` the study's equivalence margin.
  public init(
    _ cell: CompareCell, runs: [NamedRun], settings: RunSettings, id: String = "", seed: SeedPath = SeedPath(0),
    margin: Double? = nil
  ) {
    let referenceIndex = min(cell.reference, runs.count - 1)
    let reference = runs[referenceIndex]
    let referenceScores = reference.all.map(\.bestValidationAccuracy)
    let keys = Set(zip(cell.variants, runs).flatMap { settings.changedKeys(to: $0.0.settings) })
    let batchStory = keys == [.batchSize]
    // The cell's comparisons with its reference, and for batch sizes the largest against the
    // highest: one family for Holm's correction.
    var family: [Comparison?] = zip(cell.variants, runs).enumerated().map { index, pair in
      guard index != referenceIndex else { return nil }
      return compared(
        pair.1.all.map(\.bestValidationAccuracy), referenceScores,
        design: design(
          pair.0.settings, cell.variants[referenceIndex].settings, counts: (pair.1.all.count, reference.all.count)),
        margin: margin, seed: seed,
        pair.1.name)
    }
    var drop: (largest: NamedRun, highest: NamedRun)?
    // With adaptive repeats the looks decided the comparisons: replayed from the runs.
    var stops: [Int?] = runs.map { _ in nil }
    if let plan = cell.replication.sequential {
      (family, stops) = Self.replay(
        plan, cell, runs: runs, reference: referenceIndex, margin: margin, seed: seed)
    }
    if batchStory && cell.replication.sequential == nil {
      let trained = runs.filter { $0.all.allSatisfy { $0.status != .diverged } }
      let means = trained.map { Spread($0.all.map(\.bestValidationAccuracy)).mean }
      if let largest = trained.max(by: { $0.run.settings.batchSize < $1.run.settings.batchSize }),
        let top = means.max(), let highest = zip(trained, means).first(where: { $0.1 == top })?.0,
        Spread(largest.all.map(\.bestValidationAccuracy)).mean < top, trained.allSatisfy({ $0.all.count > 1 })
      {
        drop = (largest, highest)
        family.append(
          compared(
            largest.all.map(\.bestValidationAccuracy), highest.all.map(\.bestValidationAccuracy),
            design: design(
              largest.run.settings, highest.run.settings, counts: (largest.all.count, highest.all.count)),
            margin: margin, seed: seed, "largest batch"))
      }
    }
    let corrected = cell.replication.sequential == nil ? Comparison.holm(family) : family
    variants = zip(cell.variants, runs).enumerated().map { index, pair in
      Variant(
        name: pair.1.name, runs: pair.1.all, changes: settings.changedKeys(to: pair.0.settings), cell: id,
        comparison: corrected[index], stoppedAt: stops[index])
    }
    sequential = cell.replication.sequential
    referenceName = variants[referenceIndex].name
    let timed = zip(variants, runs).filter { $0.0.secondsPerEpoch != nil }.flatMap { $0.1.all }.compactMap(\.trainedOn)
    timing =
      timed.isEmpty
      ? nil : Timing(hosts: Set(timed.map(\.host)).sorted(), threadsPerRun: Set(timed.map(\.threads)).sorted())
    referenceIsUnchanged = cell.referenceIsUnchanged(from: settings)
    repeats = variants.map(\.bestScores.count).min() ?? 0
    diverged = variants.filter(\.diverged).map(\.name)
    let ranked = variants.filter { !$0.diverged }.sorted { $0.meanBest > $1.meanBest }
    let scored = ranked.filter { $0.best.mean.isFinite }
    highestNames = scored.filter { $0.meanBest == scored.first?.meanBest }.map(\.name)
    guard let highest = scored.first else {
      story = ranked.isEmpty ? .allDiverged : .unscored
      return
    }
    if batchStory {
      story = .batchSizes(
        BatchSizes(variants, drop: drop.flatMap { _ in corrected.last ?? nil }, dropLargest: drop?.largest.name))
    } else if !keys.isEmpty, keys.isSubset(of: Self.regularizationKeys),
      keys.contains(.dropout) || keys.contains(.batchNorm)
    {
      let byName = Dictionary(runs.map { ($0.name, $0.all) }, uniquingKeysWith: { first, _ in first })
      story = .regularization(Regularization(variants, runs: byName, seed: seed, margin: margin))
    } else if repeats < 2 {
      story = .single(low: scored.last!.meanBest, high: highest.meanBest)
    } else {
      let race = keys.contains(.optimizer) || keys.contains(.activation) ? Race(ranked) : nil
      story = .ranking(Ranking(ranked), race: race)
    }
  }
}

extension CompareFacts {
  /// The looks of adaptive repeats replayed from the runs (`CompareCell.look`, the rule the
  /// build followed): each variant's comparison at the look that decided it, computed in
  /// full (P(better)'s interval, the detectable difference) on that look's repeats and
  /// tested as the look tested it; and the repeats it stopped at (nil: not compared).
  static func replay(
    _ plan: SequentialDesign, _ cell: CompareCell, runs: [NamedRun], reference: Int, margin: Double?,
    seed: SeedPath
  ) -> ([Comparison?], [Int?]) {
    let records = runs.map(\.all)
    let settings = cell.variants.map(\.settings)
    var open = Set(runs.indices).subtracting([reference])
    var decided: [Int: (comparison: Comparison?, look: Int)] = [:]
    for look in plan.looks.indices where !open.isEmpty {
      let stopped = CompareCell.look(
        look, of: plan, reference: reference, open: open, runs: records, settings: settings, margin: margin)
      for (v, comparison) in stopped { decided[v] = (comparison, look) }
      open.subtract(stopped.keys)
    }
    var family: [Comparison?] = runs.map { _ in nil }
    var stops: [Int?] = runs.map { _ in nil }
    for (v, (interim, look)) in decided {
      let n = plan.looks[look]
      stops[v] = n
      guard let interim else { continue }
      let full = compared(
        records[v].prefix(n).map(\.bestValidationAccuracy), records[reference].prefix(n).map(\.bestValidationAccuracy),
        design: interim.design, margin: margin, seed: seed, runs[v].name)
      family[v] = full?.within(
        family: interim.family, adjustedP: interim.adjustedP, adjustedEquivalenceP: interim.adjustedEquivalenceP,
        level: interim.level)
    }
    return (family, stops)
  }
}

extension CompareFacts.Ranking {
  init(_ ranked: [CompareFacts.Variant]) {
    highest = ranked.filter { $0.meanBest == ranked[0].meanBest }.map(\.name)
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
  /// `drop` is the largest batch (`dropLargest`) against the highest, corrected with the
  /// cell's comparisons.
  init?(_ variants: [CompareFacts.Variant], drop: Comparison?, dropLargest: String?) {
    let sorted = variants.filter { !$0.diverged }.sorted { $0.batchSize < $1.batchSize }
    guard sorted.count > 1, let top = sorted.map(\.meanBest).max() else { return nil }
    highest = sorted.filter { $0.meanBest == top }.map(\.name)
    let timed = sorted.filter { $0.secondsPerEpoch != nil }
    untimed = sorted.filter { $0.secondsPerEpoch == nil }.map(\.name)
    steps = zip(timed, timed.dropFirst()).map { small, large in
      let (a, b) = (small.secondsPerEpoch!, large.secondsPerEpoch!)
      let ratio = a.mean / b.mean
      let doublings = log2(Double(large.batchSize) / Double(small.batchSize))
      let perDoubling = pow(ratio, 1 / doublings)
      var (low, high): (Double?, Double?) = (nil, nil)
      let verdict: Payoff
      if let interval = Self.logRatioInterval(a, b) {
        (low, high) = (exp(interval.low / doublings), exp(interval.high / doublings))
        verdict = low! >= Self.payoffRatio ? .pays : high! < Self.payoffRatio ? .doesNotPay : .undecided
      } else {
        verdict = perDoubling >= Self.payoffRatio ? .pays : .doesNotPay
      }
      return Step(
        small: small.name, large: large.name, ratio: ratio, perDoubling: perDoubling, perDoublingLow: low,
        perDoublingHigh: high, pays: verdict)
    }
    var payoff = timed.first?.name
    for step in steps {
      guard step.pays == .pays else { break }
      payoff = step.large
    }
    self.payoff = payoff
    smallest = sorted[0].name
    largest = sorted[sorted.count - 1].name
    self.drop = dropLargest == largest ? drop : nil
  }
}

extension CompareFacts.BatchSizes {
  /// The 95% interval of log(mean a / mean b) from two spreads: the delta method's
  /// variance `sd_a² / (n_a mean_a²) + sd_b² / (n_b mean_b²)`, with Welch–Satterthwaite
  /// degrees of freedom; nil when either side has no spread, or no spread at all.
  static func logRatioInterval(_ a: Spread, _ b: Spread) -> (low: Double, high: Double)? {
    guard let sa = a.sd, let sb = b.sd, a.mean > 0, b.mean > 0 else { return nil }
    let va = sa * sa / (Double(a.n) * a.mean * a.mean)
    let vb = sb * sb / (Double(b.n) * b.mean * b.mean)
    let center = log(a.mean / b.mean)
    guard va + vb > 0 else { return (center, center) }
    let df = (va + vb) * (va + vb) / (va * va / Double(a.n - 1) + vb * vb / Double(b.n - 1))
    let half = StudentT(degreesOfFreedom: df).quantile(1 - (1 - Spread.confidence) / 2) * (va + vb).squareRoot()
    return (center - half, center + half)
  }
}

extension CompareFacts.Regularization {
  /// `runs` are each variant's repeats, by name; `margin` the study's equivalence margin.
  init?(_ variants: [CompareFacts.Variant], runs: [String: [RunRecord]], seed: SeedPath = SeedPath(0), margin: Double?)
  {
    let valid = variants.filter { !$0.diverged && $0.gap != nil }
    guard !valid.isEmpty else { return nil }
    func gaps(_ v: CompareFacts.Variant) -> [Double] { (runs[v.name] ?? []).compactMap(\.gap) }
    let none = valid.first { v in (runs[v.name]?.first?.settings.isUnregularized ?? false) }
    guard let none, let reference = none.gap, let noneSettings = runs[none.name]?.first?.settings else {
      self.reference = nil
      others = valid.map { Gap(name: $0.name, gap: $0.gap!, comparison: nil, change: nil) }
      return
    }
    self.reference = Gap(name: none.name, gap: reference, comparison: nil, change: nil)
    let others = valid.filter { $0.name != none.name }
    // The gaps' changes are one family of comparisons, apart from the accuracies'.
    let family = Comparison.holm(
      others.map { v in
        compared(
          gaps(v), gaps(none),
          design: design(runs[v.name]?.first?.settings, noneSettings, counts: (gaps(v).count, gaps(none).count)),
          margin: margin,
          seed: seed, "gap", v.name)
      })
    self.others = zip(others, family).map { v, comparison in
      let change: Change
      switch comparison?.verdict {
      case .worse?:
        change = (v.gap!.high ?? v.gap!.mean) < 0 ? .reverses : .narrows
      case .better?: change = .widens
      case .equivalent?: change = .unchanged
      case .indistinguishable?: change = .undecided
      case .single?, nil: change = .single
      }
      return Gap(name: v.name, gap: v.gap!, comparison: comparison, change: change)
    }
  }
}
