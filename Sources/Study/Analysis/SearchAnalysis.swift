import Statistics
import Tensor

extension SearchFacts {
  /// Facts of `search`; `earlier` are the cells built before it, for the comparison of a
  /// halving search with a randomized one. Nil when the search has no best candidate.
  public init?(
    _ search: SearchResult, earlier: [BuiltCell], seed: SeedPath = SeedPath(0), margin: Double? = nil,
    origins: RunOrigins = RunOrigins()
  ) {
    guard let best = search.best else { return nil }
    self.origins = origins
    self.best = best.index + 1
    if let expected = search.expectedBest, let last = expected.last {
      enoughCandidates = expected.firstIndex { $0 >= last - Self.budgetTolerance }.map { $0 + 1 }
    } else {
      enoughCandidates = nil
    }
    // The finalists: the candidates that reached the most epochs (halving's last round,
    // every Hyperband bracket's last), scored on the same budget.
    let most = search.candidates.map(\.epochs).max() ?? 0
    let finalists = search.candidates.filter { $0.epochs == most }.sorted { ($0.rank, $0.index) < ($1.rank, $1.index) }
    self.finalists = finalists.map { $0.index + 1 }
    if finalists.count > 1 {
      let second = finalists[1]
      let difference = best.meanScore - second.meanScore
      // Fold by fold, with Nadeau and Bengio's correction: each fold trains on the other
      // k − 1 (n_test / n_train = 1 / (k − 1)), so their scores are not independent.
      let folds = best.foldScores.count
      // One score each (Hyperband on the validation split) is nothing to test.
      let comparison =
        folds < 2
        ? nil
        : compared(
          best.foldScores, second.foldScores, design: .folds, margin: margin, testShare: 1 / Double(max(1, folds - 1)),
          seed: seed, "runner-up")
      runnerUp = RunnerUp(
        candidate: second.index + 1, difference: difference,
        withinSpread: difference < max(best.stdScore, second.stdScore),
        comparison: comparison)
      let top = finalists.prefix(3)
      shared =
        top.count == 3
        ? best.parameters.keys.sorted().filter { key in top.allSatisfy { $0.parameters[key] == best.parameters[key] } }
        : []
    } else {
      runnerUp = nil
      shared = []
    }
    guard search.method != .random else {
      halving = nil
      return
    }
    var randomSearch: RandomSearch?
    if let (title, random) = Self.randomSearch(like: search, in: earlier) {
      randomSearch = RandomSearch(
        title: title, best: random.bestIndex + 1,
        rankOfThisWinner: random.candidates.first { $0.index == best.index }?.rank)
    }
    halving = Halving(
      foldEpochs: search.foldEpochs, fullSearchFoldEpochs: search.fullSearchFoldEpochs,
      share: Double(search.foldEpochs) / Double(max(search.fullSearchFoldEpochs, 1)), randomSearch: randomSearch)
  }

  /// The first earlier randomized search over the same candidates.
  static func randomSearch(like search: SearchResult, in earlier: [BuiltCell]) -> (String, SearchResult)? {
    for built in earlier {
      guard case .search(_, let other)? = built.contents, other.method == .random,
        other.candidates.count == search.candidates.count
      else { continue }
      let same = zip(
        other.candidates.sorted { $0.index < $1.index }, search.candidates.sorted { $0.index < $1.index }
      ).allSatisfy { $0.parameters == $1.parameters }
      if same { return (built.cell.title, other) }
    }
    return nil
  }
}
