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

  @Test func pairedDifferenceAndTheProbabilityOfOutperforming() throws {
    var generator = SeedPath(1).child("bootstrap").generator
    let comparison = PairedComparison(
      [0.981, 0.979, 0.983, 0.980], [0.978, 0.979, 0.980, 0.976], generator: &generator)
    #expect(close(comparison.difference.mean, 0.0025000000000000022))
    #expect(close(try #require(comparison.difference.sd), 0.0017320508075688787))
    #expect(close(try #require(comparison.difference.low), -0.00025607934655561774))
    #expect(close(try #require(comparison.difference.high), 0.005256079346555622))
    #expect(comparison.probability == 0.875, "3 wins and a tie of 4")
    // The exact bootstrap distribution (all 4⁴ resamples) has 2.5/97.5 percentiles 0.625
    // and 1.0; 10,000 draws land within a step of 1/16 of them.
    #expect(abs(try #require(comparison.probabilityLow) - 0.625) <= 1.0 / 16)
    #expect(comparison.probabilityHigh == 1)
    // P = 0.875 ≥ 0.75 and its bootstrap interval lies above ½, but the difference's t
    // interval includes 0: four repeats cannot call it better.
    #expect(comparison.verdict == .indistinguishable)
    #expect(close(try #require(comparison.resolvable), 0.005256079346555622 - 0.0025000000000000022))
  }

  @Test func theBootstrapIsSeeded() {
    var a = SeedPath(7).generator
    var b = SeedPath(7).generator
    let x = PairedComparison([0.9, 0.8, 0.95], [0.85, 0.85, 0.9], generator: &a)
    let y = PairedComparison([0.9, 0.8, 0.95], [0.85, 0.85, 0.9], generator: &b)
    #expect(x == y)
  }

  @Test func theFindingRule() {
    var g = SeedPath(3).generator
    // Clearly better: A wins every one of 5 repeats.
    let better = PairedComparison([0.99, 0.98, 0.99, 0.985, 0.99], [0.97, 0.96, 0.97, 0.965, 0.97], generator: &g)
    #expect(better.verdict == .better && better.probability == 1)
    let worse = PairedComparison([0.97, 0.96, 0.97, 0.965, 0.97], [0.99, 0.98, 0.99, 0.985, 0.99], generator: &g)
    #expect(worse.verdict == .worse)
    // Indistinguishable: 2 wins of 3 (P = 0.67 < 0.75).
    let mixed = PairedComparison([0.98, 0.97, 0.99], [0.97, 0.98, 0.98], generator: &g)
    #expect(mixed.verdict == .indistinguishable)
    // Three wins of three: every resample is all wins, so the interval is [1, 1]: better.
    let three = PairedComparison([0.99, 0.99, 0.99], [0.98, 0.98, 0.98], generator: &g)
    #expect(three.verdict == .better)
    // One repeat ranks nothing.
    let single = PairedComparison([0.99], [0.5], generator: &g)
    #expect(single.verdict == .single && single.probabilityLow == nil && single.resolvable == nil)
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
