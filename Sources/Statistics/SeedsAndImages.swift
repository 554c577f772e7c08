import Foundation
import Tensor

/// Two models' test accuracies compared over their seeds and the test images together: how
/// much of the difference another draw of seeds *and* another test set of the same size
/// would keep. A comparison over seeds alone holds the test set fixed, so it speaks of these
/// 10,000 images; this one speaks of the distribution they were drawn from.
///
/// The interval is a two-level percentile bootstrap (Bouthillier et al. 2021 count both
/// sources of variance): each resample draws the repeats of each side with replacement (the
/// same repeat indices for both sides when `paired`, since repeat r of each drew the same
/// random numbers), then the test images with replacement, one draw for both sides (they
/// were tested on the same images), and takes the difference of the two mean accuracies.
/// Each repeat pair is also tested image by image with McNemar's exact test, Holm-adjusted
/// over the pairs.
public struct SeedsAndImages: Codable, Sendable, Equatable {
  /// mean accuracy of A − mean accuracy of B over their repeats, on every test image.
  public let difference: Double
  /// The bootstrap's 95% percentile interval, which decides better or worse.
  public let low: Double
  public let high: Double
  /// Its 90% interval, which decides equivalence: inside ±`margin` is both one-sided tests
  /// passing at 5% (TOST).
  public let equivalenceLow: Double
  public let equivalenceHigh: Double
  public let margin: Double?
  /// The bootstrap's standard deviation of the difference, and from it the smallest true
  /// difference found with probability `Comparison.power` at 5%, two-sided:
  /// `(z₀.₉₇₅ + z₀.₈) · sd`.
  public let standardError: Double
  public let detectable: Double
  public let verdict: Comparison.Verdict
  public let repeatsA: Int
  public let repeatsB: Int
  public let images: Int
  public let resamples: Int
  public let paired: Bool
  /// Repeat r of A against repeat r of B on the same images, r up to the fewer repeats.
  public let pairs: [ImagePair]

  /// The difference with its 95% interval.
  public var interval: Estimate { Estimate(value: difference, low: low, high: high) }
  /// The difference with its 90% interval, the one equivalence is decided by.
  public var equivalenceInterval: Estimate { Estimate(value: difference, low: equivalenceLow, high: equivalenceHigh) }

  /// One repeat of each side on the same images: `onlyA` images A alone gets right, `onlyB`
  /// those B alone does, McNemar's exact p of the two, and Holm's adjustment over the pairs.
  public struct ImagePair: Codable, Sendable, Equatable {
    public let onlyA: Int
    public let onlyB: Int
    public let p: Double
    public let adjustedP: Double
  }

