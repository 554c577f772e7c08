import Foundation
import Tensor

/// How the two sides of a comparison were measured, which decides its test.
public enum Design: String, Codable, Sendable {
  /// Repeat r of both sides drew the same random numbers (initial weights, batch order,
  /// dropout masks: same architecture and batch size): the pairs' differences are tested
  /// (paired t, scipy's `ttest_rel`), and P(better) is the share of pairs A wins.
  case paired
  /// The sides drew different random numbers: their means are tested (Welch's t, scipy's
  /// `ttest_ind(equal_var=False)`), and P(better) is the Mann–Whitney probability
  /// U / (n_A n_B), as rliable computes it.
  case unpaired
  /// The k folds of one cross-validation: paired, with Nadeau and Bengio's corrected
  /// variance `(1/k + n_test/n_train) s²` (their training images overlap), as scikit-learn's
  /// "statistical comparison of models" does.
  case folds
}

/// A difference with its 95% interval.
public struct Estimate: Codable, Sendable, Equatable {
  public let value: Double
  public let low: Double?
  public let high: Double?

  public init(value: Double, low: Double?, high: Double?) {
    (self.value, self.low, self.high) = (value, low, high)
  }
}

/// Two sides (variants, models, candidates) measured over repeats: how they differ, how sure
/// that is by the test their design calls for, and the verdict, as Bouthillier et al.
/// recommend ("Accounting for Variance in Machine Learning Benchmarks", MLSys 2021) with
/// the correction for many comparisons and the equivalence test they leave out.
///
/// A is better than B when the test's p value (Holm-adjusted within its family, when the
/// family has several) is below the level; worse likewise; equivalent when not different and
/// both one-sided tests of the equivalence margin (TOST) pass; else indistinguishable. With
/// fewer than two values a side, nothing is tested: `single`.
public struct Comparison: Codable, Sendable, Equatable {
  public enum Verdict: String, Codable, Sendable {
    case better, worse, equivalent, indistinguishable, single
  }

  public let design: Design
  /// Values of each side (pairs, for a paired design).
  public let nA: Int
  public let nB: Int
  /// mean(A) − mean(B) (paired: the mean difference), with the test's interval at
  /// `confidence`: 95% alone; in a family, at the level the correction tests it at, so that
  /// the interval excludes 0 exactly when the verdict is better or worse.
  public private(set) var difference: Estimate
  public private(set) var confidence = 1 - Comparison.alpha
  /// The standard error and degrees of freedom the test and its interval use.
  public let standardError: Double?
  public let degreesOfFreedom: Double?
  /// The two-sided p value of the test.
  public let p: Double?
  /// P(A > B): paired, the share of pairs A wins; unpaired, the Mann–Whitney probability;
  /// ties count half.
  public let probability: Double
  /// Its 95% interval: paired, Clopper and Pearson's exact interval of the share of pairs won
  /// (from 2 pairs); otherwise the percentile bootstrap's, with at least `intervalMinimum`
  /// values a side.
  public let probabilityLow: Double?
  public let probabilityHigh: Double?
  /// The equivalence margin (a difference this small does not matter) and the p value of
  /// its two one-sided tests, when a margin was given.
  public let margin: Double?
  public let equivalenceP: Double?
  /// Holm's adjustment within the comparison's family (`family` comparisons), of `p` and of
  /// `equivalenceP`; nil for a comparison that stands alone.
  public private(set) var adjustedP: Double?
  public private(set) var adjustedEquivalenceP: Double?
  public private(set) var family = 1
  /// The level the verdict tests at: `alpha`, or a sequential design's boundary at this look.
  public private(set) var level = Comparison.alpha
  /// The smallest true difference this design finds with probability `power` at the
  /// strictest level its family asks (`level / family`, Holm's first step).
  public private(set) var detectable: Double?

  /// The false-positive rate every verdict keeps, over a family of comparisons.
  public static let alpha = 0.05
  /// The probability of finding a true difference that `detectable` states.
  public static let power = 0.8
  /// Below this many values a side, a bootstrap of P(better) is degenerate (three wins of
  /// three give [1, 1]): no interval is given.
  public static let intervalMinimum = 6
  /// Bootstrap resamples: enough that the percentiles move by less than a thousandth
  /// between streams, cheap for the few repeats a study has.
  public static let resamples = 10_000

