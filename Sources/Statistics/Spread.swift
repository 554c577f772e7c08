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
    mean = Statistics.mean(values)
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
  sampleVariance(values, mean: mean).squareRoot()
}

/// The sample variance around `mean`, n − 1 in the denominator.
func sampleVariance(_ values: [Double], mean: Double) -> Double {
  values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
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
