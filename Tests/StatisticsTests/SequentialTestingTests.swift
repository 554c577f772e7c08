import Foundation
import Statistics
import Tensor
import Testing

/// The sequential rule a cell with adaptive repeats follows (`SequentialTesting`), simulated
/// over thousands of seeded studies of three comparisons with one reference, paired by
/// repeat: under no difference it calls one better or worse in at most 5% of the studies (a
/// Monte Carlo error of ±0.35 pt at 4,000); under a true difference as large as a fixed
/// design's detectable one it finds it about as often as that design's stated power; and a
/// clear difference stops at the first look.
@Suite struct SequentialRule {
  /// Looks after 3, 6, 9 and 12 repeats, as `repeats: {min: 3, max: 12}` makes them.
  let looks = [3, 6, 9, 12]
  let noise = 0.5

  /// `studies` simulated studies: per study, each comparison's final verdict and the look it
  /// stopped at. Variant v's repeat r scores reference_r + effects[v] + noise: the shared
  /// reference is why pairing by repeat is right.
  func simulate(_ effects: [Double], studies: Int, spending: SequentialDesign.Spending, seed: UInt64)
    -> [[(comparison: Comparison, look: Int)]]
  {
    let design = SequentialDesign(looks: looks, spending: spending)
    var generator = Xoshiro256(seed: seed)
    return (0..<studies).map { _ in
      let reference = (0..<looks.last!).map { _ in generator.normal() }
      let variants = effects.map { effect in reference.map { $0 + effect + noise * generator.normal() } }
      return SequentialTesting.run(effects.count, design: design) { i, n in
        (Array(variants[i].prefix(n)), Array(reference.prefix(n)), .paired)
      }
    }
  }

  @Test(arguments: SequentialDesign.Spending.allCases)
  func noDifferenceIsCalledOneInAtMostOneStudyOfTwenty(_ spending: SequentialDesign.Spending) {
    let studies = 4000
    let results = simulate([0, 0, 0], studies: studies, spending: spending, seed: 7)
    let falsePositives = results.filter { study in
      study.contains { $0.comparison.verdict == .better || $0.comparison.verdict == .worse }
    }.count
    let rate = Double(falsePositives) / Double(studies)
    #expect(rate <= 0.05, "family-wise false-positive rate \(rate) with \(spending)")
    #expect(rate >= 0.01, "a rule that never decides would pass too: \(rate)")
  }

  @Test(arguments: SequentialDesign.Spending.allCases)
  func aDetectableDifferenceIsFoundAboutAsOftenAsStated(_ spending: SequentialDesign.Spending) throws {
    // The difference 12 pairs find 80% of the time at the last look's level, at Holm's
    // strictest for three comparisons: what the report states for a comparison that ran to
    // the last look.
    let last = SequentialDesign(looks: looks, spending: spending).spentAtLooks.last!
    let detectable = try #require(
      Power.detectableDifference(sd: noise, n: looks.last!, alpha: last / 3, power: Comparison.power))
    let studies = 2000
    let results = simulate([detectable, 0, 0], studies: studies, spending: spending, seed: 11)
    let found = results.filter { $0[0].comparison.verdict == .better }.count
    let power = Double(found) / Double(studies)
    // The early looks add chances: at least the stated 80%, less a Monte Carlo error of
    // about one point.
    #expect(power >= 0.78, "power \(power) with \(spending)")
  }

  @Test func aClearDifferenceStopsAtTheFirstLookWithPocock() {
    // Twelve noise deviations: a gap like tanh's or SGD's against the reference (t ≈ 20 at 3
    // repeats).
    let results = simulate([12 * noise, 0, 0], studies: 500, spending: .pocock, seed: 13)
    let first = results.filter { $0[0].look == 0 && $0[0].comparison.verdict == .better }.count
    #expect(Double(first) / 500 >= 0.8, "\(first) of 500 stopped at 3 repeats")
    let repeatsOfTheOthers = results.flatMap { $0.dropFirst() }.map { looks[$0.look] }
    #expect(repeatsOfTheOthers.allSatisfy { $0 == looks.last! || $0 < looks.last! })
  }

  @Test func pocockSpendsItsAlphaAsTheFunctionSays() {
    // Brownian motion at the looks' information: the share exiting by each look is the
    // spending function's value there.
    let design = SequentialDesign(looks: looks, spending: .pocock)
    var generator = Xoshiro256(seed: 3)
    let studies = 200_000
    var exits = [Int](repeating: 0, count: looks.count)
    for _ in 0..<studies {
      var score = 0.0
      var previous = 0
      for (k, n) in looks.enumerated() {
        score += Double(n - previous).squareRoot() * generator.normal()
        previous = n
        if abs(score / Double(n).squareRoot()) >= design.boundaries[k] {
          exits[k] += 1
          break
        }
      }
    }
    var cumulative = 0
    for (k, n) in looks.enumerated() {
      cumulative += exits[k]
      let expected = SequentialDesign.spent(Double(n) / Double(looks.last!), alpha: 0.05, spending: .pocock)
      #expect(abs(Double(cumulative) / Double(studies) - expected) < 0.002, "look \(k): \(cumulative)")
    }
  }
}
