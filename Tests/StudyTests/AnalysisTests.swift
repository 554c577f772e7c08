import Data
import Metrics
import NN
import Tensor
import Testing

@testable import Study

/// A run with these validation accuracies per epoch (nil: no validation), built by hand.
func handRun(
  _ accuracies: [Double?], train: Double = 0.99, losses: [Double]? = nil, rates: [Double]? = nil,
  secondsPerEpoch: Double = 1, settings: RunSettings = RunSettings(), diverged: Bool = false
) -> RunRecord {
  var history = History()
  history.epochs = accuracies.enumerated().map { i, accuracy in
    EpochRecord(
      epoch: i + 1, trainLoss: 0.1, trainAccuracy: train, validationLoss: accuracy == nil ? nil : losses?[i] ?? 0.1,
      validationAccuracy: accuracy, learningRate: rates?[i] ?? 0.001, seconds: secondsPerEpoch)
  }
  if diverged { history.stopReason = .diverged(epoch: accuracies.count, batch: 3) }
  history.restoredEpoch = accuracies.count
  var record = RunRecord(
    key: "k", settings: settings, data: .split, history: history, status: diverged ? .diverged : .completed,
    seconds: secondsPerEpoch * Double(accuracies.count), parameterCount: 1000,
    validationLoss: accuracies.last.flatMap { $0 == nil ? nil : 0.1 }, validationAccuracy: accuracies.last ?? nil)
  // The kept weights on the training sample: `train`, as the last epoch's.
  if !diverged, accuracies.last != nil { record.trainEvaluation = Evaluation(loss: 0.1, accuracy: train, images: 100) }
  return record
}

/// A compare cell of these variants (name, settings, and one run per repeat), with its facts.
func compareFacts(
  _ variants: [(String, RunSettings, [RunRecord])], base: RunSettings = RunSettings(), reference: Int? = nil
)
  -> CompareFacts
{
  // Each run trained its variant's settings, as in a build.
  let runs = variants.map { name, settings, records in
    let all = records.map { record -> RunRecord in
      var run = record
      run.settings = settings
      return run
    }
    return NamedRun(name: name, run: all[0], repeats: Array(all.dropFirst()))
  }
  let reference = reference ?? variants.firstIndex { base.changedKeys(to: $0.1).isEmpty } ?? 0
  let cell = CompareCell(
    variants: variants.map { .init(name: $0.0, settings: $0.1) }, sequential: true,
    replication: Replication(count: variants[0].2.count), reference: reference)
  return CompareFacts(cell, runs: runs, settings: base, id: "cell", seed: SeedPath(1))
}

/// Repeats of a run whose best validation accuracies are `scores` (one epoch each, unless
/// `curve` gives every repeat's curve).
func repeats(_ scores: [Double], train: Double = 0.99, secondsPerEpoch: Double = 1) -> [RunRecord] {
  scores.map { handRun([$0], train: train, secondsPerEpoch: secondsPerEpoch) }
}

func with(_ change: (inout RunSettings) -> Void) -> RunSettings {
  var settings = RunSettings()
  change(&settings)
  return settings
}

@Suite struct RunFindings {
  @Test func thePeakIsTheFirstBestEpochAndALateMinimumIsNoTurn() {
    let facts = RunFacts(handRun([0.90, 0.95, 0.95, 0.94], train: 0.97, losses: [0.3, 0.2, 0.21, 0.19]))
    #expect(facts.best == EpochValue(epoch: 2, value: 0.95), "ties keep the first epoch")
    #expect(facts.epochs == 4)
    #expect(facts.lossTurn == nil, "the lowest loss is the last epoch's")
    // The kept weights (the last epoch's) on the training sample and on validation: one epoch.
    #expect(facts.kept?.epoch == 4 && facts.kept?.restored == false)
    #expect(abs(facts.kept!.gap! - (0.97 - 0.94)) < 1e-12)
    #expect(facts.rateCuts == nil && facts.divergedEpoch == nil && facts.test == nil)
  }

