import Tensor
import Testing

@testable import Statistics

/// Reference values from scipy and numpy, printed by fixtures/make_statistics_fixtures.py.
@Suite struct StatisticsAgainstScipy {
  func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-10) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

  @Test func studentTQuantiles() {
    let dfs: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 29, 30, 50, 100, 1000]
    let scipy = [
      12.706204736174694, 4.302652729749462, 3.1824463052837078, 2.7764451051977934, 2.5705818356363146,
      2.4469118511449786, 2.364624251592784, 2.306004135204166, 2.262157162798205, 2.228138851986274,
      2.131449545559776, 2.085963447265864, 2.045229642132703, 2.0422724563012378, 2.008559112100761,
      1.9839715185235518, 1.9623390808264083,
    ]
    for (df, expected) in zip(dfs, scipy) {
      let t = StudentT(degreesOfFreedom: df).quantile(0.975)
      #expect(close(t, expected), "t.ppf(0.975, \(df)) = \(expected), got \(t)")
    }
    for (df, p, expected) in [
      (3.0, 0.9, 1.637744353696209), (7, 0.6, 0.2631668613520229), (2.5, 0.995, 7.163728138948783),
      (12, 0.05, -1.7822875556493194),
    ] {
      #expect(close(StudentT(degreesOfFreedom: df).quantile(p), expected), "t.ppf(\(p), \(df))")
    }
  }

  @Test func incompleteBeta() {
    for (a, b, x, expected) in [
      (0.5, 0.5, 0.3, 0.36901011956554536), (2, 3, 0.4, 0.5247999999999999), (10, 0.5, 0.9, 0.15164090963470994),
      (1.5, 0.5, 0.99, 0.8728885715695383),
    ] {
      #expect(close(regularizedIncompleteBeta(a: a, b: b, x: x), expected), "betainc(\(a), \(b), \(x))")
    }
  }

  @Test func meanSampleDeviationAndTInterval() throws {
    let spread = Spread([0.9781, 0.9775, 0.9790, 0.9769, 0.9786])
    #expect(spread.n == 5 && close(spread.mean, 0.9780200000000001))
    #expect(close(try #require(spread.sd), 0.0008408329203831121))
    let (low, high) = (try #require(spread.low), try #require(spread.high))
    #expect(close(low, 0.9769759680342559) && close(high, 0.9790640319657443))
    let one = Spread([0.97])
    #expect(one.n == 1 && one.mean == 0.97 && one.sd == nil && one.low == nil && one.high == nil)
  }

  @Test func theProbabilityOfOutperformingAndItsBootstrap() throws {
    var generator = SeedPath(1).child("bootstrap").generator
    let comparison = Comparison(
      [0.981, 0.979, 0.983, 0.980, 0.982, 0.977], [0.978, 0.979, 0.980, 0.976, 0.981, 0.978], design: .paired,
      generator: &generator)
    #expect(comparison.probability == 0.75, "4 wins, a tie and a loss of 6")
    // Paired, the share of pairs won has an exact interval: the tie counts as a loss for the
    // lower end (4 of 6) and a win for the upper (5 of 6); statsmodels' proportion_confint
    // (method="beta") gives 0.22278 and 0.99579.
    #expect(abs(try #require(comparison.probabilityLow) - 0.22277809550351213) < 1e-9)
    #expect(abs(try #require(comparison.probabilityHigh) - 0.9957892554855106) < 1e-9)
    // Unpaired, the Mann-Whitney probability's interval is the bootstrap's, from 6 a side.
    let unpaired = Comparison(
      [0.981, 0.979, 0.983, 0.980, 0.982, 0.977], [0.978, 0.979, 0.980, 0.976, 0.981, 0.978], design: .unpaired,
      generator: &generator)
    let (low, high) = (try #require(unpaired.probabilityLow), try #require(unpaired.probabilityHigh))
    #expect(low < unpaired.probability && unpaired.probability < high && high <= 1)
  }

  @Test func theBootstrapIsSeeded() {
    var a = SeedPath(7).generator
    var b = SeedPath(7).generator
    let values = ([0.9, 0.8, 0.95, 0.91, 0.87, 0.9], [0.85, 0.85, 0.9, 0.9, 0.88, 0.86])
    #expect(
      Comparison(values.0, values.1, design: .paired, generator: &a)
        == Comparison(values.0, values.1, design: .paired, generator: &b))
  }

  @Test func theVerdicts() {
    var g = SeedPath(3).generator
    // Clearly better: A wins every one of 5 repeats by about the same.
    let better = Comparison(
      [0.99, 0.98, 0.99, 0.985, 0.99], [0.97, 0.96, 0.97, 0.965, 0.971], design: .paired, generator: &g)
    #expect(better.verdict == .better && better.probability == 1)
    let worse = Comparison(
      [0.97, 0.96, 0.97, 0.965, 0.971], [0.99, 0.98, 0.99, 0.985, 0.99], design: .paired, generator: &g)
    #expect(worse.verdict == .worse)
    // Two wins of three, the t interval across 0.
    let mixed = Comparison([0.98, 0.97, 0.99], [0.97, 0.98, 0.98], design: .paired, generator: &g)
    #expect(mixed.verdict == .indistinguishable)
    // Within a margin of a point, surely: equivalent.
    let same = Comparison(
      [0.981, 0.9805, 0.9812, 0.9808, 0.9811], [0.9809, 0.9806, 0.981, 0.9809, 0.981], design: .paired, margin: 0.01,
      generator: &g)
    #expect(same.verdict == .equivalent)
    // One repeat ranks nothing.
    let single = Comparison([0.99], [0.5], design: .paired, generator: &g)
    #expect(single.verdict == .single && single.probabilityLow == nil && single.detectable == nil)
  }

  @Test func holmDecidesWithinAFamily() {
    var g = SeedPath(3).generator
    // p ≈ 0.04 alone is better; beside two others of p ≈ 0.3 and 0.5 Holm needs p < 0.05 / 3.
    let alone = Comparison(
      [0.981, 0.979, 0.983, 0.980, 0.982], [0.978, 0.979, 0.980, 0.976, 0.981], design: .paired, generator: &g)
    #expect(alone.verdict == .better)
    let weak = Comparison([0.98, 0.97, 0.99], [0.97, 0.98, 0.98], design: .paired, generator: &g)
    let family = Comparison.holm([alone, weak, weak, nil])
    #expect(family[0]?.verdict == .indistinguishable && family[0]?.family == 3 && family[3] == nil)
    #expect((family[0]?.detectable ?? 0) > (alone.detectable ?? .infinity), "a family needs a larger difference")
  }

  @Test func expectedMaximumIsTangsUnbiasedEstimator() {
    let expected = [
      0.9718333333333333, 0.9762666666666666, 0.9782, 0.9791333333333333, 0.9796666666666667, 0.98,
    ]
    let ours = expectedMaximum([0.971, 0.965, 0.980, 0.975, 0.962, 0.978])
    #expect(ours.count == 6 && zip(ours, expected).allSatisfy { close($0, $1, 1e-12) })
    #expect(expectedMaximum([]).isEmpty)
    #expect(expectedMaximum([.nan, 0.9]) == [0.9, 0.9], "a diverged candidate counts as the worst")
  }

  @Test func ranksAreScikitLearnsMinRanks() {
    // scipy.stats.rankdata(-scores, method="min"), NaN last.
    #expect(ranks([0.9, 0.95, 0.95, 0.8, .nan]) == [3, 1, 1, 4, 5])
    #expect(ranks([0.5]) == [1])
  }

  @Test func populationDeviationIsNumpysStd() {
    // numpy.std([0.97, 0.975, 0.981]) (ddof=0), as scikit-learn's std_test_score.
    #expect(close(populationDeviation([0.97, 0.975, 0.981]), 0.004496912521077351))
    #expect(populationDeviation([]).isNaN && mean([]).isNaN)
  }

  @Test func numpysLinearPercentile() {
    #expect(percentile(sorted: [1, 2, 3, 4], 0.5) == 2.5)
    #expect(percentile(sorted: [1, 2, 3, 4], 0.025) == 1.075)
    #expect(percentile(sorted: [5], 0.975) == 5)
  }
}
