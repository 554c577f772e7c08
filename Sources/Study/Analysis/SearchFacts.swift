import Statistics
import Tensor

/// What a search shows: the winner, whether the runner-up can be told apart from it (fold
/// by fold: the folds are the search's repeats), what the best three share, and for
/// successive halving what it saved and whether it agrees with a full randomized search of
/// the same candidates.
public struct SearchFacts: Sendable {
  public let best: SearchCandidateResult
  /// The candidates of the last round, best first (for halving, earlier rounds scored fewer
  /// epochs, so their scores do not compare).
  public let finalists: [SearchCandidateResult]
  public let runnerUp: RunnerUp?
  /// The parameters the best three candidates share (with three or more finalists).
  public let shared: [SettingKey]
  /// Halving's cost against a full search, and its agreement with one.
  public let halving: Halving?
  /// The fewest candidates whose expected best is within `budgetTolerance` of all of
  /// them (nil without an expected-best curve).
  public let enoughCandidates: Int?

  /// A tenth of a point, as `GridFacts.tolerance`: about what two seeds of one network
  /// differ by, so a smaller gain is not worth a candidate.
  public static let budgetTolerance = 0.001

  public struct RunnerUp: Sendable {
    public let candidate: SearchCandidateResult
    public let difference: Double
    /// Whether the difference is less than the larger of the two fold standard deviations.
    public let withinSpread: Bool
    /// The best against the runner-up, fold by fold (the same folds for both).
    public let comparison: PairedComparison?
  }

  public struct Halving: Sendable {
    public let foldEpochs: Int
    public let fullSearchFoldEpochs: Int
    public var share: Double { Double(foldEpochs) / Double(max(fullSearchFoldEpochs, 1)) }
    /// An earlier randomized search of the same candidates, when the study has one.
    public let comparison: Comparison?
  }

  public struct Comparison: Sendable {
    public let title: String
    /// The randomized search's winner.
    public let bestIndex: Int
    /// The rank it gave halving's winner.
    public let rankOfThisWinner: Int?
  }

  /// Facts of `search`; `earlier` are the cells built before it, for the comparison of a
  /// halving search with a randomized one. Nil when the search has no best candidate.
  public init?(_ search: SearchResult, earlier: [BuiltCell], seed: SeedPath = SeedPath(0)) {
    guard let best = search.best else { return nil }
    self.best = best
    if let expected = search.expectedBest, let last = expected.last {
      enoughCandidates = expected.firstIndex { $0 >= last - Self.budgetTolerance }.map { $0 + 1 }
    } else {
      enoughCandidates = nil
    }
    let last = search.candidates.map(\.round).max() ?? 0
    finalists = search.candidates.filter { $0.round == last }.sorted { ($0.rank, $0.index) < ($1.rank, $1.index) }
    if finalists.count > 1 {
      let second = finalists[1]
      let difference = best.meanScore - second.meanScore
      var comparison: PairedComparison?
      let pairs = zip(best.foldScores, second.foldScores).filter { $0.0.isFinite && $0.1.isFinite }
      if !pairs.isEmpty {
        var generator = seed.child("bootstrap").child("runner-up").generator
        comparison = PairedComparison(pairs.map(\.0), pairs.map(\.1), generator: &generator)
      }
      runnerUp = RunnerUp(
        candidate: second, difference: difference, withinSpread: difference < max(best.stdScore, second.stdScore),
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
    guard search.method == .halving else {
      halving = nil
      return
    }
    var comparison: Comparison?
    if let (title, random) = Self.randomSearch(like: search, in: earlier) {
      comparison = Comparison(
        title: title, bestIndex: random.bestIndex,
        rankOfThisWinner: random.candidates.first { $0.index == best.index }?.rank)
    }
    halving = Halving(
      foldEpochs: search.foldEpochs, fullSearchFoldEpochs: search.fullSearchFoldEpochs, comparison: comparison)
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