  @Test func aLossThatTurnsUpMoreThanTwoEpochsBeforeTheEnd() {
    let turned = RunFacts(handRun([0.9, 0.91, 0.92, 0.92, 0.92, 0.93], losses: [0.3, 0.2, 0.25, 0.26, 0.27, 0.28]))
    #expect(turned.lossTurn == RunFacts.LossTurn(epoch: 2, lowest: 0.2, final: 0.28))
    // Lowest at epoch 3 of 5: 5 − 3 = 2 epochs, within the wobble of a plateau.
    let wobble = RunFacts(handRun([0.9, 0.91, 0.92, 0.92, 0.92], losses: [0.3, 0.25, 0.2, 0.21, 0.22]))
    #expect(wobble.lossTurn == nil)
  }

  @Test func scheduleCutsAreCounted() {
    let facts = RunFacts(handRun([0.9, 0.91, 0.92, 0.93], rates: [1e-3, 1e-3, 5e-4, 2.5e-4]))
    #expect(facts.rateCuts == RunFacts.RateCuts(count: 2, firstAfter: 2, finalRate: 2.5e-4))
  }

  @Test func aDivergedRunSaysOnlyWhere() {
    let facts = RunFacts(handRun([0.5, nil], diverged: true))
    #expect(facts.divergedEpoch == 2)
    #expect(facts.best == nil && facts.kept == nil && facts.lossTurn == nil)
  }

  @Test func withoutValidationThereIsNoPeakAndNoGap() {
    let facts = RunFacts(handRun([nil, nil, nil]))
    #expect(facts.best == nil && facts.kept == nil && facts.lossTurn == nil)
  }
}

@Suite struct CompareFindings {
  let adam = RunSettings()
  let sgd = with { $0.optimizer = .sgd }
  let rms = with { $0.optimizer = .rmsprop }

  @Test func aVariantThatWinsEveryRepeatIsBetterAndTheOthersAreJudgedAgainstTheReference() throws {
    let facts = compareFacts([
      ("SGD", sgd, repeats([0.950, 0.948, 0.951, 0.949])),
      ("Adam", adam, repeats([0.970, 0.968, 0.972, 0.969])),
      ("RMSprop", rms, repeats([0.975, 0.973, 0.977, 0.974])),
    ])
    #expect(facts.reference.name == "Adam" && facts.referenceIsUnchanged)
    #expect(facts.repeats == 4 && facts.highestNames == ["RMSprop"])
    #expect(facts.variants(.better).map(\.name) == ["RMSprop"])
    #expect(facts.variants(.worse).map(\.name) == ["SGD"])
    let rmsprop = try #require(facts.comparison(of: "RMSprop"))
    #expect(abs(rmsprop.difference.value - 0.005) < 1e-12 && rmsprop.probability == 1)
    #expect(rmsprop.design == .paired && rmsprop.family == 2, "the same layers and batch: paired; two comparisons")
    guard case .ranking(let ranking, _) = facts.story else {
      Issue.record("expected a ranking, got \(facts.story)")
      return
    }
    #expect(ranking.highest == ["RMSprop"])
  }

  @Test func mixedWinsAreIndistinguishable() {
    let facts = compareFacts([
      ("SGD", sgd, repeats([0.970, 0.968, 0.972])),
      ("Adam", adam, repeats([0.969, 0.970, 0.971])),
    ])
    #expect(facts.variants(.indistinguishable).map(\.name) == ["SGD"])
    #expect(facts.variants(.better).isEmpty && facts.variants(.worse).isEmpty)
    #expect(facts.comparison(of: "SGD")?.detectable != nil)
  }

  @Test func oneRepeatRanksNothing() {
    let facts = compareFacts([("SGD", sgd, repeats([0.90])), ("Adam", adam, repeats([0.97]))])
    guard case .single(let low, let high) = facts.story else {
      Issue.record("expected no ranking from single runs, got \(facts.story)")
      return
    }
    #expect(low == 0.90 && high == 0.97)
    #expect(facts.comparison(of: "SGD")?.verdict == .single)
  }

