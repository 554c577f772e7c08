import Charts
import Study

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
enum SearchCell {
  /// The candidates a chart or table ranks: for halving, those of the last round (earlier
  /// rounds scored fewer epochs, so their scores do not compare).
  static func finalists(_ search: SearchResult) -> [SearchCandidateResult] {
    let last = search.candidates.map(\.round).max() ?? 0
    return search.candidates.filter { $0.round == last }.sorted { ($0.rank, $0.index) < ($1.rank, $1.index) }
  }

  static func figures(_ cell: Cell, _ search: SearchResult) -> [FigureSpec] {
    let finalists = finalists(search)
    let scores = finalists.map(\.meanScore).filter(\.isFinite)
    guard !scores.isEmpty else { return [] }
    let low = max(0, ((scores.min()! - (finalists.map(\.stdScore).max() ?? 0) - 0.004) * 200).rounded(.down) / 200)
    let high = min(1, ((scores.max()! + (finalists.map(\.stdScore).max() ?? 0) + 0.002) * 200).rounded(.up) / 200)
    let epochs = finalists.first?.epochs ?? 0
    var specs = [
      FigureSpec(
        id: "\(cell.id)-candidates",
        figure: Figure(
          title: "Cross-validation accuracy per candidate",
          subtitle: "\(search.folds)-fold mean ± standard deviation, \(epochs) epochs per fold; best first",
          width: 560, height: 380,
          chart: .bar(
            BarChart(
              categories: finalists.map { "#\($0.index + 1)" },
              groups: [
                BarGroup("mean accuracy", values: finalists.map(\.meanScore), errors: finalists.map(\.stdScore))
              ], categoryTitle: "candidate", y: Axis("accuracy", range: low...max(high, low + 0.005), format: .percent),
              valueLabels: false))),
        alt: "Bars of each candidate's mean cross-validation accuracy with its standard deviation, ranked.",
        caption: "Mean accuracy over the folds; the whiskers span one standard deviation.")
    ]
    if let (key, distribution) = plotted(search) {
      let points = finalists.compactMap { c -> ScatterPoint? in
        guard let value = c.parameters[key].flatMap(Double.init), c.meanScore.isFinite else { return nil }
        return ScatterPoint(x: value, y: c.meanScore)
      }
      let best = finalists.firstIndex { $0.index == search.bestIndex }
      specs.append(
        FigureSpec(
          id: parameterFigure(cell, key),
          figure: Figure(
            title: "\(GridCell.label(key).capitalizedFirst) against accuracy", subtitle: "drawn from \(distribution)",
            width: 560, height: 380,
            chart: .scatter(
              ScatterChart(
                points: points,
                x: Axis(GridCell.label(key), scale: distribution.hasPrefix("log") ? .log : .linear),
                y: Axis("mean CV accuracy", format: .percent), highlighted: best, highlightLabel: "best"))),
          alt: "Each candidate's \(GridCell.label(key)) against its mean cross-validation accuracy.",
          caption: "Each point is a candidate; the highlighted one ranks first."))
    }
    return specs
  }

  /// The parameter plotted against the score: the first drawn log-uniformly (a learning
  /// rate, say), else the first drawn uniformly.
  static func plotted(_ search: SearchResult) -> (key: String, distribution: String)? {
    let space = search.space.sorted(by: { $0.key < $1.key })
    return (space.first { $0.value.hasPrefix("log-uniform") } ?? space.first { $0.value.hasPrefix("uniform") })
      .map { ($0.key, $0.value) }
  }

  static func parameterFigure(_ cell: Cell, _ key: String) -> String {
    "\(cell.id)-\(key.replacingOccurrences(of: "_", with: "-"))"
  }

