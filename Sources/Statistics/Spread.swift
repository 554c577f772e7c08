import Foundation
import Tensor

/// Repeated measurements of one quantity (a metric over seeds): their mean, sample standard
/// deviation (n − 1, numpy's `std(ddof=1)`), count and a 95% confidence interval of the mean
/// from Student's t, `mean ± t₀.₉₇₅,ₙ₋₁ · sd / √n`. With one value there is no spread.
public struct Spread: Codable, Sendable, Equatable {
  public let n: Int
  public let mean: Double
  /// Nil for fewer than two values.
  public let sd: Double?
  /// The interval's ends; nil for fewer than two values.
  public let low: Double?
  public let high: Double?

  /// The confidence of every interval reported.
  public static let confidence = 0.95

  public init(_ values: [Double]) {
    n = values.count
    mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    guard values.count >= 2 else {
      (sd, low, high) = (nil, nil, nil)
      return
    }
    let sd = sampleDeviation(values, mean: mean)
    let half = Self.halfWidth(sd: sd, n: values.count)
    self.sd = sd
    (low, high) = (mean - half, mean + half)
  }

  /// The half-width of the t interval of a mean of `n` values with sample deviation `sd`.
  public static func halfWidth(sd: Double, n: Int) -> Double {
    guard n >= 2 else { return .nan }
    let t = StudentT(degreesOfFreedom: Double(n - 1)).quantile(1 - (1 - confidence) / 2)
    return t * sd / Double(n).squareRoot()
  }

  /// `ci_low` and `ci_high` in snake_case, as results.json's coders write them.
  enum CodingKeys: String, CodingKey {
    case n, mean, sd
    case low = "ciLow"
    case high = "ciHigh"
  }

  /// A mean of nothing (NaN) is left out: JSON has no NaN.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(n, forKey: .n)
    if mean.isFinite { try c.encode(mean, forKey: .mean) }
    try c.encodeIfPresent(sd, forKey: .sd)
    try c.encodeIfPresent(low, forKey: .low)
    try c.encodeIfPresent(high, forKey: .high)
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    n = try c.decode(Int.self, forKey: .n)
    mean = try c.decodeIfPresent(Double.self, forKey: .mean) ?? .nan
    sd = try c.decodeIfPresent(Double.self, forKey: .sd)
    low = try c.decodeIfPresent(Double.self, forKey: .low)
    high = try c.decodeIfPresent(Double.self, forKey: .high)
  }
}

/// The sample standard deviation (n − 1 in the denominator).
func sampleDeviation(_ values: [Double], mean: Double) -> Double {
  let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
  return (squares / Double(values.count - 1)).squareRoot()
}

/// Two variants measured over the same repeats (repeat r of each shares its seeds): how
/// they differ, and how sure that is, as Bouthillier et al. recommend ("Accounting for
/// Variance in Machine Learning Benchmarks", MLSys 2021).
public struct PairedComparison: Codable, Sendable, Equatable {
  public let n: Int
  /// The mean of `a[r] − b[r]` with its t interval.
  public let difference: Spread
  /// P(A > B): the share of repeats in which A beats B, ties counting half.
  public let probability: Double
  /// Its percentile-bootstrap interval (nil with one repeat).
  public let probabilityLow: Double?
  public let probabilityHigh: Double?

  /// Bouthillier et al.'s rule: A is better than B when P(A > B) is at least this and its
  /// interval lies above ½ (a coin's chance). With the few repeats a study affords, the
  /// percentile bootstrap of P(A > B) is overconfident (three wins of three give the
  /// interval [1, 1]), so the verdict also asks the t interval of the mean difference to
  /// exclude 0.
  public static let betterThreshold = 0.75
  /// Bootstrap resamples: enough that the percentiles move by less than a thousandth
  /// between streams, cheap for the few repeats a study has.
  public static let resamples = 10_000

