import Tensor
import Testing

@testable import Statistics

/// Reference values from scipy and statsmodels, printed by fixtures/make_test_fixtures.py.
@Suite struct TestsAgainstStatsmodels {
  func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance * max(1, abs(b))
  }

  @Test func normalQuantiles() {
    let scipy: [(Double, Double)] = [
      (1e-10, -6.361340902404056), (0.001, -3.090232306167813), (0.02, -2.053748910631823),
      (0.3, -0.5244005127080409), (0.5, 0.0), (0.975, 1.959963984540054), (0.999999, 4.753424308817087),
    ]
    for (p, z) in scipy { #expect(close(Normal.quantile(p), z, 1e-11), "norm.ppf(\(p))") }
  }

  @Test func noncentralT() {
    let scipy: [(Double, Double, Double, Double)] = [
      (2.1, 4, 1.5, 0.6456369855365165), (-1.0, 2, 0.5, 0.10327857197969201), (3.0, 10, 3.5, 0.3143147266251233),
      (0.5, 7, -1.2, 0.9523854587863336), (12.0, 3, 9.0, 0.6382585259873315),
    ]
    for (t, df, nc, p) in scipy {
      #expect(
        close(NoncentralT(degreesOfFreedom: df, noncentrality: nc).cdf(t), p, 1e-9), "nct.cdf(\(t), \(df), \(nc))")
    }
  }

  @Test func theSmallestDifferenceATestFindsFourTimesInFive() {
    // The roots to 16 digits (mpmath), and statsmodels' TTestPower().solve_power(nobs=n,
    // alpha=a, power=0.8), whose solver stops about 1e-6 from them: in units of the
    // differences' sd.
    let paired: [(Int, Double, Double, Double)] = [
      (3, 0.05, 3.2640435496995708, 3.264043552819638), (5, 0.05, 1.6819969659555544, 1.6819970833232674),
      (12, 0.05, 0.8886542652934867, 0.8886543444414026), (5, 0.0125, 2.4767903705182171, 2.4767903925670174),
      (20, 0.01, 0.8384449850631849, 0.8384472461638419),
    ]
    for (n, alpha, exact, statsmodels) in paired {
      let ours = Power.detectableDifference(sd: 1, n: n, alpha: alpha)
      #expect(close(ours, exact, 1e-9) && close(ours, statsmodels, 1e-5), "n = \(n), α = \(alpha): \(ours ?? .nan)")
    }
    // TTestIndPower().solve_power(nobs1=n, ratio=1): in units of the pooled sd.
    for (n, exact, statsmodels) in [
      (3, 3.070892266363687, 3.070892269599019), (5, 2.0244393393845426, 2.024440145655355),
      (10, 1.3249473925792305, 1.324947368330822),
    ] {
      let ours = Power.detectableDifference(pooledSD: 1, nA: n, nB: n, alpha: 0.05)
      #expect(close(ours, exact, 1e-9) && close(ours, statsmodels, 1e-5), "two groups of \(n)")
      let se = (2.0 / Double(n)).squareRoot()
      #expect(
        close(
          Power.detectableDifference(standardError: se, degreesOfFreedom: Double(2 * n - 2), alpha: 0.05), exact, 1e-9))
    }
    #expect(Power.detectableDifference(sd: 1, n: 1, alpha: 0.05) == nil)
  }

  @Test func pairedT() {
    var g = SeedPath(1).generator
    let c = Comparison(
      [0.981, 0.979, 0.983, 0.980, 0.982], [0.978, 0.979, 0.980, 0.976, 0.981], design: .paired, margin: 0.004,
      generator: &g)
    // scipy.stats.ttest_rel and its confidence_interval; statsmodels' ttost_paired(−0.004, 0.004).
    #expect(close(c.p, 0.04018621825542526))
    #expect(close(c.difference.low, 0.00015973785802523297) && close(c.difference.high, 0.00424026214197477))
    #expect(close(c.equivalenceP, 0.03524199845511014))
    #expect(c.verdict == .better, "p < 0.05 and the difference positive")
    #expect(c.probability == 0.9, "4 wins and a tie of 5")
    // Its exact interval (statsmodels' proportion_confint, method="beta"): 4 of 5 below, 5 of 5
    // above; no bootstrap below 6 repeats.
    #expect(close(c.probabilityLow, 0.2835820638819105) && c.probabilityHigh == 1)
  }

  @Test func welchTAndTheMannWhitneyProbability() {
    var g = SeedPath(1).generator
    let x = [0.9812, 0.9825, 0.9807, 0.9830, 0.9819]
    let y = [0.9790, 0.9801, 0.9822, 0.9785, 0.9809, 0.9798]
    let c = Comparison(x, y, design: .unpaired, margin: 0.003, generator: &g)
    // ttest_ind(equal_var=False) with its interval and df; mannwhitneyu's U / (5 · 6);
    // ttost_ind(usevar="unequal", ±0.003).
    #expect(close(c.p, 0.029856065055769015))
    #expect(close(c.difference.low, 0.00021797181944347615) && close(c.difference.high, 0.003335361513889821))
    #expect(close(c.degreesOfFreedom, 8.803842404544346))
    #expect(close(c.probability, 0.8666666666666667))
    #expect(close(c.equivalenceP, 0.05463270211783699))
  }

  @Test func nadeauAndBengiosCorrectedT() {
    var g = SeedPath(1).generator
    // 3 folds, each trained on two thirds and tested on one: n_test / n_train = 1/2.
    let c = Comparison(
      [0.9712, 0.9725, 0.9701], [0.9695, 0.9711, 0.9702], design: .folds, testShare: 0.5, generator: &g)
    #expect(close(c.p, 0.3737757089148423) && close(c.standardError, 0.0008803408430829323))
    #expect(c.verdict == .indistinguishable)
  }

  @Test func holmsCorrection() {
    let statsmodels = [0.04, 0.09, 0.09, 0.025, 0.2]
    let ours = holmAdjusted([0.01, 0.04, 0.03, 0.005, 0.2])
    #expect(zip(ours, statsmodels).allSatisfy { close($0, $1, 1e-12) })
  }

  /// statsmodels' `proportion_confint(k, n, method="beta")` (0.14.x), for P(better) of
  /// paired repeats: (3, 3), (6, 6), (2, 5) and (0, 4).
  @Test func clopperPearsonAsStatsmodels() {
    let cases: [(Double, Int, Double, Double)] = [
      (3, 3, 0.2924017738212866, 1.0), (6, 6, 0.5407418735600995, 1.0),
      (2, 5, 0.052744950526316906, 0.8533672003653269),
      (0, 4, 0.0, 0.6023646356164747),
    ]
    for (k, n, low, high) in cases {
      let (l, h) = Comparison.clopperPearson(wins: k, of: n)
      #expect(close(l, low, 1e-9) && close(h, high, 1e-9), "\(k) of \(n): [\(l), \(h)]")
    }
  }

  @Test func mcnemarsExactTest() {
    for (b, c, p) in [(12, 5, 0.143463134765625), (30, 31, 1.0), (0, 7, 0.015625)] {
      #expect(close(mcnemarExact(b: b, c: c), p, 1e-12), "b = \(b), c = \(c)")
    }
  }

  @Test func obrienFlemingBoundariesOfLanAndDeMets() {
    // gsDesign's and ldbounds' Lan-DeMets O'Brien-Fleming boundaries for four equally spaced
    // looks, two-sided α = 0.05, α/2 spent on each side (a Monte Carlo of 2 million studies
    // with these boundaries rejects 5.006% of the time).
    let design = SequentialDesign(looks: [3, 6, 9, 12])
    for (ours, theirs) in zip(design.boundaries, [4.3326, 2.9631, 2.3590, 2.0141]) {
      #expect(abs(ours - theirs) < 1e-3, "\(design.boundaries)")
    }
    #expect(SequentialDesign(looks: [5]).boundaries.count == 1)
    #expect(close(SequentialDesign(looks: [5]).boundaries[0], 1.959963984540054, 1e-9), "one look is a fixed design")
  }
}