  /// Compares `a` with `b`. Paired designs need lists of one length, paired by position;
  /// `folds` needs `testShare`, n_test / n_train of a fold. The bootstrap draws from
  /// `generator`.
  ///
  /// `interim` leaves out what a look of a sequential design does not use (P(better)'s
  /// bootstrap interval and the detectable difference), so that thousands of simulated looks
  /// stay cheap.
  public init(
    _ a: [Double], _ b: [Double], design: Design, margin: Double? = nil, testShare: Double? = nil,
    generator: inout Xoshiro256, interim: Bool = false
  ) {
    precondition(!a.isEmpty && !b.isEmpty, "a comparison needs values on both sides")
    precondition(design == .unpaired || a.count == b.count, "a paired comparison needs two lists of one length")
    self.design = design
    self.margin = margin
    (nA, nB) = (a.count, b.count)
    let (meanA, meanB) = (mean(a), mean(b))
    let wins: [Double]
    var se: Double?
    var df: Double?
    switch design {
    case .paired, .folds:
      let d = zip(a, b).map { $0 - $1 }
      if d.count >= 2 {
        let sd = sampleDeviation(d, mean: mean(d))
        let share = design == .folds ? (testShare ?? 0) : 0
        let factor = design == .folds ? 1 / Double(d.count) + share : 1 / Double(d.count)
        se = sd * factor.squareRoot()
        df = Double(d.count - 1)
      }
      wins = zip(a, b).map(Self.win)
      difference = Self.estimate(mean(d), se: se, df: df)
    case .unpaired:
      if a.count >= 2 && b.count >= 2 {
        let (va, vb) = (sampleVariance(a, mean: mean(a)), sampleVariance(b, mean: mean(b)))
        let (ea, eb) = (va / Double(a.count), vb / Double(b.count))
        se = (ea + eb).squareRoot()
        let denominator = ea * ea / Double(a.count - 1) + eb * eb / Double(b.count - 1)
        df = denominator > 0 ? (ea + eb) * (ea + eb) / denominator : Double(a.count + b.count - 2)
      }
      wins = a.flatMap { x in b.map { y in Self.win(x, y) } }
      difference = Self.estimate(meanA - meanB, se: se, df: df)
    }
    probability = mean(wins)
    (standardError, degreesOfFreedom) = (se, df)
    let value = difference.value
    if let se, let df, se > 0 {
      let t = StudentT(degreesOfFreedom: df)
      p = min(1, 2 * t.cdf(-abs(value) / se))
      equivalenceP = margin.map { m in max(1 - t.cdf((value + m) / se), t.cdf((value - m) / se)) }
    } else if se == 0 {
      // No spread: a difference is certain, no difference is no difference.
      p = value == 0 ? 1 : 0
      equivalenceP = margin.map { abs(value) < $0 ? 0 : 1 }
    } else {
      (p, equivalenceP) = (nil, nil)
    }
    if design == .paired && nA >= 2 && !interim {
      // Paired, P(better) is a share of independent pairs: its exact binomial interval.
      (probabilityLow, probabilityHigh) = Self.clopperPearson(wins: wins.reduce(0, +), of: nA)
    } else if min(nA, nB) >= Self.intervalMinimum && !interim {
      let (low, high) = Self.bootstrap(a, b, design: design, generator: &generator)
      (probabilityLow, probabilityHigh) = (low, high)
    } else {
      (probabilityLow, probabilityHigh) = (nil, nil)
    }
    detectable = interim ? nil : Self.detectable(se: se, df: df, level: level)
  }

  /// The verdict at `adjustedP ?? p` against `level`.
  public var verdict: Verdict {
    guard let p else { return .single }
    if (adjustedP ?? p) < level && difference.value != 0 { return difference.value > 0 ? .better : .worse }
    if let e = adjustedEquivalenceP ?? equivalenceP, e < level { return .equivalent }
    return .indistinguishable
  }