  @Test func costsWithinFifteenPercentAreTheSameAndUntimedRunsAreLeftOut() {
    var borrowed = repeats([0.96, 0.961], secondsPerEpoch: 5)
    for i in borrowed.indices { borrowed[i].timedIn = "another cell" }
    let facts = compareFacts(
      [
        ("a", with { $0.learningRate = 1e-3 }, repeats([0.95, 0.951], secondsPerEpoch: 1.0)),
        ("b", with { $0.learningRate = 2e-3 }, repeats([0.952, 0.953], secondsPerEpoch: 1.15)),
        ("c", with { $0.learningRate = 3e-3 }, borrowed),
      ], reference: 0)
    #expect(facts.variants[2].secondsPerEpoch == nil, "timed by another cell")
    guard case .ranking(let ranking, let race) = facts.story, case .same(let mean)? = ranking.cost else {
      Issue.record("expected a ranking of equal cost")
      return
    }
    #expect(abs(mean - 1.075) < 1e-12)
    #expect(race == nil, "a learning rate is no race")
  }

  @Test func aTieIsNamedAsOne() {
    let facts = compareFacts([
      ("first", with { $0.activation = .tanh }, repeats([0.95, 0.96])),
      ("second", with { $0.activation = .gelu }, repeats([0.95, 0.96])),
    ])
    #expect(facts.highestNames == ["first", "second"])
    #expect(facts.comparison(of: "second")?.probability == 0.5, "ties count half")
  }

  @Test func theRaceRunsOnTheMeanCurves() throws {
    // Adam's mean curve reaches 95.5% in epoch 1, RMSprop's in epoch 2, SGD's never.
    let facts = compareFacts([
      ("SGD", sgd, [handRun([0.90, 0.95]), handRun([0.91, 0.95])]),
      ("Adam", adam, [handRun([0.96, 0.97]), handRun([0.96, 0.97])]),
      ("RMSprop", rms, [handRun([0.94, 0.96]), handRun([0.95, 0.96])]),
    ])
    guard case .ranking(_, let found) = facts.story else {
      Issue.record("expected a ranking")
      return
    }
    let race = try #require(found)
    #expect(abs(race.bar - 0.955) < 1e-12)
    #expect(race.first == ["Adam"] && race.firstEpoch == 1)
    #expect(race.last?.name == "RMSprop" && race.last?.epoch == 2)
    #expect(race.never == ["SGD"])
  }

  @Test func divergedVariantsAreListedAndNeverWin() {
    var wild = repeats([0.99, 0.99])
    wild[1] = handRun([0.5, nil], diverged: true)
    let facts = compareFacts(
      [
        ("wild", with { $0.learningRate = 5 }, wild), ("calm", with { $0.learningRate = 1e-3 }, repeats([0.9, 0.91])),
      ], reference: 1)
    #expect(facts.diverged == ["wild"])
    #expect(facts.highestNames == ["calm"])
    let all = compareFacts([("wild", with { $0.learningRate = 5 }, [handRun([nil], diverged: true)])])
    guard case .allDiverged = all.story else {
      Issue.record("expected every variant to have diverged")
      return
    }
    #expect(all.highestNames.isEmpty)
  }

  /// A step whose ratio's interval holds the payoff ratio is undecided, and the rule says
  /// it cannot tell, whatever the mean ratio's side (1.249 against 1.25 here).
  @Test func aStepTooCloseToThePayoffRatioIsUndecided() throws {
    func timed(_ seconds: [Double], _ batch: Int) -> [RunRecord] {
      seconds.map { handRun([0.98], secondsPerEpoch: $0, settings: with { $0.batchSize = batch }) }
    }
    let facts = compareFacts([
      ("32", with { $0.batchSize = 32 }, timed([1.22, 1.249, 1.278], 32)),
      ("64", with { $0.batchSize = 64 }, timed([0.97, 1.0, 1.03], 64)),
      ("128", adam, timed([0.5, 0.5, 0.5], 128)),
    ])
    guard case .batchSizes(let found) = facts.story, let batches = found else {
      Issue.record("expected the batch-size story")
      return
    }
    let step = batches.steps[0]
    #expect(step.perDoubling < CompareFacts.BatchSizes.payoffRatio)
    #expect(step.pays == .undecided && step.perDoublingLow! < 1.2 && step.perDoublingHigh! > 1.3)
    #expect(batches.steps[1].pays == .pays, "1.0 → 0.5 s is twice as fast, beyond doubt")
    #expect(batches.payoff == "32")
  }

