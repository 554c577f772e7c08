import Statistics

/// What a search shows: the winner, whether the runner-up can be told apart from it (fold
/// by fold: the folds are the search's repeats), what the best three share, and for
/// successive halving what it saved and whether it agrees with a full randomized search of
/// the same candidates. Candidates by their number: their place in the order drawn, from 1,
/// as the report and `cv_results`' `candidate` column number them. Computed by the analysis
/// (`SearchFacts.init(_:earlier:seed:)`).
public struct SearchFacts: Codable, Sendable {
  /// The best candidate (rank 1).
  public let best: Int
  /// The candidates that reached the most epochs, best first (halving's and Hyperband's
  /// earlier rounds scored fewer epochs, so their scores do not compare).
  public let finalists: [Int]
  public let runnerUp: RunnerUp?
  /// The parameters the best three candidates share (with three or more finalists).
  public let shared: [SettingKey]
  /// Halving's or Hyperband's cost against a full search of its candidates, and halving's
  /// agreement with one.
  public let halving: Halving?
  /// The fewest candidates whose expected best is within `budgetTolerance` of all of
  /// them (nil without an expected-best curve).
  public let enoughCandidates: Int?
  /// Where the search's fold runs came from: trained by it, by another cell, or read off
  /// longer runs (a halving search's, off a randomized search's).
  public let origins: RunOrigins

  /// A tenth of a point, as `GridFacts.tolerance`: about what two seeds of one network
  /// differ by, so a smaller gain is not worth a candidate.
  public static let budgetTolerance = 0.001

  public struct RunnerUp: Codable, Sendable {
    public let candidate: Int
    public let difference: Double
    /// Whether the difference is less than the larger of the two fold standard deviations.
    public let withinSpread: Bool
    /// The best against the runner-up, fold by fold (the same folds for both), with Nadeau
    /// and Bengio's corrected variance.
    public let comparison: Comparison?
  }

  public struct Halving: Codable, Sendable {
    public let foldEpochs: Int
    public let fullSearchFoldEpochs: Int
    /// `foldEpochs` as a share of `fullSearchFoldEpochs`.
    public let share: Double
    /// An earlier randomized search of the same candidates, when the study has one.
    public let randomSearch: RandomSearch?
  }

  public struct RandomSearch: Codable, Sendable {
    public let title: String
    /// The randomized search's winner.
    public let best: Int
    /// The rank it gave halving's winner.
    public let rankOfThisWinner: Int?
  }
}