  /// The comparison as one of a family of `family`, with its Holm-adjusted p values, tested
  /// at `level` (a sequential design's boundary at this look, else `alpha`).
  public func within(family: Int, adjustedP: Double?, adjustedEquivalenceP: Double?, level: Double = Comparison.alpha)
    -> Comparison
  {
    var c = self
    (c.family, c.adjustedP, c.adjustedEquivalenceP, c.level) = (family, adjustedP, adjustedEquivalenceP, level)
    // The level Holm's correction (or a look's boundary) tests this comparison at: its p
    // is below it exactly when the adjusted p is below `level`.
    var effective = level
    if let p, let adjustedP, p > 0, adjustedP > 0 { effective = max(1e-12, min(level, level * p / adjustedP)) }
    c.confidence = 1 - effective
    c.difference = Self.estimate(difference.value, se: standardError, df: degreesOfFreedom, confidence: c.confidence)
    // An interim look's comparison has none to update (and a power search per look would
    // cost more than the look).
    c.detectable =
      detectable == nil
      ? nil : Self.detectable(se: standardError, df: degreesOfFreedom, level: level / Double(max(1, family)))
    return c
  }

  enum CodingKeys: String, CodingKey {
    case design, nA, nB, difference, confidence, standardError, degreesOfFreedom, p, margin, equivalenceP, adjustedP
    case adjustedEquivalenceP, family, level, detectable, verdict
    case probability = "pBetter"
    case probabilityLow = "pBetterLow"
    case probabilityHigh = "pBetterHigh"
  }