  @Test func batchSizesPayUntilADoublingSavesLessThanAFifthAndTheRepeatsJudgeTheDrop() throws {
    // 4.0 → 2.0 s (×2, pays), 2.0 → 1.7 s (×1.18 < 1.25: stops).
    let facts = compareFacts([
      ("32", with { $0.batchSize = 32 }, repeats([0.980, 0.981, 0.979], secondsPerEpoch: 4.0)),
      ("64", with { $0.batchSize = 64 }, repeats([0.982, 0.983, 0.981], secondsPerEpoch: 2.0)),
      ("128", adam, repeats([0.979, 0.980, 0.978], secondsPerEpoch: 1.7)),
      ("256", with { $0.batchSize = 256 }, repeats([0.975, 0.976, 0.974], secondsPerEpoch: 1.6)),
    ])
    #expect(facts.comparison(of: "32")?.design == .unpaired, "another batch size draws other batches: Welch's t")
    guard case .batchSizes(let found) = facts.story else {
      Issue.record("expected the batch-size story")
      return
    }
    let batches = try #require(found)
    #expect(batches.highest == ["64"] && batches.smallest == "32" && batches.largest == "256")
    #expect(
      batches.payoff == "64" && batches.steps.map(\.pays) == [.pays, .doesNotPay, .doesNotPay]
        && batches.untimed.isEmpty)
    // Without spread in their times, each step's interval is its ratio.
    #expect(batches.steps[0].perDoublingLow == batches.steps[0].perDoubling)
    let drop = try #require(batches.drop)
    #expect(drop.verdict == .worse && abs(drop.difference.value + 0.007) < 1e-12)
    #expect(drop.family == 4, "the three comparisons with 128 and the drop: one family")
    // One batch size that trained is no story.
    let one = compareFacts([
      ("32", with { $0.batchSize = 32 }, repeats([0.98])),
      ("128", adam, [handRun([nil], diverged: true)]),
    ])
    guard case .batchSizes(nil) = one.story else {
      Issue.record("expected an empty batch-size story")
      return
    }
  }

  @Test func regularizersAreJudgedByTheSignedGapTheyLeave() throws {
    var none = RunSettings()
    (none.dropout, none.weightDecay) = (.all(0), 0)
    var dropout = none
    dropout.dropout = .all(0.3)
    var batchNorm = none
    batchNorm.batchNorm = true
    var both = batchNorm
    both.dropout = .all(0.3)
    let facts = compareFacts(
      [
        ("none", none, repeats([0.970, 0.971, 0.969], train: 1.00)),  // gap +3 points
        ("dropout", dropout, [0.980, 0.981, 0.979].map { handRun([$0], train: 0.99 + ($0 - 0.98)) }),  // +1: narrows
        ("batch norm", batchNorm, [0.971, 0.970, 0.972].map { handRun([$0], train: 1.0 - (0.971 - $0)) }),  // +2.9
        ("both", both, [0.981, 0.980, 0.982].map { handRun([$0], train: $0 - 0.01) }),  // −1: reverses
      ], base: none)
    guard case .regularization(let found) = facts.story else {
      Issue.record("expected the regularization story, got \(facts.story)")
      return
    }
    let r = try #require(found)
    #expect(r.reference?.name == "none" && abs(r.reference!.gap.mean - 0.03) < 1e-9)
    #expect(r.others.map(\.name) == ["dropout", "batch norm", "both"])
    #expect(r.others.map(\.change) == [.narrows, .undecided, .reverses])
    #expect(r.others.allSatisfy { $0.comparison?.design == .unpaired && $0.comparison?.family == 3 })
    #expect(facts.highestNames == ["both"])
  }
}

