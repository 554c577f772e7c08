import Metrics
import NN
import Statistics

extension RunFacts {
  /// The facts of one run, read off its history.
  public init(_ run: RunRecord) {
    let epochs = run.history.epochs
    self.epochs = epochs.count
    trainingSeconds = run.epochSeconds
    secondsPerEpoch = run.secondsPerEpoch
    let last = epochs.last
    if case .diverged(let epoch, _) = run.history.stopReason {
      divergedEpoch = epoch
      (best, lossTurn, rateCuts, test, kept) = (nil, nil, nil, nil, nil)
      return
    }
    if let last, let validation = run.validationAccuracy {
      let epoch = run.history.restoredEpoch ?? last.epoch
      kept = KeptWeights(
        epoch: epoch, restored: epoch != last.epoch, validationAccuracy: validation, validationLoss: run.validationLoss,
        trainAccuracy: run.trainEvaluation?.accuracy, gap: run.gap)
    } else {
      kept = nil
    }
    divergedEpoch = nil
    best = run.bestEpoch.flatMap { e in e.validationAccuracy.map { EpochValue(epoch: e.epoch, value: $0) } }
    var turn: LossTurn?
    if let last, let lastLoss = last.validationLoss,
      let lowest = epochs.filter({ $0.validationLoss != nil }).min(by: { $0.validationLoss! < $1.validationLoss! }),
      lowest.epoch < last.epoch - Self.lateLossEpochs
    {
      turn = LossTurn(epoch: lowest.epoch, lowest: lowest.validationLoss!, final: lastLoss)
    }
    lossTurn = turn
    rateCuts = RateCuts(epochs)
    test = run.test.map(TestFacts.init)
  }
}

extension RunFacts.RateCuts {
  /// The cuts of the learning rate over `epochs`; nil when it never went down.
  init?(_ epochs: [EpochRecord]) {
    let rates = epochs.map(\.learningRate)
    let cuts = zip(rates, rates.dropFirst()).filter { $1 < $0 }.count
    guard cuts > 0, let first = zip(epochs, epochs.dropFirst()).first(where: { $1.learningRate < $0.learningRate }),
      let final = rates.last
    else { return nil }
    self.init(count: cuts, firstAfter: first.0.epoch, finalRate: final)
  }
}

extension TestFacts {
  public init(_ test: TestEvaluation) {
    accuracy = test.accuracy
    loss = test.loss
    images = test.confusion.total
    errors = test.confusion.errors
  }
}

extension RepeatedRunFacts {
  public init(_ named: NamedRun) {
    let runs = named.all
    n = runs.count
    best = Spread(runs.map(\.bestValidationAccuracy).filter(\.isFinite))
    finalLoss = Spread(runs.compactMap(\.validationLoss).filter(\.isFinite))
    let tests = runs.compactMap(\.test)
    testAccuracy = tests.isEmpty ? nil : Spread(tests.map(\.accuracy))
    testLoss = tests.isEmpty ? nil : Spread(tests.map(\.loss))
  }
}

extension EpochCurves {
  /// The curves of `runs`, as long as the longest.
  public init(_ runs: [RunRecord]) {
    func curve(_ value: (EpochRecord) -> Double?) -> Curve {
      let spreads = epochSpreads(runs, value)
      return Curve(mean: spreads.map(\.mean), sd: spreads.map { $0.sd ?? .nan })
    }
    let length = runs.map(\.history.epochs.count).max() ?? 0
    self.runs = runs.count
    epochs = (0..<length).map { $0 + 1 }
    reached = (0..<length).map { e in runs.filter { e < $0.history.epochs.count }.count }
    trainLoss = curve(\.trainLoss)
    trainAccuracy = curve(\.trainAccuracy)
    validationLoss = curve(\.validationLoss)
    validationAccuracy = curve(\.validationAccuracy)
    highestValidationAccuracy = Self.extreme(validationAccuracy, >)
    lowestValidationLoss = Self.extreme(validationLoss, <)
  }

  /// The first epoch whose mean beats every other by `before` (epochs count from 1).
  private static func extreme(_ curve: Curve, _ before: (Double, Double) -> Bool) -> EpochValue? {
    let values = curve.mean.enumerated().filter { $0.element.isFinite }
    return values.reduce(nil) { (found: (offset: Int, element: Double)?, next) in
      found.map { before(next.element, $0.element) ? next : $0 } ?? next
    }.map { EpochValue(epoch: $0.offset + 1, value: $0.element) }
  }
}

extension TrainFacts {
  /// The facts of a named run and its repeats; `tested` when it was evaluated on the test set.
  public init(_ named: NamedRun) {
    run = RunFacts(named.run)
    repeats = RepeatedRunFacts(named)
    curves = EpochCurves(named.all)
    tested = named.run.test.map { TestedModelFacts(named.run, $0, repeats: named.repeats) }
    rateCutRepeats =
      named.all.filter { run in
        if case .diverged = run.history.stopReason { return false }
        return RunFacts.RateCuts(run.history.epochs) != nil
      }.count
  }
}

extension TestedModelFacts {
  /// `repeats` are the other repeats of `run` (tested too).
  public init(_ run: RunRecord, _ test: TestEvaluation, repeats: [RunRecord] = []) {
    self.test = TestFacts(test)
    let tests = [test] + repeats.compactMap(\.test)
    accuracy = Spread(tests.map(\.accuracy))
    loss = Spread(tests.map(\.loss))
    restoredEpoch = run.history.restoredEpoch
    epochs = run.history.epochs.count
    let report = test.report
    let scores = report.perClass
    hardest = scores.indices.min { scores[$0].f1 < scores[$1].f1 }.map {
      ClassScore(name: report.classNames[$0], f1: scores[$0].f1)
    }
    easiest = scores.indices.max { scores[$0].f1 < scores[$1].f1 }.map {
      ClassScore(name: report.classNames[$0], f1: scores[$0].f1)
    }
    confusions = Self.confusions(test.confusion, names: report.classNames, count: Self.confusionsShown)
    pooled = tests.count > 1 ? ConfusionMatrix(pooling: tests.map(\.confusion)) : nil
    pooledConfusions = pooled.map { matrix in
      Self.confusions(matrix, names: report.classNames, count: Self.confusionsShown).map { confusion in
        var confusion = confusion
        let (t, p) = (
          report.classNames.firstIndex(of: confusion.actual)!, report.classNames.firstIndex(of: confusion.predicted)!
        )
        confusion.perRepeat = tests.map { $0.confusion.counts[t][p] }
        return confusion
      }
    }
  }

  /// The most frequent (true, predicted, count) confusions.
  static func confusions(_ matrix: ConfusionMatrix, names: [String], count: Int) -> [Confusion] {
    var pairs: [Confusion] = []
    for (t, row) in matrix.counts.enumerated() {
      for (p, n) in row.enumerated() where t != p && n > 0 {
        pairs.append(Confusion(actual: names[t], predicted: names[p], count: n))
      }
    }
    return Array(pairs.sorted { $0.count > $1.count }.prefix(count))
  }
}

/// A quantity per epoch over repeated runs: its spread (mean, sd, …) over the runs that
/// reached the epoch, finite values only; a mean of nothing is NaN.
func epochSpreads(_ runs: [RunRecord], _ value: (EpochRecord) -> Double?) -> [Spread] {
  let length = runs.map(\.history.epochs.count).max() ?? 0
  return (0..<length).map { e in
    Spread(runs.compactMap { e < $0.history.epochs.count ? value($0.history.epochs[e]) : nil }.filter(\.isFinite))
  }
}
