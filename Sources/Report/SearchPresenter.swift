import Charts
import Study
import Tensor

/// The outputs of a search cell.
struct SearchView {
  let space: TableView
  let candidates: TableView
  /// Successive halving's rounds (nil for a randomized search).
  let rounds: TableView?
  /// What the search trained, in fold-epochs, against a full randomized search.
  let cost: String
  let figures: [FigureView]
}

/// A search cell: RandomizedSearchCV or HalvingRandomSearchCV over the study's settings.
struct SearchPresenter: Presenter {
  enum FigureKind: FigureName {
    /// Each finalist's mean score with its fold spread.
    case candidates
    /// A range-drawn parameter against the score.
    case parameter(SettingKey)
    /// The expected best score after k candidates, k = 1…n.
    case budget

    var slug: String {
      switch self {
      case .candidates: return "candidates"
      case .budget: return "budget"
      case .parameter(let key): return key.rawValue.replacingOccurrences(of: "_", with: "-")
      }
    }
  }

  let cell: Cell
  let body: SearchCell
  let search: SearchResult
  let facts: SearchFacts?

  /// The candidates a chart or table ranks: for halving, those of the last round.
  var finalists: [SearchCandidateResult] { (facts?.finalists ?? []).compactMap { search.candidate(number: $0) } }

  /// The parameter plotted against the score: the first drawn log-uniformly (a learning
  /// rate, say), else the first drawn uniformly.
  var plotted: (key: SettingKey, distribution: Distribution)? {
    body.space.first { $0.distribution.range == .log }
      ?? body.space.first { if case .uniform = $0.distribution { return true } else { return false } }
  }

  func figures() -> [(FigureKind, FigureSpec)] {
    let finalists = finalists
    let scores = finalists.map(\.meanScore).filter(\.isFinite)
    guard !scores.isEmpty else { return [] }
    let epochs = finalists.first?.epochs ?? 0
    // Halving and Hyperband show the candidates that reached the full budget.
    let lastRound = facts?.halving != nil
    let each = lastRound ? "Each candidate that reached \(epochs) epochs" : "Each candidate"
    let holdout = search.folds < 2
    var specs: [(FigureKind, FigureSpec)] = [
      (
        .candidates,
        FigureSpec(
          figure: Figure(
            title: holdout ? "Validation accuracy per candidate" : "Cross-validation accuracy per candidate",
            subtitle: holdout
              ? "on the validation split, \(epochs) epochs; best first"
              : "\(search.folds)-fold mean ± population standard deviation, \(epochs) epochs per fold; best first",
            width: 560, height: 150 + 26 * Double(finalists.count),
            chart: .intervals(
              IntervalChart(
                categories: finalists.map { "#\($0.index + 1)" },
                series: [
                  IntervalChart.Series(
                    "mean accuracy", values: finalists.map(\.meanScore),
                    low: finalists.map { $0.meanScore - $0.stdScore },
                    high: finalists.map { $0.meanScore + $0.stdScore })
                ], x: Axis(holdout ? "validation accuracy" : "mean cross-validation accuracy", format: .percent)))),
          alt: holdout
            ? "\(each): its validation accuracy as a dot, ranked."
            : "\(each): its mean cross-validation accuracy as a dot, with its standard deviation over the folds, ranked.",
          caption: (holdout
            ? "Accuracy on the validation split, one score per candidate (no spread to show)."
            : "Mean accuracy over the folds; the lines span one population standard deviation (scikit-learn's std_test_score).")
            + (lastRound ? " Only the candidates that reached \(epochs) epochs: the others stopped after fewer." : "")
        )
      )
    ]
    if let (key, distribution) = plotted {
      let points = finalists.compactMap { c -> ScatterPoint? in
        guard let value = c.parameters[key]?.number, c.meanScore.isFinite else { return nil }
        return ScatterPoint(x: value, y: c.meanScore)
      }
      let best = finalists.firstIndex { $0.index == search.bestIndex }
      specs.append(
        (
          .parameter(key),
          FigureSpec(
            figure: Figure(
              title: "\(key.label.capitalizedFirst) against accuracy",
              subtitle: "drawn from \(distribution.description)",
              width: 560, height: 380,
              chart: .scatter(
                ScatterChart(
                  points: points, x: Axis(key.label, scale: distribution.range == .log ? .log : .linear),
                  y: Axis("mean CV accuracy", format: .percent), highlighted: best, highlightLabel: "best"))),
            alt: "\(each): its \(key.label) against its \(holdout ? "validation" : "mean cross-validation") accuracy.",
            caption: "\(each) is a point; the highlighted one ranks first.")
        ))
    }
    if let expected = search.expectedBest, expected.count > 1 {
      let k = expected.indices.map { Double($0 + 1) }
      specs.append(
        (
          .budget,
          FigureSpec(
            figure: Figure(
              title: "What the budget bought", subtitle: "expected best mean CV accuracy after k candidates",
              width: 560, height: 380,
              chart: .line(
                LineChart(
                  series: [LineSeries("expected best", x: k, y: expected, markers: true)],
                  x: Axis("candidates tried", format: .integer), y: Axis("expected best accuracy", format: .percent)))),
            alt:
              "The expected best cross-validation accuracy after trying 1 to \(expected.count) candidates: from \(Format.percent(expected[0])) to \(Format.percent(expected[expected.count - 1])).",
            caption:
              "The expected best mean accuracy of k candidates drawn from these \(expected.count) (Dodge et al., 2019, with Tang et al.'s unbiased estimator, 2020): where the curve flattens, more candidates buy little."
          )
        ))
    }
    return specs
  }