  /// Compares A's repeats with B's, each repeat a list of flags (image i classified right),
  /// every list over the same images in the same order. Draws from `generator`.
  public init(
    _ a: [[Bool]], _ b: [[Bool]], paired: Bool, margin: Double? = nil, resamples: Int = Comparison.resamples,
    generator: inout Xoshiro256
  ) {
    precondition(!a.isEmpty && !b.isEmpty, "a comparison needs a repeat on each side")
    let n = a[0].count
    precondition(n > 0 && (a + b).allSatisfy { $0.count == n }, "every repeat needs a flag for each of the same images")
    precondition(!paired || a.count == b.count, "paired sides need as many repeats each")
    (repeatsA, repeatsB, images, self.resamples, self.paired, self.margin) = (
      a.count, b.count, n, resamples, paired, margin
    )
    func accuracy(_ flags: [Bool]) -> Double { Double(flags.lazy.filter { $0 }.count) / Double(n) }
    difference = a.map(accuracy).reduce(0, +) / Double(a.count) - b.map(accuracy).reduce(0, +) / Double(b.count)

    let raw = zip(a, b).map { x, y in
      let onlyA = zip(x, y).lazy.filter { $0 && !$1 }.count
      let onlyB = zip(x, y).lazy.filter { !$0 && $1 }.count
      return (onlyA, onlyB, mcnemarExact(b: onlyA, c: onlyB))
    }
    let adjusted = holmAdjusted(raw.map(\.2))
    pairs = zip(raw, adjusted).map { ImagePair(onlyA: $0.0, onlyB: $0.1, p: $0.2, adjustedP: $1) }

    // Only the images some run gets wrong move the difference: on the others every run
    // scores 1, on both sides alike. How many of the n draws land among those `u` images is
    // Binomial(n, u / n), drawn by inverting its distribution function; which of them, uniform.
    let hard = (0..<n).filter { i in !(a + b).allSatisfy { $0[i] } }
    let u = hard.count
    let flagsA = a.map { run in hard.map { run[$0] ? 1.0 : 0 } }
    let flagsB = b.map { run in hard.map { run[$0] ? 1.0 : 0 } }
    let landing = Self.binomialDistribution(trials: n, share: Double(u) / Double(n))
    var estimates = [Double](repeating: 0, count: resamples)
    var weightA = [Double](repeating: 0, count: a.count)
    var weightB = [Double](repeating: 0, count: b.count)
    var counts = [Int](repeating: 0, count: u)
    for s in estimates.indices {
      for k in weightA.indices { weightA[k] = 0 }
      for k in weightB.indices { weightB[k] = 0 }
      for _ in 0..<a.count { weightA[generator.integer(below: a.count)] += 1 / Double(a.count) }
      if paired {
        weightB = weightA
      } else {
        for _ in 0..<b.count { weightB[generator.integer(below: b.count)] += 1 / Double(b.count) }
      }
      guard u > 0 else { continue }
      for i in counts.indices { counts[i] = 0 }
      let drawn = Self.draw(landing, &generator)
      for _ in 0..<drawn { counts[generator.integer(below: u)] += 1 }
      // Σ over drawn images of (mean A − mean B) on the hard images, plus (n − drawn) easy
      // images where both are 1: those cancel.
      var total = 0.0
      for i in 0..<u where counts[i] > 0 {
        var meanA = 0.0
        for k in weightA.indices where weightA[k] > 0 { meanA += weightA[k] * flagsA[k][i] }
        var meanB = 0.0
        for k in weightB.indices where weightB[k] > 0 { meanB += weightB[k] * flagsB[k][i] }
        total += Double(counts[i]) * (meanA - meanB)
      }
      estimates[s] = total / Double(n)
    }
    estimates.sort()
    low = percentile(sorted: estimates, Comparison.alpha / 2)
    high = percentile(sorted: estimates, 1 - Comparison.alpha / 2)
    equivalenceLow = percentile(sorted: estimates, Comparison.alpha)
    equivalenceHigh = percentile(sorted: estimates, 1 - Comparison.alpha)
    let mean = estimates.reduce(0, +) / Double(resamples)
    standardError = resamples > 1 ? sampleDeviation(estimates, mean: mean) : 0
    detectable = (Normal.quantile(1 - Comparison.alpha / 2) + Normal.quantile(Comparison.power)) * standardError
    if low > 0 {
      verdict = .better
    } else if high < 0 {
      verdict = .worse
    } else if let margin, equivalenceLow > -margin, equivalenceHigh < margin {
      verdict = .equivalent
    } else {
      verdict = .indistinguishable
    }
  }

  /// P(X ≤ k) for X ~ Binomial(trials, share), k = 0…trials.
  static func binomialDistribution(trials: Int, share: Double) -> [Double] {
    guard share > 0 else { return [Double](repeating: 1, count: trials + 1) }
    guard share < 1 else { return [Double](repeating: 0, count: trials) + [1] }
    var cumulative = [Double](repeating: 0, count: trials + 1)
    var total = 0.0
    let (logShare, logRest) = (log(share), log1p(-share))
    let logAll: Double = lgamma(Double(trials + 1))
    for k in 0...trials {
      let logChoose: Double = logAll - lgamma(Double(k + 1)) - lgamma(Double(trials - k + 1))
      let logTerm: Double = Double(k) * logShare + Double(trials - k) * logRest
      total += exp(logChoose + logTerm)
      cumulative[k] = total
    }
    return cumulative
  }

  /// A draw from the distribution whose function `cumulative` is: the first k with
  /// P(X ≤ k) above a uniform draw.
  static func draw(_ cumulative: [Double], _ generator: inout Xoshiro256) -> Int {
    let target = generator.uniformDouble() * cumulative[cumulative.count - 1]
    var (low, high) = (0, cumulative.count - 1)
    while low < high {
      let mid = (low + high) / 2
      if cumulative[mid] > target { high = mid } else { low = mid + 1 }
    }
    return low
  }
}