@Suite struct GridFindings {
  func grid(_ accuracy: [[Double]], parameters: [[Int]]) -> GridResult {
    GridResult(
      rowKey: .layers, rowValues: accuracy.indices.map { .integer($0 + 1) }, columnKey: .width,
      columnValues: accuracy[0].indices.map { .integer(64 << $0) }, accuracy: accuracy, parameters: parameters,
      seconds: accuracy.map { $0.map { _ in 1 } })
  }

  @Test func theSmallestNetworkWithinATenthOfAPoint() {
    let facts = GridFacts(
      grid([[0.970, 0.9795], [0.975, 0.9800]], parameters: [[50_000, 100_000], [60_000, 400_000]]))
    #expect(facts.best == GridFacts.Point(row: 1, column: 1) && facts.bestAccuracy == 0.98)
    #expect(facts.smallestClose == GridFacts.Point(row: 0, column: 1))
    #expect(facts.sizeRatio == 4)
    #expect(abs(facts.rowEffect! - (0.98 - 0.9795)) < 1e-12)
    #expect(facts.worst == 0.970)
  }

  @Test func tiesKeepTheFirstPointAndOneRowHasNoRowEffect() {
    let facts = GridFacts(grid([[0.95, 0.95]], parameters: [[10, 20]]))
    #expect(facts.best == GridFacts.Point(row: 0, column: 0))
    #expect(facts.smallestClose == nil && facts.sizeRatio == nil)
    #expect(facts.rowEffect == nil)
  }

  @Test func aDivergedPointNeverWins() {
    let facts = GridFacts(grid([[.nan, 0.9]], parameters: [[10, 20]]))
    #expect(facts.best == GridFacts.Point(row: 0, column: 1), "NaN compares false, so the first finite best wins")
  }
}

@Suite struct SearchFindings {
  func candidate(_ index: Int, _ mean: Double, std: Double, rank: Int, round: Int = 0, lr: Double = 0.001)
    -> SearchCandidateResult
  {
    SearchCandidateResult(
      index: index, parameters: [.learningRate: .number(lr), .optimizer: .text("adam")],
      foldScores: [mean, mean, mean],
      meanScore: mean, stdScore: std, rank: rank, meanFitSeconds: 1, stdFitSeconds: 0, epochs: [4, 12, 36][round],
      round: round)
  }

  func search(_ candidates: [SearchCandidateResult], method: SearchMethod = .random) -> SearchResult {
    SearchResult(
      method: method, folds: 3, space: [:], candidates: candidates,
      bestIndex: candidates.first { $0.rank == 1 }!.index, rounds: [], foldEpochs: 30, fullSearchFoldEpochs: 120)
  }

  @Test func aRunnerUpWithinTheFoldSpreadCannotBeToldApart() throws {
    let close = try #require(
      SearchFacts(
        search([candidate(0, 0.970, std: 0.002, rank: 2), candidate(1, 0.971, std: 0.001, rank: 1)]),
        earlier: []))
    #expect(close.best == 2)
    #expect(close.runnerUp?.candidate == 1 && close.runnerUp?.withinSpread == true)
    let far = try #require(
      SearchFacts(
        search([candidate(0, 0.960, std: 0.002, rank: 2), candidate(1, 0.971, std: 0.001, rank: 1)]),
        earlier: []))
    #expect(far.runnerUp?.withinSpread == false)
    #expect(far.shared.isEmpty, "two finalists are not the best three")
  }

  @Test func whatTheBestThreeShare() throws {
    let facts = try #require(
      SearchFacts(
        search([
          candidate(0, 0.97, std: 0, rank: 1, lr: 0.001), candidate(1, 0.96, std: 0, rank: 2, lr: 0.002),
          candidate(2, 0.95, std: 0, rank: 3, lr: 0.003),
        ]), earlier: []))
    #expect(facts.shared == [.optimizer])
    #expect(facts.halving == nil)
  }

  @Test func halvingFinalistsAreTheLastRoundsOnly() throws {
    let facts = try #require(
      SearchFacts(
        search(
          [
            candidate(0, 0.99, std: 0, rank: 3, round: 0), candidate(1, 0.95, std: 0, rank: 1, round: 1),
            candidate(2, 0.94, std: 0, rank: 2, round: 1),
          ], method: .halving), earlier: []))
    #expect(facts.finalists == [2, 3], "an early round's higher score on fewer epochs does not count")
    #expect(facts.halving?.share == 0.25 && facts.halving?.randomSearch == nil)
  }
}

