import Foundation
import Statistics
import Tensor
import Testing

/// The comparison over seeds and test images together (`SeedsAndImages`): its shortcut (only
/// the images some run gets wrong are resampled, their number drawn from a binomial) gives
/// the spread of the plain two-level bootstrap, its verdicts follow its intervals, and its
/// McNemar pairs count the images each side alone gets right.
@Suite struct SeedsAndImagesTests {
  /// `runs` repeats over `images` images, run k right on image i with probability
  /// `accuracy[k]`, and a share of images every run finds hard (`hard`).
  func flags(_ accuracies: [Double], images: Int, hard: Set<Int>, _ generator: inout Xoshiro256) -> [[Bool]] {
    accuracies.map { accuracy in
      (0..<images).map { i in hard.contains(i) ? generator.uniformDouble() < 0.3 : generator.uniformDouble() < accuracy
      }
    }
  }

  /// The two-level bootstrap as written: repeats drawn with replacement, then every one of
  /// the n images drawn with replacement, the difference of the mean accuracies taken.
  func plainBootstrapDeviation(_ a: [[Bool]], _ b: [[Bool]], paired: Bool, resamples: Int, seed: UInt64) -> Double {
    var generator = Xoshiro256(seed: seed)
    let n = a[0].count
    let estimates = (0..<resamples).map { _ -> Double in
      let ra = (0..<a.count).map { _ in generator.integer(below: a.count) }
      let rb = paired ? ra : (0..<b.count).map { _ in generator.integer(below: b.count) }
      let drawn = (0..<n).map { _ in generator.integer(below: n) }
      let meanA = ra.map { k in Double(drawn.filter { a[k][$0] }.count) }.reduce(0, +) / Double(ra.count)
      let meanB = rb.map { k in Double(drawn.filter { b[k][$0] }.count) }.reduce(0, +) / Double(rb.count)
      return (meanA - meanB) / Double(n)
    }
    let mean = estimates.reduce(0, +) / Double(resamples)
    return (estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(resamples - 1)).squareRoot()
  }

  @Test(arguments: [false, true])
  func theShortcutHasThePlainBootstrapsSpread(paired: Bool) {
    var generator = Xoshiro256(seed: 7)
    let hard = Set((0..<40).map { $0 * 17 })
    let a = flags([0.97, 0.975, 0.965, 0.972], images: 1_500, hard: hard, &generator)
    let b = flags([0.96, 0.962, 0.958, 0.966], images: 1_500, hard: hard, &generator)
    let plain = plainBootstrapDeviation(a, b, paired: paired, resamples: 1_500, seed: 3)
    var stream = Xoshiro256(seed: 11)
    let shortcut = SeedsAndImages(a, b, paired: paired, resamples: 4_000, generator: &stream)
    // Two Monte Carlo estimates of one deviation: 1,500 and 4,000 resamples put each within
    // about 2-4% of it.
    #expect(abs(shortcut.standardError / plain - 1) < 0.08, "shortcut \(shortcut.standardError), plain \(plain)")
    #expect(shortcut.low < shortcut.difference && shortcut.difference < shortcut.high)
    #expect(shortcut.equivalenceLow > shortcut.low && shortcut.equivalenceHigh < shortcut.high)
  }

  /// One repeat a side: only the images vary, and the interval is McNemar's normal one,
  /// difference ± 1.96 √((b + c)/n − d²)/√n.
  @Test func withOneRepeatASideOnlyTheImagesVary() {
    let n = 10_000
    var a = [Bool](repeating: true, count: n)
    var b = a
    for i in 0..<60 { b[i] = false }  // A alone right on 60 images
    for i in 60..<90 { a[i] = false }  // B alone on 30
    for i in 90..<200 { (a[i], b[i]) = (false, false) }
    var generator = Xoshiro256(seed: 1)
    let result = SeedsAndImages([a], [b], paired: true, generator: &generator)
    #expect(abs(result.difference - 0.003) < 1e-12)
    let d = 0.003
    let se = ((90.0 / Double(n) - d * d) / Double(n)).squareRoot()
    #expect(abs(result.standardError / se - 1) < 0.03, "\(result.standardError) against \(se)")
    #expect(result.verdict == .better)
    let pair = result.pairs.first
    #expect(result.pairs.count == 1 && pair?.onlyA == 60 && pair?.onlyB == 30)
    #expect(pair?.p == mcnemarExact(b: 60, c: 30) && pair?.adjustedP == pair?.p)
    #expect(abs(result.detectable - 2.8016 * result.standardError) < 1e-3 * result.standardError)
  }

  @Test func verdictsFollowTheIntervals() {
    var generator = Xoshiro256(seed: 5)
    let hard = Set(0..<50)
    let same = flags([0.98, 0.98, 0.98], images: 4_000, hard: hard, &generator)
    var stream = Xoshiro256(seed: 2)
    let tie = SeedsAndImages(same, same, paired: true, margin: 0.01, generator: &stream)
    #expect(tie.difference == 0 && tie.low == 0 && tie.high == 0)
    #expect(tie.verdict == .equivalent)
    #expect(tie.pairs.allSatisfy { $0.onlyA == 0 && $0.onlyB == 0 && $0.p == 1 })
    let noMargin = SeedsAndImages(same, same, paired: true, generator: &stream)
    #expect(noMargin.verdict == .indistinguishable)

    let worse = flags([0.95, 0.951, 0.949], images: 4_000, hard: hard, &generator)
    let swapped = SeedsAndImages(worse, same, paired: false, margin: 0.01, generator: &stream)
    #expect(swapped.verdict == .worse && swapped.high < 0)
    let better = SeedsAndImages(same, worse, paired: false, margin: 0.01, generator: &stream)
    #expect(better.verdict == .better && better.low > 0)
    // Holm over the three pairs: each adjusted p at least its own, in the same order.
    #expect(better.pairs.allSatisfy { $0.adjustedP >= $0.p })
  }

  @Test func theSameStreamGivesTheSameBits() {
    var generator = Xoshiro256(seed: 9)
    let a = flags([0.97, 0.96], images: 800, hard: [1, 2, 3], &generator)
    let b = flags([0.965, 0.962, 0.97], images: 800, hard: [1, 2, 3], &generator)
    var s1 = Xoshiro256(seed: 4)
    var s2 = Xoshiro256(seed: 4)
    #expect(
      SeedsAndImages(a, b, paired: false, resamples: 500, generator: &s1)
        == SeedsAndImages(a, b, paired: false, resamples: 500, generator: &s2))
  }
}