  /// Every field, and the verdict they give (read back, the verdict is computed again).
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(design, forKey: .design)
    try c.encode(nA, forKey: .nA)
    try c.encode(nB, forKey: .nB)
    try c.encode(difference, forKey: .difference)
    try c.encode(confidence, forKey: .confidence)
    try c.encodeIfPresent(standardError, forKey: .standardError)
    try c.encodeIfPresent(degreesOfFreedom, forKey: .degreesOfFreedom)
    try c.encodeIfPresent(p, forKey: .p)
    try c.encode(probability, forKey: .probability)
    try c.encodeIfPresent(probabilityLow, forKey: .probabilityLow)
    try c.encodeIfPresent(probabilityHigh, forKey: .probabilityHigh)
    try c.encodeIfPresent(margin, forKey: .margin)
    try c.encodeIfPresent(equivalenceP, forKey: .equivalenceP)
    try c.encodeIfPresent(adjustedP, forKey: .adjustedP)
    try c.encodeIfPresent(adjustedEquivalenceP, forKey: .adjustedEquivalenceP)
    try c.encode(family, forKey: .family)
    try c.encode(level, forKey: .level)
    try c.encodeIfPresent(detectable, forKey: .detectable)
    try c.encode(verdict, forKey: .verdict)
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    design = try c.decode(Design.self, forKey: .design)
    nA = try c.decode(Int.self, forKey: .nA)
    nB = try c.decode(Int.self, forKey: .nB)
    difference = try c.decode(Estimate.self, forKey: .difference)
    confidence = try c.decode(Double.self, forKey: .confidence)
    standardError = try c.decodeIfPresent(Double.self, forKey: .standardError)
    degreesOfFreedom = try c.decodeIfPresent(Double.self, forKey: .degreesOfFreedom)
    p = try c.decodeIfPresent(Double.self, forKey: .p)
    probability = try c.decode(Double.self, forKey: .probability)
    probabilityLow = try c.decodeIfPresent(Double.self, forKey: .probabilityLow)
    probabilityHigh = try c.decodeIfPresent(Double.self, forKey: .probabilityHigh)
    margin = try c.decodeIfPresent(Double.self, forKey: .margin)
    equivalenceP = try c.decodeIfPresent(Double.self, forKey: .equivalenceP)
    adjustedP = try c.decodeIfPresent(Double.self, forKey: .adjustedP)
    adjustedEquivalenceP = try c.decodeIfPresent(Double.self, forKey: .adjustedEquivalenceP)
    family = try c.decode(Int.self, forKey: .family)
    level = try c.decode(Double.self, forKey: .level)
    detectable = try c.decodeIfPresent(Double.self, forKey: .detectable)
  }

  /// Holm's correction of a family of comparisons: each one's p values adjusted among all
  /// of them (nil entries stand outside the family), tested at `level`.
  public static func holm(_ family: [Comparison?], level: Double = Comparison.alpha) -> [Comparison?] {
    let members = family.indices.filter { family[$0]?.p != nil }
    let adjusted = holmAdjusted(members.map { family[$0]!.p! })
    let equivalence = family.allSatisfy { $0?.equivalenceP != nil || $0?.p == nil }
    let adjustedEquivalence = equivalence ? holmAdjusted(members.map { family[$0]!.equivalenceP! }) : nil
    var out = family
    for (k, index) in members.enumerated() {
      out[index] = family[index]!.within(
        family: members.count, adjustedP: adjusted[k], adjustedEquivalenceP: adjustedEquivalence?[k], level: level)
    }
    return out
  }

  private static func estimate(_ value: Double, se: Double?, df: Double?, confidence: Double = 1 - alpha) -> Estimate {
    guard let se, let df else { return Estimate(value: value, low: nil, high: nil) }
    let half = se == 0 ? 0 : StudentT(degreesOfFreedom: df).quantile(1 - (1 - confidence) / 2) * se
    return Estimate(value: value, low: value - half, high: value + half)
  }

  private static func detectable(se: Double?, df: Double?, level: Double) -> Double? {
    guard let se, let df, se > 0 else { return nil }
    return Power.detectableDifference(standardError: se, degreesOfFreedom: df, alpha: level, power: power)
  }

  /// Clopper and Pearson's exact 95% interval of a binomial share, `wins` of `n` (a tie counts
  /// half: the lower end takes the wins down to a whole number, the upper end up), as
  /// statsmodels' `proportion_confint(method="beta")`: the α/2 quantile of Beta(k, n − k + 1)
  /// and the 1 − α/2 quantile of Beta(k + 1, n − k).
  static func clopperPearson(wins: Double, of n: Int) -> (Double, Double) {
    let (low, high) = (wins.rounded(.down), wins.rounded(.up))
    let lower = low <= 0 ? 0 : betaQuantile(alpha / 2, a: low, b: Double(n) - low + 1)
    let upper = high >= Double(n) ? 1 : betaQuantile(1 - alpha / 2, a: high + 1, b: Double(n) - high)
    return (lower, upper)
  }

  /// The `q` quantile of Beta(a, b), by bisection on its distribution function.
  static func betaQuantile(_ q: Double, a: Double, b: Double) -> Double {
    var (low, high) = (0.0, 1.0)
    for _ in 0..<100 {
      let mid = (low + high) / 2
      if regularizedIncompleteBeta(a: a, b: b, x: mid) < q { low = mid } else { high = mid }
    }
    return (low + high) / 2
  }

  /// One value's score against another in P(A > B): a win 1, a tie ½, a loss 0.
  private static func win(_ x: Double, _ y: Double) -> Double { x > y ? 1 : x == y ? 0.5 : 0 }

  /// The percentile-bootstrap interval of P(A > B): pairs resampled together when paired,
  /// each side on its own when not.
  private static func bootstrap(_ a: [Double], _ b: [Double], design: Design, generator: inout Xoshiro256) -> (
    Double, Double
  ) {
    var estimates = [Double](repeating: 0, count: resamples)
    for s in estimates.indices {
      switch design {
      case .paired, .folds:
        var total = 0.0
        for _ in 0..<a.count {
          let i = generator.integer(below: a.count)
          total += win(a[i], b[i])
        }
        estimates[s] = total / Double(a.count)
      case .unpaired:
        let x = (0..<a.count).map { _ in a[generator.integer(below: a.count)] }
        let y = (0..<b.count).map { _ in b[generator.integer(below: b.count)] }
        var total = 0.0
        for u in x { for v in y { total += win(u, v) } }
        estimates[s] = total / Double(x.count * y.count)
      }
    }
    estimates.sort()
    let tail = (1 - Spread.confidence) / 2
    return (percentile(sorted: estimates, tail), percentile(sorted: estimates, 1 - tail))
  }
}

/// Holm's step-down adjustment (statsmodels' `multipletests(method="holm")`): the i-th
/// smallest of m p values becomes `max over j ≤ i of min(1, (m − j + 1) p₍ⱼ₎)`, in the order
/// given.
public func holmAdjusted(_ p: [Double]) -> [Double] {
  let order = p.indices.sorted { p[$0] < p[$1] }
  var adjusted = [Double](repeating: 1, count: p.count)
  var running = 0.0
  for (rank, index) in order.enumerated() {
    running = max(running, min(1, Double(p.count - rank) * p[index]))
    adjusted[index] = running
  }
  return adjusted
}