/// A test evaluation of these (label, prediction) pairs.
func handTest(_ pairs: [(Int, Int)], classes: [String]) -> TestEvaluation {
  let confusion = ConfusionMatrix(labels: pairs.map(\.0), predicted: pairs.map(\.1), classes: classes.count)
  return TestEvaluation(
    loss: 0.2, accuracy: Double(confusion.correct) / Double(confusion.total), confusion: confusion,
    report: ClassificationReport(confusion, classNames: classes), mistakes: [], mistakeImages: [])
}

@Suite struct TestedModelFindings {
  @Test func hardestClassesAndCommonestConfusions() {
    // a: 4 right (F1 0.89); b: 2 right, 2 taken for c (F1 0.67); c: 5 right, 1 taken for a (F1 0.77).
    let pairs =
      [(0, 0), (0, 0), (0, 0), (0, 0), (1, 1), (1, 1), (1, 2), (1, 2)] + Array(repeating: (2, 2), count: 5) + [(2, 0)]
    var run = handRun([0.9, 0.95, 0.94])
    run.history.restoredEpoch = 2
    let test = handTest(pairs, classes: ["a", "b", "c"])
    run.test = test
    let facts = TestedModelFacts(run, test)
    #expect(facts.test == TestFacts(accuracy: 11.0 / 14, loss: 0.2, images: 14, errors: 3))
    #expect(facts.restoredEpoch == 2 && facts.epochs == 3)
    #expect(facts.hardest?.name == "b" && facts.easiest?.name == "a")
    #expect(
      facts.confusions == [
        .init(actual: "b", predicted: "c", count: 2), .init(actual: "c", predicted: "a", count: 1),
      ])
  }

  @Test func aPerfectModelHasNoConfusions() {
    let test = handTest([(0, 0), (1, 1)], classes: ["x", "y"])
    let facts = TestedModelFacts(handRun([1]), test)
    #expect(facts.confusions.isEmpty && facts.test.errors == 0)
  }
}

@Suite struct DataFindings {
  func summary(train: [Int], test: [Int]) -> DataSummary {
    DataSummary(
      dataset: "d", directory: "d", files: [], rows: 2, columns: 2, classNames: train.indices.map { "c\($0)" },
      trainCount: train.reduce(0, +), validationCount: 0, testCount: test.reduce(0, +), trainClasses: train,
      validationClasses: train.map { _ in 0 }, testClasses: test, pixelMean: 0.1, pixelStd: 0.3,
      normalization: .scale, samples: [])
  }

  @Test func rarestAndCommonestClassesAndTheMajorityBaseline() throws {
    let facts = try #require(DataFacts(summary(train: [30, 50, 20], test: [10, 6, 4])))
    #expect(facts.rarest == .init(name: "c2", count: 20, share: 0.2))
    #expect(facts.commonest == .init(name: "c1", count: 50, share: 0.5))
    #expect(facts.majorityAccuracy == 0.3, "always answering c1 gets its 6 of 20 test images")
  }

  @Test func tiesKeepTheFirstClassAndNoClassesNoFacts() throws {
    let facts = try #require(DataFacts(summary(train: [5, 5], test: [1, 1])))
    #expect(facts.rarest.name == "c0" && facts.commonest.name == "c0")
    #expect(DataFacts(summary(train: [], test: [])) == nil)
  }
}

