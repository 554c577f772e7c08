import Foundation
import Statistics

/// One candidate of a search: its parameters, scores per fold, and rank.
public struct SearchCandidateResult: Sendable {
  /// The candidate's position in the order drawn, from 0 (the report numbers it from 1).
  public var index: Int
  public var parameters: [SettingKey: SettingValue]
  /// Validation accuracy on each fold, at the last round the candidate reached.
  public var foldScores: [Double]
  public var meanScore: Double
  /// The population standard deviation over the folds, as scikit-learn's `std_test_score`.
  public var stdScore: Double
  public var rank: Int
  public var meanFitSeconds: Double
  public var stdFitSeconds: Double
  /// Epochs per fold at the candidate's last round.
  public var epochs: Int
  /// The halving round the candidate reached (0-based, within its bracket); 0 for a random
  /// search.
  public var round: Int
  /// Hyperband's bracket the candidate raced in (0-based, the most aggressive first); 0
  /// otherwise.
  public var bracket = 0
  /// A halving candidate's scores at the rounds before `round`, in order (their `rank` is 0,
  /// and their own `earlierRounds` empty); empty for a random search.
  public var earlierRounds: [SearchCandidateResult] = []

  /// The candidate's scores at each round it was trained in, from the first.
  var trainedRounds: [SearchCandidateResult] {
    var last = self
    last.earlierRounds = []
    return earlierRounds + [last]
  }
}

/// The report's ranks: by the epochs reached, then by score, ties sharing a rank (NaN
/// last): a winner is the best at the most epochs, the budget it is used with. For a random
/// search, one round, they are scikit-learn's `rank_test_score`; for halving, whose epochs
/// grow with each round, they rank by the round reached.
func rankedByEpochsReached(_ candidates: [SearchCandidateResult]) -> [SearchCandidateResult] {
  let composite = candidates.map { Double($0.epochs) * 10 + ($0.meanScore.isFinite ? $0.meanScore : -1) }
  let rank = ranks(composite)
  var ranked = candidates
  for i in ranked.indices { ranked[i].rank = rank[i] }
  return ranked
}

/// A search cell's results, in RandomizedSearchCV's terms.
public struct SearchResult: Sendable {
  public var method: SearchMethod
  public var folds: Int
  /// The parameters searched and how each was drawn.
  public var space: [SettingKey: Distribution]
  /// In the order drawn.
  public var candidates: [SearchCandidateResult]
  /// The index of the best candidate (rank 1; the first one on ties).
  public var bestIndex: Int
  /// Halving's rounds, or Hyperband's, bracket by bracket: candidates and epochs per fold.
  public var rounds: [SearchRound]
  /// Fold-epochs trained in all (the cost of the search).
  public var foldEpochs: Int
  /// What a full random search of the same candidates would have trained, for comparison.
  public var fullSearchFoldEpochs: Int
  /// The expected best mean score after trying k candidates, k = 1…n (see
  /// `expectedMaximum`): what the search's budget bought. Nil for halving, whose candidates
  /// were scored on different budgets.
  public var expectedBest: [Double]?

  /// The best candidate (rank 1).
  public var best: SearchCandidateResult? { candidates.first { $0.index == bestIndex } }

  /// The candidate numbered `number` (its place in the order drawn, from 1).
  public func candidate(number: Int) -> SearchCandidateResult? { candidates.first { $0.index == number - 1 } }
}

public struct SearchRound: Codable, Sendable {
  public var candidates: Int
  public var epochs: Int
  /// Hyperband's bracket (0-based); nil for the other methods.
  public var bracket: Int?
}

/// results.json holds a search as the study file's space and scikit-learn's `cv_results_`: a
/// mapping of columns, one row per candidate in the order drawn (`candidate` numbers them from
/// 1, as the report does), so that `pandas.DataFrame(search["cv_results"])` is the frame
/// scikit-learn users know. Halving has a row per candidate per round it was trained in, as
/// HalvingRandomSearchCV's: round by round (`iter`, with its epochs as `n_resources`), and
/// `rank_test_score` over all rows, whatever their round, as scikit-learn ranks them.
extension SearchResult: Codable {
  enum CodingKeys: String, CodingKey {
    case method, folds, space, rounds, bestCandidate, foldEpochs, fullSearchFoldEpochs, expectedBest, cvResults
  }

  /// A column of `cv_results`, named in camelCase, which the coders' key strategy writes and
  /// reads as scikit-learn's snake_case (`meanTestScore` is `mean_test_score`).
  struct Column: CodingKey {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }

