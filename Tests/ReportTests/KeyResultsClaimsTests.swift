import Foundation
import NN
import Statistics
import Tensor
import Testing

@testable import Report
@testable import Study

/// The key results' claims, checked against the facts they were phrased from, for each
/// verdict over seeds and test images (better, worse, equivalent, indistinguishable), alike
/// and unlike budgets, and one or five repeats: the verdict word is the facts' own, a
/// "could be found" clause comes only with an undecided verdict, the interval printed is
/// the bootstrap's, McNemar's counts are the pairs', and "alike" only when the budgets are.
@Suite struct KeyResultsClaims {
  enum Scenario: CaseIterable {
    case better, worse, same, noisy
  }

  /// `repeats` runs a side over 5,000 images (1,000 for the noisy scenario), each right with
  /// the side's accuracy (the scenario's), the hard images shared by both sides.
  static func flags(_ scenario: Scenario, repeats: Int) -> (tuned: [[Bool]], baseline: [[Bool]]) {
    var generator = Xoshiro256(seed: 17)
    let n = scenario == .noisy ? 1_000 : 5_000
    let hard = (0..<n).map { _ in generator.uniformDouble() < 0.015 }
    func side(_ accuracy: Double) -> [[Bool]] {
      (0..<repeats).map { _ in
        (0..<n).map { i in hard[i] ? generator.uniformDouble() < 0.2 : generator.uniformDouble() < accuracy }
      }
    }
    switch scenario {
    case .better: return (side(0.999), side(0.99))
    case .worse: return (side(0.99), side(0.999))
    case .same:
      let both = side(0.995)
      return (both, both)
    case .noisy: return (side(0.97), side(0.967))
    }
  }

  static func summary(_ flags: [[Bool]], parameters: Int) -> KeyResultFacts.ModelSummary {
    let accuracies = flags.map { Double($0.filter { $0 }.count) / Double($0.count) }
    let numbers = KeyResultFacts.ModelNumbers(
      testAccuracy: accuracies[0], testLoss: 0.05, testErrors: flags[0].filter { !$0 }.count,
      testImages: flags[0].count, bestValidationAccuracy: 0.98, parameters: parameters, epochs: 20,
      trainingSeconds: 12)
    return KeyResultFacts.ModelSummary(
      repeats: flags.count, testAccuracy: Spread(accuracies), testLoss: Spread(flags.map { _ in 0.05 }),
      testErrors: Spread(flags.map { Double($0.filter { !$0 }.count) }), testImages: flags[0].count,
      bestValidationAccuracy: Spread(flags.map { _ in 0.98 }), parameters: parameters,
      epochs: Spread(flags.map { _ in 20 }), trainingSeconds: Spread(flags.map { _ in 12 }), repeat0: numbers)
  }

  static func facts(_ scenario: Scenario, repeats: Int, alike: Bool) -> KeyResultFacts {
    let (tuned, baseline) = flags(scenario, repeats: repeats)
    var generator = Xoshiro256(seed: 3)
    let images = SeedsAndImages(tuned, baseline, paired: false, margin: 0.004, resamples: 2_000, generator: &generator)
    let stopping = EarlyStoppingSettings(monitor: .validationAccuracy, patience: 5, minDelta: 0, restoreBest: true)
    let (t, b) = (summary(tuned, parameters: 1_000), summary(baseline, parameters: 500))
    let accuracy = { (flags: [[Bool]]) in flags.map { Double($0.filter { $0 }.count) / Double($0.count) } }
    let (accuracyA, accuracyB) = (accuracy(tuned), accuracy(baseline))
    var stream = Xoshiro256(seed: 4)
    let comparison = Comparison(accuracyA, accuracyB, design: .unpaired, margin: 0.004, generator: &stream)
    return KeyResultFacts(
      tuned: "tuned", baseline: "baseline", tunedModel: t, baselineModel: b,
      change: KeyResultFacts.ModelChange(
        testAccuracy: t.testAccuracy.mean - b.testAccuracy.mean, testLoss: 0, testErrors: 0,
        bestValidationAccuracy: 0, parameterRatio: 2, epochs: 0, repeat0TestAccuracy: nil),
      comparison: comparison, images: images,
      budgets: KeyResultFacts.TrainingBudgets(
        baselineEpochs: alike ? 20 : 12, tunedEpochs: 20, baselineStopping: alike ? stopping : nil,
        tunedStopping: stopping, baselineStoppedEarly: 0, tunedStoppedEarly: 0),
      verdict: KeyResultFacts.agreed(images, comparison))
  }