@Suite struct KeyResultFindings {
  @Test func theDeclaredCellsAreCompared() throws {
    let text =
      validStudy.replacingOccurrences(of: "title: Baseline\n", with: "title: Baseline\n    test: true\n")
      + "\nkey_results: {baseline: baseline, tuned: tuned}\n"
    let study = try Study.parse(text, file: "s.yaml")
    var baseline = handRun([0.9])
    baseline.test = handTest([(0, 0), (0, 1), (1, 1), (1, 0)], classes: ["a", "b"])
    var tuned = handRun([0.95])
    tuned.test = handTest([(0, 0), (0, 0), (1, 1), (1, 0)], classes: ["a", "b"])
    let outcomes: [Int: CellOutcome] = [
      1: .train(NamedRun(name: "baseline", run: baseline)),
      4: .final(
        FinalOutcome(candidateParameters: [:], settings: tuned.settings, run: NamedRun(name: "tuned", run: tuned))),
    ]
    var built: [BuiltCell] = []
    for (i, cell) in study.cells.enumerated() {
      let result = CellResult(
        id: cell.id, kind: cell.kind, title: cell.title, status: outcomes[i] == nil ? .skipped : .ran, seconds: 0,
        key: "", outcome: outcomes[i])
      built.append(BuiltCell(cell: cell, result: result, earlier: built))
    }
    let facts = try #require(KeyResultFacts(BuiltStudy(study: study, results: dummyResults(study), cells: built)))
    #expect(facts.tuned == "tuned" && facts.baseline == "baseline")
    #expect(facts.change?.testErrors == -1, "1 mistake against 2: one fewer")
    #expect(facts.tunedModel.repeats == 1 && facts.comparison?.verdict == .single)
  }

  func dummyResults(_ study: Study) -> StudyResults {
    StudyResults(
      title: "", description: "", studyFile: "", version: "", engine: "", kernels: "", threads: 1, data: study.data,
      profile: .full, shape: DataShape(rows: 2, columns: 2, classes: 2), files: [], cells: [], seconds: 0,
      epochsUsed: 0, epochsTrained: 0, epochsTrainedNow: 0, cachedCells: 0, cacheProblems: [],
      provenance: Provenance(
        commit: nil, dirty: false, version: "", swift: "", cpu: "", cores: 1, operatingSystem: "", started: "",
        finished: ""), overrides: [])
  }
}

extension SearchFindings {
  @Test func halvingIsComparedWithTheRandomSearchOfTheSameCandidates() throws {
    let random = search([candidate(0, 0.97, std: 0, rank: 1), candidate(1, 0.96, std: 0, rank: 2)])
    let halving = search(
      [candidate(0, 0.90, std: 0, rank: 2, round: 0), candidate(1, 0.95, std: 0, rank: 1, round: 1)],
      method: .halving)
    let study = try Study.parse(validStudy, file: "s.yaml")
    let cell = study.cells[3]
    let earlier = [
      BuiltCell(
        cell: cell,
        result: CellResult(
          id: cell.id, kind: .search, title: "Random", status: .ran, seconds: 0, key: "", outcome: .search(random)),
        earlier: [])
    ]
    let facts = try #require(SearchFacts(halving, earlier: earlier))
    let comparison = try #require(facts.halving?.randomSearch)
    #expect(comparison.title == cell.title && comparison.best == 1 && comparison.rankOfThisWinner == 2)
  }

  @Test func divergedCandidatesRankLastAndOneCandidateHasNoRunnerUp() throws {
    let facts = try #require(
      SearchFacts(search([candidate(0, .nan, std: .nan, rank: 2), candidate(1, 0.9, std: 0, rank: 1)]), earlier: []))
    #expect(facts.best == 2 && facts.finalists == [2, 1])
    let one = try #require(SearchFacts(search([candidate(0, 0.9, std: 0, rank: 1)]), earlier: []))
    #expect(one.runnerUp == nil && one.shared.isEmpty)
  }
}
