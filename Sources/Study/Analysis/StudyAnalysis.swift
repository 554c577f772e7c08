import Foundation
import Statistics
import Tensor

extension BuiltStudy {
  /// Computes the facts of every cell and of the study, once, when every cell's result is
  /// in (after a build, or from a results folder for `render`): each cell's kept with its
  /// result (`CellResult.findings`, and each repeated run's `summary`), the study's in
  /// `results.findings`. What the report, results.json and `diff` state comes from here.
  public mutating func analyze() {
    var analyzed: [BuiltCell] = []
    for built in cells {
      var result = built.result
      result.findings = CellFacts(built, earlier: analyzed, seed: study.data.seed)
      result.updateNamedRuns { $0.summary = $0.repeats.isEmpty ? nil : RepeatedRunFacts($0) }
      analyzed.append(BuiltCell(cell: built.cell, result: result, earlier: analyzed))
    }
    cells = analyzed
    results.cells = analyzed.map(\.result)
    results.findings = StudyFacts(
      keyResults: KeyResultFacts(self), cellSeconds: results.cells.reduce(0) { $0 + $1.seconds })
  }
}

extension CellFacts {
  /// The facts of a built cell (nil when it has no outcome, or nothing to say); `earlier`
  /// are the cells before it, analyzed.
  init?(_ built: BuiltCell, earlier: [BuiltCell], seed: UInt64) {
    let scope = findingSeed(seed, cell: built.cell.id)
    switch built.contents {
    case .data(_, let summary)?:
      guard let facts = DataFacts(summary) else { return nil }
      self = .data(facts)
    case .train(_, let run)?: self = .train(TrainFacts(run))
    case .final(_, let final, _)?: self = .train(TrainFacts(final.run))
    case .compare(let body, let runs)?:
      self = .compare(CompareFacts(body, runs: runs, settings: built.cell.settings, id: built.cell.id, seed: scope))
    case .grid(_, let grid, let runs)?: self = .grid(GridFacts(grid, runs: runs, cell: built.cell.id, seed: scope))
    case .search(_, let search)?:
      guard let facts = SearchFacts(search, earlier: earlier, seed: scope) else { return nil }
      self = .search(facts)
    case nil: return nil
    }
  }
}

/// The analysis's one seed rule, where a random stream is drawn from (the bootstraps): the
/// study's seed, then the cell whose results are compared (none for the study's own facts,
/// the key results), then `"bootstrap"` and the comparison's names. Results and their facts
/// are thus the same whatever computes them, and whenever.
func findingSeed(_ seed: UInt64, cell: String?) -> SeedPath {
  cell.map { SeedPath(seed).child($0) } ?? SeedPath(seed)
}

/// `a` against `b`, paired by position, its bootstrap drawn from `seed`'s stream named
/// `"bootstrap"` and then `names` (see `findingSeed`).
func pairedComparison(_ a: [Double], _ b: [Double], seed: SeedPath, _ names: String...) -> PairedComparison {
  var generator = names.reduce(seed.child("bootstrap")) { $0.child($1) }.generator
  return PairedComparison(a, b, generator: &generator)
}

extension KeyResultFacts {
  /// Nil when the study declares no key results, or the tuned cell has no tested run.
  public init?(_ built: BuiltStudy) {
    guard let roles = built.study.keyResults, roles.tuned < built.cells.count,
      let tunedRun = built.cells[roles.tuned].testedRun, let test = tunedRun.test
    else { return nil }
    tuned = built.cells[roles.tuned].cell.id
    self.tunedRun = ModelNumbers(tunedRun)
    let tunedTests = built.cells[roles.tuned].testedRuns.compactMap(\.test)
    tunedAccuracy = Spread(tunedTests.map(\.accuracy))
    tunedLoss = Spread(tunedTests.map(\.loss))
    let baselineCell = roles.baseline.flatMap { $0 < built.cells.count ? built.cells[$0] : nil }
    if let baselineCell, let run = baselineCell.testedRun {
      baseline = baselineCell.cell.id
      let base = ModelNumbers(run)
      baselineRun = base
      let tuned = self.tunedRun
      func minus<T: Numeric>(_ a: T?, _ b: T?) -> T? { a.flatMap { a in b.map { a - $0 } } }
      change = ModelChange(
        testAccuracy: minus(tuned.testAccuracy, base.testAccuracy), testLoss: minus(tuned.testLoss, base.testLoss),
        testErrors: minus(tuned.testErrors, base.testErrors),
        bestValidationAccuracy: minus(tuned.bestValidationAccuracy, base.bestValidationAccuracy),
        parameterRatio: Double(tuned.parameters) / Double(base.parameters))
      fewerMistakes = run.test.map { base in
        (base.confusion.total - base.confusion.correct) - (test.confusion.total - test.confusion.correct)
      }
      let baseTests = baselineCell.testedRuns.compactMap(\.test)
      baselineAccuracy = Spread(baseTests.map(\.accuracy))
      baselineLoss = Spread(baseTests.map(\.loss))
      let n = min(baseTests.count, tunedTests.count)
      comparison =
        n > 0
        ? pairedComparison(
          tunedTests.prefix(n).map(\.accuracy), baseTests.prefix(n).map(\.accuracy),
          seed: findingSeed(built.study.data.seed, cell: nil), "key results") : nil
    } else {
      (baseline, baselineRun, change, fewerMistakes, baselineAccuracy, baselineLoss, comparison) = (
        nil, nil, nil, nil, nil, nil, nil
      )
    }
  }
}

extension KeyResultFacts.ModelNumbers {
  init(_ run: RunRecord) {
    testAccuracy = run.test?.accuracy
    testLoss = run.test?.loss
    testErrors = run.test.map { $0.confusion.total - $0.confusion.correct }
    testImages = run.test?.confusion.total
    bestValidationAccuracy = run.bestEpoch?.validationAccuracy
    parameters = run.parameterCount
    epochs = run.history.epochs.count
    trainingSeconds = run.history.epochs.reduce(0) { $0 + $1.seconds }
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
