import Foundation

/// The noncentral t distribution with `degreesOfFreedom` and noncentrality `noncentrality`,
/// as scipy.stats.nct: what a t statistic follows when the difference it tests is real, so
/// the power of a t test.
public struct NoncentralT: Sendable {
  public let degreesOfFreedom: Double
  public let noncentrality: Double

  public init(degreesOfFreedom: Double, noncentrality: Double) {
    precondition(degreesOfFreedom > 0, "the noncentral t needs degrees of freedom above 0")
    self.degreesOfFreedom = degreesOfFreedom
    self.noncentrality = noncentrality
  }

  /// P(T ≤ t), by the series of Lenth's algorithm AS 243 (Applied Statistics 38, 1989):
  /// `Φ(−δ) + ½ Σⱼ (pⱼ I_x(j + ½, ν/2) + qⱼ I_x(j + 1, ν/2))` with `x = t² / (t² + ν)`, Poisson
  /// weights `pⱼ = e^(−δ²/2) (δ²/2)ʲ / j!` and `qⱼ = δ e^(−δ²/2) (δ²/2)ʲ / (√2 Γ(j + 3/2))`, for
  /// t ≥ 0; below 0 by `F(t; ν, δ) = 1 − F(−t; ν, −δ)`.
  public func cdf(_ t: Double) -> Double {
    guard t.isFinite else { return t > 0 ? 1 : t < 0 ? 0 : .nan }
    if t < 0 { return 1 - NoncentralT(degreesOfFreedom: degreesOfFreedom, noncentrality: -noncentrality).cdf(-t) }
    let nu = degreesOfFreedom
    let delta = noncentrality
    let x = t * t / (t * t + nu)
    let lambda = delta * delta / 2
    var sum = 0.0
    if x > 0 {
      // Sum outwards from the largest Poisson weight, so that a large δ loses nothing.
      let peak = Int(lambda.rounded(.down))
      func term(_ j: Int) -> Double {
        let jd = Double(j)
        let logWeight = -lambda + (lambda > 0 ? jd * log(lambda) : (j == 0 ? 0 : -.infinity))
        let p = exp(logWeight - lgamma(jd + 1))
        let q = delta * exp(logWeight - lgamma(jd + 1.5)) / 2.0.squareRoot()
        return p * regularizedIncompleteBeta(a: jd + 0.5, b: nu / 2, x: x)
          + q * regularizedIncompleteBeta(a: jd + 1, b: nu / 2, x: x)
      }
      sum += term(peak)
      var j = peak + 1
      while j < peak + 10_000 {
        let value = term(j)
        sum += value
        if abs(value) < 1e-16 * max(abs(sum), 1e-300) && Double(j) > lambda + 5 { break }
        j += 1
      }
      j = peak - 1
      while j >= 0 {
        let value = term(j)
        sum += value
        if abs(value) < 1e-16 * max(abs(sum), 1e-300) && Double(j) < lambda - 5 { break }
        j -= 1
      }
    }
    return min(1, max(0, Normal.cdf(-delta) + sum / 2))
  }
}