  @Test(arguments: Scenario.allCases, [1, 5])
  func theHeadlineSaysWhatItsFactsHold(scenario: Scenario, repeats: Int) throws {
    for alike in [true, false] {
      let facts = Self.facts(scenario, repeats: repeats, alike: alike)
      let images = try #require(facts.images)
      let headline = KeyResultsPresenter.headline(facts)
      let verdict = "**\(Words.verdict(try #require(facts.verdict), margin: images.margin))**"
      #expect(headline.contains(verdict), "\(scenario): \(headline)")
      for other in [Comparison.Verdict.better, .worse, .indistinguishable] where other != facts.verdict {
        #expect(!headline.contains("**\(other.rawValue)**"), "\(scenario) says \(other): \(headline)")
      }
      // The interval printed is the bootstrap's, beside the change.
      #expect(headline.contains(String(Format.difference(images.interval).drop { $0 != "[" })), "\(headline)")
      #expect(headline.contains(Format.points(images.difference)), "\(headline)")
      let undecided = images.verdict == .indistinguishable
      #expect(headline.contains("would be found 80% of the time") == undecided, "\(headline)")
      if images.verdict == .equivalent {
        #expect(images.equivalenceLow > -0.004 && images.equivalenceHigh < 0.004)
        #expect(headline.contains("90% interval"), "\(headline)")
      }
      #expect(headline.contains("Both had the same epoch budget") == alike, "\(headline)")
      #expect(headline.contains("neither stopped early") == alike, "\(headline)")
      #expect(headline.contains("not trained alike") == !alike, "\(headline)")
      if repeats > 1 {
        let (tunedAhead, baselineAhead) = KeyResultsPresenter.mcnemarCounts(images)
        #expect(tunedAhead + baselineAhead <= images.pairs.count)
        if tunedAhead + baselineAhead == 0 {
          #expect(headline.contains("finds none of the \(repeats) repeat pairs different"), "\(headline)")
        } else {
          #expect(
            headline.contains("in \(tunedAhead) of the \(repeats) repeat pairs and the baseline in \(baselineAhead)"))
        }
        #expect(headline.contains("Over \(repeats) repeats"), "\(headline)")
      }
      let table = KeyResultsPresenter.table(facts, tuned: "Tuned", baseline: "Baseline")
      let budget = try #require(table.rows.first { $0.cells.first?.text == "Epoch budget and checkpoint" })
      #expect(budget.cells.last?.text == (alike ? "same" : "differs"))
    }
  }

  /// The four scenarios reach the four verdicts: the test above covers each word.
  @Test func theScenariosReachEveryVerdict() {
    let verdicts = Scenario.allCases.map { Self.facts($0, repeats: 5, alike: true).verdict }
    #expect(verdicts == [.better, .worse, .equivalent, .indistinguishable], "\(verdicts)")
  }

  /// An interval over seeds and images that decides where the test over seeds does not is
  /// not the verdict: the key results say indistinguishable, and why.
  @Test func theSeedsTestMustAgree() throws {
    let better = Self.facts(.better, repeats: 5, alike: true)
    let noisy = Self.facts(.noisy, repeats: 5, alike: true)
    let images = try #require(better.images)
    let seeds = try #require(noisy.comparison)
    #expect(images.verdict == .better && seeds.verdict == .indistinguishable)
    let facts = KeyResultFacts(
      tuned: better.tuned, baseline: better.baseline, tunedModel: better.tunedModel,
      baselineModel: better.baselineModel, change: better.change, comparison: seeds, images: images,
      budgets: better.budgets, verdict: KeyResultFacts.agreed(images, seeds))
    #expect(facts.verdict == .indistinguishable)
    let headline = KeyResultsPresenter.headline(facts)
    #expect(headline.contains("**indistinguishable**: the interval over seeds and images alone would call it better"))
    #expect(!headline.contains("**better**"), "\(headline)")
  }
}
