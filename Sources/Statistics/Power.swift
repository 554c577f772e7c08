import Foundation

/// How large a true difference a t test finds, and how often: the power of a two-sided t
/// test from the noncentral t distribution, as statsmodels' `TTestPower` (one sample, or
/// paired differences) and `TTestIndPower` (two groups, in units of their pooled standard
/// deviation).
public enum Power {
  /// The share of studies whose two-sided test at `alpha` finds a true effect whose t
  /// statistic has noncentrality `noncentrality`: `1 − F(c) + F(−c)`, c the critical t.
  public static func twoSided(noncentrality: Double, degreesOfFreedom: Double, alpha: Double) -> Double {
    let critical = StudentT(degreesOfFreedom: degreesOfFreedom).quantile(1 - alpha / 2)
    let t = NoncentralT(degreesOfFreedom: degreesOfFreedom, noncentrality: noncentrality)
    return 1 - t.cdf(critical) + t.cdf(-critical)
  }

  /// The smallest mean difference that a paired (or one-sample) t test over `n` differences
  /// of standard deviation `sd` finds with probability `power` at two-sided `alpha`; nil
  /// below two differences or without spread. `TTestPower().solve_power(nobs=n, alpha=alpha,
  /// power=power) · sd`.
  public static func detectableDifference(sd: Double, n: Int, alpha: Double, power: Double = 0.8) -> Double? {
    guard n >= 2, sd > 0, sd.isFinite else { return nil }
    let root = Double(n).squareRoot()
    return solve(power) { twoSided(noncentrality: $0 * root, degreesOfFreedom: Double(n - 1), alpha: alpha) }
      .map { $0 * sd }
  }

  /// The smallest difference of means that a t test between groups of `nA` and `nB` values
  /// of pooled standard deviation `pooledSD` finds with probability `power` at two-sided
  /// `alpha`. `TTestIndPower().solve_power(nobs1=nA, ratio=nB/nA, alpha=alpha, power=power)
  /// · pooledSD`.
  public static func detectableDifference(pooledSD: Double, nA: Int, nB: Int, alpha: Double, power: Double = 0.8)
    -> Double?
  {
    guard nA >= 2, nB >= 2, pooledSD > 0, pooledSD.isFinite else { return nil }
    let scale = (Double(nA) * Double(nB) / Double(nA + nB)).squareRoot()
    return solve(power) {
      twoSided(noncentrality: $0 * scale, degreesOfFreedom: Double(nA + nB - 2), alpha: alpha)
    }.map { $0 * pooledSD }
  }

  /// The smallest difference a two-sided t test at `alpha` with this standard error and
  /// these degrees of freedom finds with probability `power` (noncentrality δ / se): the
  /// paired test's se = sd/√n gives `TTestPower`'s answer, two groups of n with one sd
  /// (se = sd·√(2/n), df = 2n − 2) `TTestIndPower`'s; Welch's se and df, their unequal-variance
  /// counterpart.
  public static func detectableDifference(
    standardError: Double, degreesOfFreedom: Double, alpha: Double, power: Double = 0.8
  )
    -> Double?
  {
    guard standardError > 0, standardError.isFinite, degreesOfFreedom > 0 else { return nil }
    return solve(power) { twoSided(noncentrality: $0, degreesOfFreedom: degreesOfFreedom, alpha: alpha) }
      .map { $0 * standardError }
  }

  /// The effect (in standard deviations) whose power is `target`: power grows with the
  /// effect, so bisection finds it.
  private static func solve(_ target: Double, _ power: (Double) -> Double) -> Double? {
    var low = 0.0
    var high = 1.0
    while power(high) < target {
      high *= 2
      if high > 1e6 { return nil }
    }
    for _ in 0..<100 {
      let mid = (low + high) / 2
      if power(mid) < target { low = mid } else { high = mid }
      if high - low < 1e-12 * high { break }
    }
    return (low + high) / 2
  }
}