  /// Compares `a` with `b` (the same length, paired by position); the bootstrap draws from
  /// `generator`.
  public init(_ a: [Double], _ b: [Double], generator: inout Xoshiro256) {
    precondition(a.count == b.count && !a.isEmpty, "a paired comparison needs two lists of one length")
    n = a.count
    difference = Spread(zip(a, b).map { $0 - $1 })
    let wins = zip(a, b).map { x, y in x > y ? 1.0 : x == y ? 0.5 : 0 }
    probability = wins.reduce(0, +) / Double(n)
    guard n >= 2 else {
      (probabilityLow, probabilityHigh) = (nil, nil)
      return
    }
    var estimates = [Double](repeating: 0, count: Self.resamples)
    for s in estimates.indices {
      var total = 0.0
      for _ in 0..<n { total += wins[generator.integer(below: n)] }
      estimates[s] = total / Double(n)
    }
    estimates.sort()
    let tail = (1 - Spread.confidence) / 2
    probabilityLow = percentile(sorted: estimates, tail)
    probabilityHigh = percentile(sorted: estimates, 1 - tail)
  }

  public enum Verdict: String, Codable, Sendable {
    /// A is better than B by the rule.
    case better
    /// B is better than A by the rule.
    case worse
    /// Neither is better: the repeats cannot tell them apart.
    case indistinguishable
    /// One repeat cannot rank anything.
    case single
  }

  public var verdict: Verdict {
    guard n >= 2, let low = probabilityLow, let high = probabilityHigh else { return .single }
    let differenceLow = difference.low ?? -.infinity
    let differenceHigh = difference.high ?? .infinity
    if probability >= Self.betterThreshold && low > 0.5 && differenceLow > 0 { return .better }
    if probability <= 1 - Self.betterThreshold && high < 0.5 && differenceHigh < 0 { return .worse }
    return .indistinguishable
  }

  /// The smallest difference of means these repeats resolve: the half-width of the
  /// difference's interval (nil with one repeat).
  public var resolvable: Double? {
    guard let sd = difference.sd else { return nil }
    return Spread.halfWidth(sd: sd, n: n)
  }

  /// `p_better`, `p_better_low` and `p_better_high` in snake_case, as results.json's coders
  /// write them.
  enum CodingKeys: String, CodingKey {
    case n, difference, verdict
    case probability = "pBetter"
    case probabilityLow = "pBetterLow"
    case probabilityHigh = "pBetterHigh"
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(n, forKey: .n)
    try c.encode(difference, forKey: .difference)
    try c.encode(probability, forKey: .probability)
    try c.encodeIfPresent(probabilityLow, forKey: .probabilityLow)
    try c.encodeIfPresent(probabilityHigh, forKey: .probabilityHigh)
    try c.encode(verdict, forKey: .verdict)
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    n = try c.decode(Int.self, forKey: .n)
    difference = try c.decode(Spread.self, forKey: .difference)
    probability = try c.decode(Double.self, forKey: .probability)
    probabilityLow = try c.decodeIfPresent(Double.self, forKey: .probabilityLow)
    probabilityHigh = try c.decodeIfPresent(Double.self, forKey: .probabilityHigh)
  }
}

/// numpy's `percentile` (linear interpolation between order statistics) of sorted values.
public func percentile(sorted values: [Double], _ q: Double) -> Double {
  precondition(!values.isEmpty, "a percentile of nothing")
  let position = q * Double(values.count - 1)
  let below = Int(position.rounded(.down))
  let above = min(below + 1, values.count - 1)
  let fraction = position - Double(below)
  return values[below] + (values[above] - values[below]) * fraction
}

/// The expected best score after trying k of the candidates, k = 1…n: Dodge et al.'s
/// expected validation performance ("Show Your Work", EMNLP 2019), computed with the
/// unbiased estimator of Tang et al. ("Showing Your Work Doesn't Always Work", ACL 2020),
/// which draws the k without replacement from the n tried:
/// `E[max of k] = Σᵢ₌ₖⁿ C(i−1, k−1) / C(n, k) · v₍ᵢ₎`, v sorted ascending.
/// Non-finite scores (diverged candidates) count as the worst.
public func expectedMaximum(_ scores: [Double]) -> [Double] {
  let finite = scores.filter(\.isFinite)
  let worst = finite.min() ?? 0
  let v = scores.map { $0.isFinite ? $0 : worst }.sorted()
  let n = v.count
  guard n > 0 else { return [] }
  func logChoose(_ a: Int, _ b: Int) -> Double {
    lgamma(Double(a + 1)) - lgamma(Double(b + 1)) - lgamma(Double(a - b + 1))
  }
  return (1...n).map { k in
    let denominator = logChoose(n, k)
    var total = 0.0
    for i in k...n { total += exp(logChoose(i - 1, k - 1) - denominator) * v[i - 1] }
    return total
  }
}
