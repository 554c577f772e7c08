import NN
import Tensor
import Testing

@testable import Report
@testable import Study

/// How the facts read: one sentence per fact, with its numbers formatted the report's way.
@Suite struct FindingText {
  func run(_ accuracies: [Double], train: Double = 0.99, seconds: Double = 1, settings: RunSettings) -> NamedRun {
    var history = History()
    history.epochs = accuracies.enumerated().map { i, accuracy in
      EpochRecord(
        epoch: i + 1, trainLoss: 0.1, trainAccuracy: train, validationLoss: 0.1, validationAccuracy: accuracy,
        learningRate: 0.001, seconds: seconds)
    }
    return NamedRun(
      name: "",
      run: RunRecord(
        key: "k", settings: settings, data: .split, history: history, status: .completed, seconds: seconds,
        parameterCount: 10, validationLoss: 0.1, validationAccuracy: accuracies.last))
  }

  /// Facts of variants given as (name, settings, each repeat's validation curve, seconds
  /// per epoch).
  func facts(_ variants: [(String, RunSettings, [[Double]], Double)]) -> CompareFacts {
    let cell = CompareCell(
      variants: variants.map { .init(name: $0.0, settings: $0.1) }, sequential: true,
      replication: Replication(count: variants[0].2.count),
      reference: variants.firstIndex { RunSettings().changedKeys(to: $0.1).isEmpty } ?? 0)
    let runs = variants.map { name, settings, curves, seconds in
      let all = curves.map { run($0, seconds: seconds, settings: settings).run }
      return NamedRun(name: name, run: all[0], repeats: Array(all.dropFirst()))
    }
    return CompareFacts(cell, runs: runs, settings: RunSettings(), id: "", seed: SeedPath(2))
  }

  func optimizer(_ kind: RunSettings.OptimizerKind) -> RunSettings {
    var settings = RunSettings()
    settings.optimizer = kind
    return settings
  }

  @Test func aRankingOfOptimizersSaysOnlyWhatTheRepeatsSupport() {
    let text = ComparePresenter.finding(
      facts([
        ("SGD", optimizer(.sgd), [[0.90, 0.95], [0.91, 0.951], [0.90, 0.949]], 1.0),
        ("Adam", optimizer(.adam), [[0.96, 0.97], [0.96, 0.971], [0.96, 0.969]], 1.3),
        ("RMSprop", optimizer(.rmsprop), [[0.94, 0.975], [0.95, 0.976], [0.95, 0.974]], 1.1),
      ]))
    #expect(
      text
        == "The highest mean validation accuracy over 3 repeats is **RMSprop**'s, 97.50 ± 0.10% (± one standard deviation), picked after the results; the tests against Adam follow. Against Adam, the cell's settings over 3 repeats, tested paired by seed with Holm's correction for 2 comparisons: RMSprop (+0.50 pt [+0.50, +0.50], p < 0.001, Holm-adjusted, P(better) 1.00 [0.29, 1.00]) is better; SGD (-2.00 pt [-2.00, -2.00], p < 0.001, Holm-adjusted, P(better) 0.00 [0.00, 0.71]) is worse. The cost differs too: an epoch takes 1.00 ± 0.00 s with SGD and 1.30 ± 0.00 s with Adam. On the mean of 3 repeats, RMSprop and Adam are the first to reach 96.5% (epoch 2); SGD never gets there."
    )
  }

  @Test func oneRunPerVariantRanksNothing() {
    let text = ComparePresenter.finding(
      facts([("SGD", optimizer(.sgd), [[0.90, 0.95]], 1.0), ("Adam", optimizer(.adam), [[0.96, 0.97]], 1.3)]))
    #expect(text.hasPrefix("With one run per variant nothing here can be ranked"))
    #expect(!text.contains("better") && !text.contains("**"))
  }

  @Test func everyVariantDiverged() {
    var settings = RunSettings()
    settings.learningRate = 9
    let cell = CompareCell(variants: [.init(name: "wild", settings: settings)], sequential: true)
    var named = run([0.1], settings: settings)
    named.name = "wild"
    named.run.status = .diverged
    #expect(
      ComparePresenter.finding(CompareFacts(cell, runs: [named], settings: RunSettings())) == "Every variant diverged.")
  }

  @Test func aRunWithoutValidationHasNothingToSay() {
    var named = run([0.9], settings: RunSettings())
    named.run.history.epochs[0].validationAccuracy = nil
    #expect(TrainPresenter.finding(TrainFacts(named)) == "")
  }
}