  func outputs(_ figures: Figures<FigureKind>) -> CellOutputs {
    var space = TableBuilder("Search space", columns: [("Parameter", .left), ("Drawn from", .left)])
    for (key, distribution) in body.space { space.add([key.rawValue, distribution.description]) }

    let keys = Set(search.candidates.flatMap(\.parameters.keys)).sorted()
    // Hyperband's candidates raced on different budgets: all of them, by the epochs they
    // reached and then their score.
    let hyperband = search.method == .hyperband
    let shown =
      hyperband
      ? Array(search.candidates.sorted { ($0.rank, $0.index) < ($1.rank, $1.index) }.prefix(20))
      : Array(finalists.prefix(12))
    let scored =
      search.folds < 2
      ? ": each one's accuracy on the validation split at the last round it reached"
      : ": each one's mean cross-validation accuracy ± the population standard deviation over its folds (as scikit-learn's cv_results_), and its mean fit time per fold"
    var candidates = TableBuilder(
      (shown.count < search.candidates.count ? "The \(shown.count) best candidates" : "Candidates, best first")
        + (hyperband ? " (ranked by the epochs reached, then by score)" : "") + scored,
      columns: [("Rank", .right), ("Candidate", .right)] + keys.map { ($0.label, TableBuilder.Alignment.left) }
        + [(search.folds < 2 ? "Validation accuracy" : "Mean ± std", .right)]
        + (hyperband ? [] : [("Fit time", .right)]) + [("Epochs", .right)])
    for c in shown {
      let score =
        !c.meanScore.isFinite
        ? "diverged"
        : c.foldScores.count < 2
          ? Format.percent(c.meanScore) : "\(Format.percent(c.meanScore)) ± \(Format.percent(c.stdScore))"
      // Hyperband's candidates trained for different epochs: their fit times do not compare.
      let fit =
        hyperband
        ? [] : ["\(Format.number(c.meanFitSeconds, decimals: 1)) ± \(Format.number(c.stdFitSeconds, decimals: 1)) s"]
      candidates.add(
        ["\(c.rank)", "#\(c.index + 1)"] + keys.map { c.parameters[$0]?.description ?? "" } + [score] + fit
          + ["\(c.epochs)"], emphasis: c.index == search.bestIndex)
    }

    var rounds: TableView?
    if hyperband {
      let unit = search.folds > 1 ? "Fold-epochs" : "Epochs in all"
      var table = TableBuilder(
        "Brackets of Hyperband: each a successive halving of candidates of its own, starting at its own budget",
        columns: [
          ("Bracket", .right), ("Round", .right), ("Candidates", .right), ("Epochs each", .right), (unit, .right),
        ])
      var round = 0
      var last: Int?
      for entry in search.rounds {
        round = entry.bracket == last ? round + 1 : 1
        last = entry.bracket
        table.add([
          "\((entry.bracket ?? 0) + 1)", "\(round)", "\(entry.candidates)", "\(entry.epochs)",
          Format.count(entry.candidates * entry.epochs * search.folds),
        ])
      }
      rounds = table.table
    } else if search.method == .halving {
      var table = TableBuilder(
        "Rounds of successive halving",
        columns: [("Round", .right), ("Candidates", .right), ("Epochs per fold", .right), ("Fold-epochs", .right)])
      for (i, round) in search.rounds.enumerated() {
        table.add([
          "\(i + 1)", "\(round.candidates)", "\(round.epochs)",
          Format.count(round.candidates * round.epochs * search.folds),
        ])
      }
      rounds = table.table
    }
    let cost: String
    let foldEpochs = search.folds > 1 ? "fold-epochs" : "epochs"
    if let halving = facts?.halving {
      cost =
        "\(Format.count(search.foldEpochs)) \(foldEpochs), \(Format.percent(halving.share, decimals: 0)) of the \(Format.count(search.fullSearchFoldEpochs)) a randomized search of the same candidates trains."
    } else {
      cost =
        "\(Format.count(search.foldEpochs)) fold-epochs (\(search.candidates.count) candidates × \(search.folds) folds × \(search.candidates.first?.epochs ?? 0) epochs)."
    }
    var names: [FigureKind] = [.candidates]
    if let plotted { names.append(.parameter(plotted.key)) }
    names.append(.budget)
    return .search(
      SearchView(
        space: space.table, candidates: candidates.table, rounds: rounds, cost: cost, figures: figures.list(names)))
  }

