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
    let runs = results.cells.map(\.origins).reduce(RunOrigins(), +)
    let keyResults = KeyResultFacts(self, margin: study.replication.equivalence)
    results.findings = StudyFacts(
      keyResults: keyResults, effects: EffectFacts(self, keyResults: keyResults), runs: runs,
      testEvaluations: cells.reduce(0) { $0 + $1.testedRuns.count + $1.rescoredUnchosen },
      cellSeconds: results.cells.reduce(0) { $0 + $1.seconds })
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
      self = .compare(
        CompareFacts(
          body, runs: runs, settings: built.cell.settings, id: built.cell.id, seed: scope,
          margin: body.replication.equivalence))
    case .grid(let body, let grid, let runs)?:
      self = .grid(
        GridFacts(grid, runs: runs, cell: built.cell.id, seed: scope, margin: body.replication.equivalence))
    case .search(_, let search)?:
      guard let facts = SearchFacts(search, earlier: earlier, seed: scope, origins: built.result.origins) else {
        return nil
      }
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

/// `a` against `b` by the test `design` calls for (paired by position, or not), the finite
/// values only, its bootstrap drawn from `seed`'s stream named `"bootstrap"` and then `names`
/// (see `findingSeed`); nil when a side has no finite value.
func compared(
  _ a: [Double], _ b: [Double], design: Design, margin: Double? = nil, testShare: Double? = nil, seed: SeedPath,
  _ names: String...
) -> Comparison? {
  var generator = names.reduce(seed.child("bootstrap")) { $0.child($1) }.generator
  let (x, y): ([Double], [Double])
  if design == .unpaired {
    (x, y) = (a.filter(\.isFinite), b.filter(\.isFinite))
  } else {
    let pairs = zip(a, b).filter { $0.0.isFinite && $0.1.isFinite }
    (x, y) = (pairs.map(\.0), pairs.map(\.1))
  }
  guard !x.isEmpty, !y.isEmpty else { return nil }
  return Comparison(x, y, design: design, margin: margin, testShare: testShare, generator: &generator)
}

extension KeyResultFacts {
  /// Nil when the study declares no key results, or the tuned cell has no tested run.
  public init?(_ built: BuiltStudy, margin: Double? = nil) {
    guard let roles = built.study.keyResults, roles.tuned < built.cells.count,
      let tuned = ModelSummary(built.cells[roles.tuned].testedRuns)
    else { return nil }
    self.tuned = built.cells[roles.tuned].cell.id
    tunedModel = tuned
    let baselineCell = roles.baseline.flatMap { $0 < built.cells.count ? built.cells[$0] : nil }
    guard let baselineCell, let base = ModelSummary(baselineCell.testedRuns) else {
      (baseline, baselineModel, change, comparison, images, budgets, verdict) = (nil, nil, nil, nil, nil, nil, nil)
      return
    }
    baseline = baselineCell.cell.id
    baselineModel = base
    change = ModelChange(
      testAccuracy: tuned.testAccuracy.mean - base.testAccuracy.mean,
      testLoss: tuned.testLoss.mean - base.testLoss.mean,
      testErrors: tuned.testErrors.mean - base.testErrors.mean,
      bestValidationAccuracy: tuned.bestValidationAccuracy.mean - base.bestValidationAccuracy.mean,
      parameterRatio: Double(tuned.parameters) / Double(base.parameters), epochs: tuned.epochs.mean - base.epochs.mean,
      repeat0TestAccuracy: tuned.repeat0.testAccuracy.flatMap { t in base.repeat0.testAccuracy.map { t - $0 } })
    let (a, b) = (built.cells[roles.tuned].testedRuns, baselineCell.testedRuns)
    let design = design(a[0].settings, b[0].settings, counts: (a.count, b.count))
    let seed = findingSeed(built.study.data.seed, cell: nil)
    comparison = compared(
      a.compactMap { $0.test?.accuracy }, b.compactMap { $0.test?.accuracy }, design: design,
      margin: margin, seed: seed, "key results")
    let (flagsA, flagsB) = (a.compactMap { $0.test?.correctImages }, b.compactMap { $0.test?.correctImages })
    if flagsA.count == a.count, flagsB.count == b.count, let n = flagsA.first?.count,
      (flagsA + flagsB).allSatisfy({ $0.count == n })
    {
      var generator = seed.child("bootstrap").child("key results").child("seeds and images").generator
      images = SeedsAndImages(flagsA, flagsB, paired: design == .paired, margin: margin, generator: &generator)
    } else {
      images = nil
    }
    budgets = TrainingBudgets(
      baselineEpochs: b[0].settings.epochs, tunedEpochs: a[0].settings.epochs,
      baselineStopping: b[0].settings.earlyStopping, tunedStopping: a[0].settings.earlyStopping,
      baselineStoppedEarly: b.filter { $0.history.epochs.count < $0.settings.epochs }.count,
      tunedStoppedEarly: a.filter { $0.history.epochs.count < $0.settings.epochs }.count)
    verdict = Self.agreed(images, comparison)
  }
}

extension KeyResultFacts {
  /// The verdict `images` and `seeds` agree on (see `verdict`).
  public static func agreed(_ images: SeedsAndImages?, _ seeds: Comparison?) -> Comparison.Verdict? {
    guard let images else { return seeds?.verdict }
    guard let seeds, seeds.verdict != .single else { return images.verdict }
    return images.verdict == seeds.verdict ? images.verdict : .indistinguishable
  }
}

extension KeyResultFacts.ModelSummary {
  /// Nil without a tested run.
  init?(_ runs: [RunRecord]) {
    guard let first = runs.first, first.test != nil else { return nil }
    let tests = runs.compactMap(\.test)
    repeats = runs.count
    testAccuracy = Spread(tests.map(\.accuracy))
    testLoss = Spread(tests.map(\.loss))
    testErrors = Spread(tests.map { Double($0.confusion.errors) })
    testImages = tests[0].confusion.total
    bestValidationAccuracy = Spread(runs.map(\.bestValidationAccuracy).filter(\.isFinite))
    parameters = first.parameterCount
    epochs = Spread(runs.map { Double($0.history.epochs.count) })
    trainingSeconds = Spread(runs.map(\.epochSeconds))
    repeat0 = KeyResultFacts.ModelNumbers(first)
  }
}

extension KeyResultFacts.ModelNumbers {
  init(_ run: RunRecord) {
    testAccuracy = run.test?.accuracy
    testLoss = run.test?.loss
    testErrors = run.test.map(\.confusion.errors)
    testImages = run.test?.confusion.total
    bestValidationAccuracy = run.bestEpoch?.validationAccuracy
    parameters = run.parameterCount
    epochs = run.history.epochs.count
    trainingSeconds = run.epochSeconds
  }
}

extension BuiltCell {
  /// The run a tested cell evaluated on the test set (repeat 0).
  public var testedRun: RunRecord? { testedRuns.first }

  /// The candidates a final cell re-scored and did not choose: their one run each was
  /// evaluated on the test set too (as a tested repeat 0 is), shown but never used.
  var rescoredUnchosen: Int {
    if case .final(_, let final, _)? = contents { return final.rescored.filter { !$0.chosen }.count }
    return 0
  }

  /// Every repeat of the run a tested cell evaluated on the test set.
  public var testedRuns: [RunRecord] {
    switch contents {
    case .train(_, let named)?: return named.run.test != nil ? named.all : []
    case .final(_, let final, _)?: return final.run.all
    case .data?, .compare?, .grid?, .search?, nil: return []
    }
  }
}
