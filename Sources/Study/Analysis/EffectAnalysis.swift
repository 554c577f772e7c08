import Statistics

extension EffectFacts {
  /// Gathers the effects the analyzed cells state (their comparisons as corrected there,
  /// never tested again) and the key comparison over seeds and test images; nil when the
  /// study measured no effect.
  init?(_ built: BuiltStudy, keyResults: KeyResultFacts?) {
    var effects: [Effect] = []
    for cell in built.cells {
      switch (cell.contents, cell.result.findings) {
      case (.compare(_, let runs)?, .compare(let facts)?):
        let reference = facts.reference
        for variant in facts.variants {
          guard let comparison = variant.comparison else { continue }
          let epochs = runs.first { $0.name == variant.name }?.all.map(\.settings.epochs).max() ?? 0
          effects.append(
            Effect(
              cell: cell.cell.id, name: variant.name, reference: reference.name, measure: .validationAccuracy,
              comparison, repeats: variant.bestScores.count, referenceRepeats: reference.bestScores.count,
              epochs: epochs, afterTheFact: false))
        }
      case (.grid(let body, let grid, let runs)?, .grid(let facts)?):
        guard let comparison = facts.rowComparison, let first = grid.rowValues.first, let last = grid.rowValues.last
        else { continue }
        let (key, column) = (body.rows.key.rawValue, grid.columnValues[facts.best.column])
        let at = "(\(body.columns.key.rawValue) \(column))"
        effects.append(
          Effect(
            cell: cell.cell.id, name: "\(key) \(last) \(at)", reference: "\(key) \(first)",
            measure: .validationAccuracy, comparison, repeats: comparison.nA, referenceRepeats: comparison.nB,
            epochs: runs.flatMap(\.all).map(\.settings.epochs).max() ?? 0, afterTheFact: true))
      default: continue
      }
    }
    if let key = keyResults, let images = key.images, let baseline = key.baseline, let budgets = key.budgets {
      effects.append(
        Effect(
          cell: key.tuned, name: key.tuned, reference: baseline, measure: .testAccuracy,
          difference: Estimate(value: images.difference, low: images.low, high: images.high),
          confidence: 1 - Comparison.alpha, verdict: key.verdict ?? images.verdict, p: nil, equivalenceP: nil,
          level: Comparison.alpha, margin: images.margin, unadjustedP: nil, studyWideP: nil, family: 1,
          repeats: images.repeatsA,
          referenceRepeats: images.repeatsB, detectable: images.detectable,
          epochs: max(budgets.tunedEpochs, budgets.baselineEpochs), afterTheFact: false))
    }
    guard !effects.isEmpty else { return nil }
    // The whole study as one family: Holm over every effect's own p.
    let tested = effects.indices.filter { effects[$0].unadjustedP != nil }
    for (index, p) in zip(tested, holmAdjusted(tested.map { effects[$0].unadjustedP! })) {
      effects[index].studyWideP = p
    }
    // Largest first; a stable order among equal sizes (the study's).
    self.effects = effects.enumerated().sorted {
      let (a, b) = (abs($0.element.difference.value), abs($1.element.difference.value))
      return a != b ? a > b : $0.offset < $1.offset
    }.map(\.element)
    limits = Limits(built, keyResults: keyResults)
  }
}

extension EffectFacts.Effect {
  init(
    cell: String, name: String, reference: String, measure: EffectFacts.Measure, _ comparison: Comparison,
    repeats: Int, referenceRepeats: Int, epochs: Int, afterTheFact: Bool
  ) {
    self.init(
      cell: cell, name: name, reference: reference, measure: measure, difference: comparison.difference,
      confidence: comparison.confidence, verdict: comparison.verdict, p: comparison.adjustedP ?? comparison.p,
      equivalenceP: comparison.adjustedEquivalenceP ?? comparison.equivalenceP, level: comparison.level,
      margin: comparison.margin, unadjustedP: comparison.p, studyWideP: nil,
      family: comparison.family, repeats: repeats, referenceRepeats: referenceRepeats,
      detectable: comparison.detectable, epochs: epochs, afterTheFact: afterTheFact)
  }
}

extension EffectFacts.Limits {
  init(_ built: BuiltStudy, keyResults: KeyResultFacts?) {
    var epochs: [CellEpochs] = []
    var settings: [RunSettings] = []
    for cell in built.cells {
      var counts: [Int]
      switch cell.contents {
      case .search(let body, let search)?:
        counts = search.candidates.flatMap { [$0.epochs] + $0.earlierRounds.map(\.epochs) }
        settings += body.candidates.map(\.settings)
      case .data?, nil:
        counts = []
      default:
        let runs = cell.result.runs.flatMap(\.all)
        counts = runs.map(\.settings.epochs)
        settings += runs.map(\.settings)
      }
      if let fewest = counts.min(), let most = counts.max() {
        epochs.append(CellEpochs(cell: cell.cell.id, fewest: fewest, most: most))
      }
    }
    self.epochs = epochs
    let data = built.results.data
    validationImages = data.validation
    normalization = data.normalization
    testImages = keyResults?.tunedModel.testImages ?? 0
    testedCells = built.cells.filter { !$0.testedRuns.isEmpty }.map(\.cell.id)
    shared = settings.first
    let varied = Set(settings.dropFirst().flatMap { settings[0].changedKeys(to: $0) })
    // `changedKeys` names a network by `hidden`, a momentum by its optimizer and a warm-up by
    // its schedule: the keys it folds in are not listed apart.
    let folded: Set<SettingKey> = [.layers, .width, .momentum, .warmup]
    unvaried = settings.isEmpty ? [] : SettingKey.allCases.filter { !varied.contains($0) && !folded.contains($0) }
    resampled = built.study.replication.resample
  }
}
