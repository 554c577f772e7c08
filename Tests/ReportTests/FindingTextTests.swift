import NN
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

  func facts(_ variants: [(String, RunSettings, [Double], Double)]) -> CompareFacts {
    let cell = CompareCell(variants: variants.map { .init(name: $0.0, settings: $0.1) }, sequential: true)
    let runs = variants.map { name, settings, accuracies, seconds in
      var named = run(accuracies, seconds: seconds, settings: settings)
      named.name = name
      return named
    }
    return CompareFacts(cell, runs: runs, settings: RunSettings())
  }

  func optimizer(_ kind: RunSettings.OptimizerKind) -> RunSettings {
    var settings = RunSettings()
    settings.optimizer = kind
    return settings
  }

  @Test func aRankingOfOptimizers() {
    let text = ComparePresenter.finding(
      facts([
        ("SGD", optimizer(.sgd), [0.90, 0.95], 1.0), ("Adam", optimizer(.adam), [0.96, 0.97], 1.3),
        ("RMSprop", optimizer(.rmsprop), [0.94, 0.96], 1.1),
      ]))
    #expect(
      text
        == "**Adam** reaches the best validation accuracy, 97.00% (epoch 2), 1.00 pt ahead of RMSprop and 2.00 pt ahead of the last, SGD. The cost differs too: an epoch takes 1.00 s with SGD and 1.30 s with Adam. Adam is the first to reach 95.5% (epoch 1); RMSprop needs 2 epochs; SGD never gets there."
    )
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
    #expect(TrainPresenter.finding(RunFacts(named.run)) == "")
  }
}