    static let candidate = Column("candidate"), params = Column("params")
    static let mean = Column("meanTestScore"), std = Column("stdTestScore"), rank = Column("rankTestScore")
    static let meanFit = Column("meanFitTime"), stdFit = Column("stdFitTime")
    static let iter = Column("iter"), resources = Column("nResources"), bracket = Column("bracket")
    static func parameter(_ key: SettingKey) -> Column { Column(camelCase("param_\(key.rawValue)")) }
    static func split(_ k: Int) -> Column { Column("split\(k)TestScore") }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(method, forKey: .method)
    try c.encode(folds, forKey: .folds)
    try c.encode(space, forKey: .space)
    try c.encode(bestIndex + 1, forKey: .bestCandidate)
    try c.encode(rounds, forKey: .rounds)
    try c.encode(foldEpochs, forKey: .foldEpochs)
    try c.encode(fullSearchFoldEpochs, forKey: .fullSearchFoldEpochs)
    try c.encodeIfPresent(expectedBest, forKey: .expectedBest)
    var columns = c.nestedContainer(keyedBy: Column.self, forKey: .cvResults)
    let rows = self.rows
    try columns.encode(rows.map { $0.index + 1 }, forKey: .candidate)
    try columns.encode(rows.map(\.parameters), forKey: .params)
    for key in parameterKeys {
      try columns.encode(rows.map { $0.parameters[key] }, forKey: .parameter(key))
    }
    for k in 0..<folds {
      try columns.encode(rows.map { k < $0.foldScores.count ? $0.foldScores[k] : .nan }, forKey: .split(k))
    }
    try columns.encode(rows.map(\.meanScore), forKey: .mean)
    try columns.encode(rows.map(\.stdScore), forKey: .std)
    try columns.encode(ranks(rows.map(\.meanScore)), forKey: .rank)
    try columns.encode(rows.map(\.meanFitSeconds), forKey: .meanFit)
    try columns.encode(rows.map(\.stdFitSeconds), forKey: .stdFit)
    if method != .random {
      try columns.encode(rows.map(\.round), forKey: .iter)
      try columns.encode(rows.map(\.epochs), forKey: .resources)
    }
    if method == .hyperband { try columns.encode(rows.map(\.bracket), forKey: .bracket) }
  }

  /// The rows of `cv_results`: round by round, each round's candidates in the order drawn
  /// (Hyperband's brackets together, their candidates being in bracket order).
  var rows: [SearchCandidateResult] {
    let last = candidates.map(\.round).max() ?? 0
    let trained = candidates.map(\.trainedRounds)
    return (0...last).flatMap { round in trained.compactMap { $0.first { $0.round == round } } }
  }

  /// The parameters of the candidates' `params`, in name order.
  private var parameterKeys: [SettingKey] {
    Set(candidates.flatMap(\.parameters.keys)).union(space.keys).sorted()
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    method = try c.decode(SearchMethod.self, forKey: .method)
    folds = try c.decode(Int.self, forKey: .folds)
    space = try c.decode([SettingKey: Distribution].self, forKey: .space)
    rounds = try c.decode([SearchRound].self, forKey: .rounds)
    foldEpochs = try c.decode(Int.self, forKey: .foldEpochs)
    fullSearchFoldEpochs = try c.decode(Int.self, forKey: .fullSearchFoldEpochs)
    expectedBest = try c.decodeIfPresent([Double].self, forKey: .expectedBest)
    let columns = try c.nestedContainer(keyedBy: Column.self, forKey: .cvResults)
    let numbers = try columns.decode([Int].self, forKey: .candidate)
    let parameters = try columns.decode([[SettingKey: SettingValue]].self, forKey: .params)
    let splits = try (0..<folds).map { try columns.decode([Double].self, forKey: .split($0)) }
    let means = try columns.decode([Double].self, forKey: .mean)
    let stds = try columns.decode([Double].self, forKey: .std)
    let ranks = try columns.decode([Int].self, forKey: .rank)
    let meanFits = try columns.decode([Double].self, forKey: .meanFit)
    let stdFits = try columns.decode([Double].self, forKey: .stdFit)
    let iters = try columns.decodeIfPresent([Int].self, forKey: .iter)
    let resources = try columns.decodeIfPresent([Int].self, forKey: .resources)
    let brackets = try columns.decodeIfPresent([Int].self, forKey: .bracket)
    let n = numbers.count
    let lengths = [parameters.count, means.count, stds.count, ranks.count, meanFits.count, stdFits.count]
    let optional = [iters?.count ?? n, resources?.count ?? n, brackets?.count ?? n]
    guard (lengths + splits.map(\.count) + optional).allSatisfy({ $0 == n }) else {
      throw DecodingError.dataCorruptedError(
        forKey: .cvResults, in: c, debugDescription: "cv_results columns of different lengths")
    }
    let rounds = self.rounds
    let rows = (0..<n).map { i in
      SearchCandidateResult(
        index: numbers[i] - 1, parameters: parameters[i], foldScores: splits.map { $0[i] }, meanScore: means[i],
        stdScore: stds[i], rank: 0, meanFitSeconds: meanFits[i], stdFitSeconds: stdFits[i],
        epochs: resources?[i] ?? rounds.last?.epochs ?? 0, round: iters?[i] ?? 0, bracket: brackets?[i] ?? 0)
    }
    // A candidate is its row of the last round it reached, holding its earlier rows; its
    // rank is the report's (`rank_test_score` ranks rows across rounds).
    let byCandidate = Dictionary(grouping: rows, by: \.index)
    candidates = rankedByEpochsReached(
      byCandidate.keys.sorted().map { index in
        let trained = byCandidate[index]!.sorted { $0.round < $1.round }
        var last = trained.last!
        last.earlierRounds = Array(trained.dropLast())
        return last
      })
    bestIndex = try c.decode(Int.self, forKey: .bestCandidate) - 1
  }
}