  static func view(_ cell: Cell, _ search: SearchResult, _ context: ReportContext) -> SearchView {
    var space = TableBuilder("Search space", columns: [("Parameter", .left), ("Drawn from", .left)])
    for (key, distribution) in search.space.sorted(by: { $0.key < $1.key }) { space.add([key, distribution]) }

    let keys = Set(search.candidates.flatMap(\.parameters.keys)).sorted()
    let shown = Array(finalists(search).prefix(12))
    var candidates = TableBuilder(
      shown.count < search.candidates.count ? "The \(shown.count) best candidates" : "Candidates, best first",
      columns: [("Rank", .right), ("Candidate", .right)] + keys.map { ($0, TableBuilder.Alignment.left) } + [
        ("Mean ± std", .right), ("Fit time", .right), ("Epochs", .right),
      ])
    for c in shown {
      candidates.add(
        ["\(c.rank)", "#\(c.index + 1)"] + keys.map { c.parameters[$0] ?? "" } + [
          c.meanScore.isFinite ? "\(Format.percent(c.meanScore)) ± \(Format.percent(c.stdScore))" : "diverged",
          "\(Format.number(c.meanFitSeconds, decimals: 1)) ± \(Format.number(c.stdFitSeconds, decimals: 1)) s",
          "\(c.epochs)",
        ], emphasis: c.index == search.bestIndex)
    }

    var rounds: TableView?
    if search.method == .halving {
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
    let share = Double(search.foldEpochs) / Double(max(search.fullSearchFoldEpochs, 1))
    let cost =
      search.method == .halving
      ? "\(Format.count(search.foldEpochs)) fold-epochs, \(Format.percent(share, decimals: 0)) of the \(Format.count(search.fullSearchFoldEpochs)) a randomized search of the same candidates trains."
      : "\(Format.count(search.foldEpochs)) fold-epochs (\(search.candidates.count) candidates × \(search.folds) folds × \(search.candidates.first?.epochs ?? 0) epochs)."
    return SearchView(
      space: space.table, candidates: candidates.table, rounds: rounds, cost: cost,
      figures: (["\(cell.id)-candidates"] + (plotted(search).map { [parameterFigure(cell, $0.key)] } ?? []))
        .compactMap(context.figure))
  }

  static func finding(_ cell: Cell, _ search: SearchResult, _ context: ReportContext) -> String {
    let finalists = finalists(search)
    guard let best = search.candidates.first(where: { $0.index == search.bestIndex }) else { return "" }
    var sentences = [
      "Candidate #\(best.index + 1) ranks first: \(describe(best.parameters)), with \(Format.percent(best.meanScore)) ± \(Format.percent(best.stdScore)) over \(search.folds) folds."
    ]
    if finalists.count > 1 {
      let second = finalists[1]
      let difference = best.meanScore - second.meanScore
      sentences.append(
        difference < max(best.stdScore, second.stdScore)
          ? "The runner-up, #\(second.index + 1), is only \(Format.points(difference).replacingOccurrences(of: "+", with: "")) behind, less than a standard deviation: at this budget the two are hard to tell apart."
          : "The runner-up, #\(second.index + 1), is \(Format.points(difference).replacingOccurrences(of: "+", with: "")) behind, more than a standard deviation."
      )
      // What the best three have in common.
      let top = finalists.prefix(3)
      let shared = best.parameters.keys.sorted().filter { key in
        top.allSatisfy { $0.parameters[key] == best.parameters[key] }
      }
      if top.count == 3, !shared.isEmpty {
        sentences.append(
          "The three best share \(Format.list(shared.map { "`\($0)` = \(best.parameters[$0]!)" })).")
      }
    }
    if search.method == .halving {
      sentences.append(
        "Halving trained \(Format.count(search.foldEpochs)) fold-epochs instead of \(Format.count(search.fullSearchFoldEpochs)) (\(Format.percent(Double(search.foldEpochs) / Double(max(search.fullSearchFoldEpochs, 1)), decimals: 0)))."
      )
      if let (id, random) = randomSearch(with: search, before: cell, context) {
        let rank = random.candidates.first { $0.index == best.index }?.rank
        if random.bestIndex == best.index {
          sentences.append("It picks the same candidate, #\(best.index + 1), as the full randomized search (*\(id)*).")
        } else if let rank {
          sentences.append(
            "The full randomized search (*\(id)*) ranked this candidate \(rank)\(ordinal(rank)) and preferred #\(random.bestIndex + 1): halving judged the candidates on fewer epochs."
          )
        }
      }
    }
    return sentences.joined(separator: " ")
  }

  /// An earlier randomized search over the same candidates, to compare halving with.
  private static func randomSearch(with search: SearchResult, before cell: Cell, _ context: ReportContext)
    -> (String, SearchResult)?
  {
    for result in context.results.cells {
      if result.id == cell.id { break }
      guard let other = result.search, other.method == .random, other.candidates.count == search.candidates.count else {
        continue
      }
      let same = zip(
        other.candidates.sorted { $0.index < $1.index }, search.candidates.sorted { $0.index < $1.index }
      ).allSatisfy { $0.parameters == $1.parameters }
      if same { return (result.title, other) }
    }
    return nil
  }

  static func describe(_ parameters: [String: String]) -> String {
    parameters.sorted { $0.key < $1.key }.map { "`\($0.key)` = \($0.value)" }.joined(separator: ", ")
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
