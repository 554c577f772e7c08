import Foundation

/// Student's t distribution with `degreesOfFreedom` > 0, as scipy.stats.t.
public struct StudentT: Sendable {
  public let degreesOfFreedom: Double

  public init(degreesOfFreedom: Double) {
    precondition(degreesOfFreedom > 0, "Student's t needs degrees of freedom above 0")
    self.degreesOfFreedom = degreesOfFreedom
  }

  /// P(T ≤ t): `1 − ½ I_x(ν/2, ½)` with `x = ν / (ν + t²)` for t ≥ 0, and by symmetry below.
  public func cdf(_ t: Double) -> Double {
    guard t.isFinite else { return t > 0 ? 1 : t < 0 ? 0 : .nan }
    let nu = degreesOfFreedom
    let tail = 0.5 * regularizedIncompleteBeta(a: nu / 2, b: 0.5, x: nu / (nu + t * t))
    return t >= 0 ? 1 - tail : tail
  }

  /// The quantile: the t with P(T ≤ t) = p (scipy's `t.ppf`), to about 1e-12 relative.
  public func quantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "a quantile needs 0 < p < 1, got \(p)")
    if p == 0.5 { return 0 }
    if p < 0.5 { return -quantile(1 - p) }
    // Bracket, then bisect in t and polish with Newton steps on the density.
    var low = 0.0
    var high = 1.0
    while cdf(high) < p { (low, high) = (high, high * 2) }
    for _ in 0..<200 {
      let mid = (low + high) / 2
      if cdf(mid) < p { low = mid } else { high = mid }
      if high - low <= 1e-15 * max(1, high) { break }
    }
    var t = (low + high) / 2
    for _ in 0..<3 {
      let density = self.density(t)
      guard density > 0 else { break }
      let step = (cdf(t) - p) / density
      if !step.isFinite { break }
      t -= step
    }
    return t
  }

  /// The probability density.
  public func density(_ t: Double) -> Double {
    let nu = degreesOfFreedom
    let logNormalizer = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi)
    return exp(logNormalizer - (nu + 1) / 2 * log1p(t * t / nu))
  }
}

/// The regularized incomplete beta function I_x(a, b), by the continued fraction of
/// Numerical Recipes (§6.4, evaluated by the modified Lentz method), using the symmetry
/// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
public func regularizedIncompleteBeta(a: Double, b: Double, x: Double) -> Double {
  precondition(a > 0 && b > 0, "the incomplete beta function needs a, b > 0")
  if x <= 0 { return 0 }
  if x >= 1 { return 1 }
  let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
  if x < (a + 1) / (a + b + 2) {
    return exp(logFront) * betaContinuedFraction(a: a, b: b, x: x) / a
  }
  return 1 - exp(logFront) * betaContinuedFraction(a: b, b: a, x: 1 - x) / b
}

private func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
  let tiny = 1e-300
  let epsilon = 1e-16
  var c = 1.0
  var d = 1 - (a + b) * x / (a + 1)
  if abs(d) < tiny { d = tiny }
  d = 1 / d
  var h = d
  for m in 1...10_000 {
    let m = Double(m)
    let m2 = 2 * m
    // Even step.
    var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
    d = 1 + aa * d
    if abs(d) < tiny { d = tiny }
    c = 1 + aa / c
    if abs(c) < tiny { c = tiny }
    d = 1 / d
    h *= d * c
    // Odd step.
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
    d = 1 + aa * d
    if abs(d) < tiny { d = tiny }
    c = 1 + aa / c
    if abs(c) < tiny { c = tiny }
    d = 1 / d
    let delta = d * c
    h *= delta
    if abs(delta - 1) < epsilon { break }
  }
  return h
}
