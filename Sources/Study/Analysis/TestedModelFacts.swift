import Statistics
import Tensor

/// What a tested model shows: its test result (over its repeats), the epoch it kept, the
/// hardest and easiest classes, and the commonest confusions (of repeat 0).
public struct TestedModelFacts: Sendable, Equatable {
  /// Repeat 0's test result.
  public let test: TestFacts
  /// Test accuracy and loss over every repeat.
  public let accuracy: Spread
  public let loss: Spread
  /// The epoch whose weights the model kept, when early stopping restored one.
  public let restoredEpoch: Int?
  public let epochs: Int
  /// The classes with the lowest and highest F1-score.
  public let hardest: ClassScore?
  public let easiest: ClassScore?
  /// The most frequent (true, predicted) mistakes, most frequent first.
  public let confusions: [Confusion]

  public struct ClassScore: Sendable, Equatable {
    public let name: String
    public let f1: Double
  }

  public struct Confusion: Sendable, Equatable {
    public let actual: String
    public let predicted: String
    public let count: Int
  }

  /// Confusions listed: the three commonest carry most of a good model's mistakes, and more
  /// would not read as a sentence.
  public static let confusionsShown = 3

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
    confusions = Self.confusions(test, count: Self.confusionsShown)
  }

  /// The most frequent (true, predicted, count) confusions.
  public static func confusions(_ test: TestEvaluation, count: Int) -> [Confusion] {
    let names = test.report.classNames
    var pairs: [Confusion] = []
    for (t, row) in test.confusion.counts.enumerated() {
      for (p, n) in row.enumerated() where t != p && n > 0 {
        pairs.append(Confusion(actual: names[t], predicted: names[p], count: n))
      }
    }
    return Array(pairs.sorted { $0.count > $1.count }.prefix(count))
  }
}

/// The report's opening: the tuned model's test result beside the baseline's, as the study
/// file's `key_results` declares them.
public struct KeyResultFacts: Sendable {
  public let tuned: (cell: Cell, run: RunRecord, test: TestEvaluation)
  public let baseline: (cell: Cell, run: RunRecord)?
  /// How many fewer test mistakes the tuned model makes (negative: more), when the
  /// baseline was tested: repeat 0 against repeat 0.
  public let fewerMistakes: Int?
  /// Test accuracy and loss of each over its repeats.
  public let tunedAccuracy: Spread
  public let tunedLoss: Spread
  public let baselineAccuracy: Spread?
  public let baselineLoss: Spread?
  /// The tuned model against the baseline on test accuracy, repeat by repeat (as many pairs
  /// as the one with fewer repeats has).
  public let comparison: PairedComparison?

  /// Nil when the study declares no key results, or the tuned cell has no tested run.
  public init?(_ built: BuiltStudy) {
    guard let roles = built.study.keyResults, roles.tuned < built.cells.count,
      let tunedRun = built.cells[roles.tuned].testedRun, let test = tunedRun.test
    else { return nil }
    tuned = (built.cells[roles.tuned].cell, tunedRun, test)
    let tunedTests = built.cells[roles.tuned].testedRuns.compactMap(\.test)
    tunedAccuracy = Spread(tunedTests.map(\.accuracy))
    tunedLoss = Spread(tunedTests.map(\.loss))
    let baselineCell = roles.baseline.flatMap { $0 < built.cells.count ? built.cells[$0] : nil }
    if let baselineCell, let run = baselineCell.testedRun {
      baseline = (baselineCell.cell, run)
      fewerMistakes = run.test.map { base in
        (base.confusion.total - base.confusion.correct) - (test.confusion.total - test.confusion.correct)
      }
      let baseTests = baselineCell.testedRuns.compactMap(\.test)
      baselineAccuracy = Spread(baseTests.map(\.accuracy))
      baselineLoss = Spread(baseTests.map(\.loss))
      let n = min(baseTests.count, tunedTests.count)
      var generator = SeedPath(built.study.data.seed).child("bootstrap").child("key results").generator
      comparison =
        n > 0
        ? PairedComparison(
          tunedTests.prefix(n).map(\.accuracy), baseTests.prefix(n).map(\.accuracy), generator: &generator) : nil
    } else {
      (baseline, fewerMistakes, baselineAccuracy, baselineLoss, comparison) = (nil, nil, nil, nil, nil)
    }
  }
}

extension BuiltCell {
  /// The run a tested cell evaluated on the test set (repeat 0).
  public var testedRun: RunRecord? { testedRuns.first }

  /// Every repeat of the run a tested cell evaluated on the test set.
  public var testedRuns: [RunRecord] {
    switch contents {
    case .train(_, let named)?: return named.run.test != nil ? named.all : []
    case .final(_, let final, _)?: return final.run.all
    case .data?, .compare?, .grid?, .search?, nil: return []
    }
  }
}