  func finding() -> String { facts.map { Self.finding($0, search) } ?? "" }

  static func finding(_ facts: SearchFacts, _ search: SearchResult) -> String {
    guard let best = search.candidate(number: facts.best) else { return "" }
    var sentences = [
      best.foldScores.count < 2
        ? "Candidate #\(best.index + 1) ranks first among those that reached \(best.epochs) epochs: \(describe(best.parameters)), with \(Format.percent(best.meanScore)) on the validation split (one score: no spread, and no test of it against the others)."
        : "Candidate #\(best.index + 1) ranks first: \(describe(best.parameters)), with \(Format.percent(best.meanScore)) ± \(Format.percent(best.stdScore)) over \(best.foldScores.count) folds (± the folds' population standard deviation, as scikit-learn's std_test_score)."
    ]
    if let second = facts.runnerUp, let runnerUp = search.candidate(number: second.candidate) {
      let folds = best.foldScores.count
      var text = "The runner-up, #\(runnerUp.index + 1), is \(Words.margin(second.difference)) behind"
      if let comparison = second.comparison {
        text +=
          "; tested \(Words.test(comparison.design)) over the \(folds) folds, the best is \(Words.verdict(comparison)) (\(Words.evidence(comparison)))"
        if comparison.verdict != .better {
          text += ": at this budget the ranking of the top is not evidence"
          if let detectable = Words.detectable(comparison) { text += " (\(detectable))" }
        }
      }
      sentences.append(text + ".")
      if !facts.shared.isEmpty {
        sentences.append(
          "The three best share \(Format.list(facts.shared.map { "`\($0.rawValue)` = \(best.parameters[$0]!)" })): a pattern among few candidates, not a test."
        )
      }
    }
    if let enough = facts.enoughCandidates, case let total = facts.finalists.count, enough < total {
      var text =
        "The budget could have been smaller: \(enough) candidates are expected to find a score within \(Words.margin(SearchFacts.budgetTolerance)) of what \(total) found (an estimate from these \(total) alone"
      if let detectable = facts.runnerUp?.comparison?.detectable, detectable > SearchFacts.budgetTolerance {
        text += ", and finer than the \(Words.margin(detectable)) the folds can tell apart"
      }
      sentences.append(text + ").")
    }
    if let halving = facts.halving {
      let origins = facts.origins
      let trained = origins.epochsTrained
      let unit = search.folds > 1 ? "fold-epochs" : "epochs"
      var text =
        "\(search.method == .hyperband ? "Hyperband" : "Halving") used \(Format.count(halving.foldEpochs)) \(unit) where a randomized search of the same \(search.candidates.count) candidates at the full budget uses \(Format.count(halving.fullSearchFoldEpochs)) (\(Format.percent(halving.share, decimals: 0)))"
      if trained < halving.foldEpochs {
        var parts = ["it trained \(Format.count(trained)) itself"]
        if let other = origins.epochsFromOtherCells, let read = origins.epochsReadOff {
          if other > 0 { parts.append("\(Format.count(other)) are of runs other cells trained with the same settings") }
          if read > 0 { parts.append("\(Format.count(read)) were read off the first epochs of longer runs") }
        } else {
          parts.append(
            "the other \(Format.count(halving.foldEpochs - trained)) come from runs other cells trained with the same settings"
          )
        }
        text += "; of these \(unit) \(Format.list(parts))"
      }
      sentences.append(text + ".")
      if let random = halving.randomSearch {
        if random.best == best.index + 1 {
          sentences.append(
            "It picks the same candidate, #\(best.index + 1), as the full randomized search (*\(random.title)*).")
        } else if let rank = random.rankOfThisWinner {
          sentences.append(
            "The full randomized search (*\(random.title)*) ranked this candidate \(rank)\(ordinal(rank)) and preferred #\(random.best): halving judged the candidates on fewer epochs."
          )
        }
      }
    }
    return sentences.joined(separator: " ")
  }

  static func describe(_ parameters: [SettingKey: SettingValue]) -> String {
    parameters.sorted { $0.key < $1.key }.map { "`\($0.key.rawValue)` = \($0.value)" }.joined(separator: ", ")
  }

  private static func ordinal(_ n: Int) -> String {
    if (11...13).contains(n % 100) { return "th" }
    switch n % 10 {
    case 1: return "st"
    case 2: return "nd"
    case 3: return "rd"
    default: return "th"
    }
  }
}
