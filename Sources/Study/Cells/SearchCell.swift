import Foundation
import Statistics
import Tensor
import Yams

/// A search cell: a randomized hyperparameter search, in the manner of scikit-learn's
/// RandomizedSearchCV (and, with `method: halving`, HalvingRandomSearchCV): candidates drawn
/// from a space, each scored by stratified k-fold cross-validation on the training split.
public struct SearchCell: CellBehaviour {
  /// One candidate: its drawn parameters and the settings they give.
  public struct Candidate: Sendable {
    public let parameters: [SettingKey: SettingValue]
    public let settings: RunSettings
  }

  public let method: SearchMethod
  /// n_iter, or the number of candidates halving starts with.
  public let requested: Int
  public let folds: Int
  public let factor: Int
  /// Epochs of halving's first round (its minimum resource).
  public let minEpochs: Int
  /// The parameters searched, sorted by name, and how each is drawn.
  public let space: [(key: SettingKey, distribution: Distribution)]
  /// The candidates drawn, in the order drawn.
  public let candidates: [Candidate]

  var otherSettings: [RunSettings] { candidates.map(\.settings) }
  /// Whether the fold runs train one after another on every thread (the default), rather
  /// than side by side on one thread each.
  public let sequential: Bool

  static let distributions = ["choice", "uniform", "log_uniform", "int_uniform"]

  static let keys = ["settings", "method", "candidates", "folds", "factor", "min_epochs", "space", "sequential"]

  init(_ input: CellInput) throws(StudyError) {
    let (value, fields, settings, seed) = (input.value, input.fields, input.settings, input.data.seed)
    method = try fields["method"]?.choice(SearchMethod.self, what: "search method") ?? .random
    sequential = try fields["sequential"]?.bool() ?? true
    requested = try fields["candidates"]?.int(in: 1...10_000) ?? 10
    folds = try fields["folds"]?.int(in: 2...20) ?? 3
    factor = try fields["factor"]?.int(in: 2...10) ?? 3
    minEpochs = try fields["min_epochs"]?.int(in: 1...10_000) ?? max(1, settings.epochs / 9)
    if method == .halving && minEpochs >= settings.epochs {
      throw (fields["min_epochs"] ?? value).error(
        "halving starts with \(minEpochs) epochs, expected fewer than the \(settings.epochs) epochs of the last round")
    }
    guard let spaceValue = fields["space"] else { throw value.error("a search cell needs a space (a mapping)") }
    let entries = try spaceValue.mapping(allowed: RunSettings.keys)
    guard !entries.isEmpty else { throw spaceValue.error("the search space is empty; give at least one parameter") }

    var space: [(SettingKey, Distribution, [YAMLValue])] = []
    for (name, spec) in entries.sorted(by: { $0.key < $1.key }) {
      guard let key = SettingKey(rawValue: name) else { continue }  // `mapping(allowed:)` checked it
      let kinds = try spec.mapping(allowed: Self.distributions)
      guard kinds.count == 1, let (kind, argument) = kinds.first else {
        throw spec.error(
          "expected one of \(Self.distributions.joined(separator: ", ")), for example {choice: [64, 128]}")
      }
      let items = try argument.list()
      switch kind {
      case "choice":
        guard !items.isEmpty else { throw argument.error("expected at least one choice") }
        space.append((key, .choice(items.map { SettingValue($0.node) }), items))
      default:
        guard items.count == 2 else { throw argument.error("expected [low, high], found \(items.count) values") }
        if kind == "int_uniform" {
          let (a, b) = (try items[0].int(in: Int.min...Int.max), try items[1].int(in: Int.min...Int.max))
          guard a <= b else { throw argument.error("expected low ≤ high, found [\(a), \(b)]") }
          space.append((key, .integers(a, b), items))
        } else {
          let (a, b) = (try items[0].double(in: -1e12...1e12), try items[1].double(in: -1e12...1e12))
          guard a < b else { throw argument.error("expected low < high, found [\(a), \(b)]") }
          if kind == "log_uniform" && a <= 0 {
            throw argument.error("a log-uniform range must be positive, found [\(a), \(b)]")
          }
          space.append((key, kind == "uniform" ? .uniform(a, b) : .logUniform(a, b), items))
        }
      }
      // Both ends of every range, and every choice, must be valid settings.
      for item in items {
        var probe = settings
        try probe.apply(YAMLValue.mapping([(key.rawValue, item)], at: spec))
      }
    }
    self.space = space.map { ($0.0, $0.1) }

    // Draw the candidates (scikit-learn's ParameterSampler): from the grid without
    // replacement when every parameter is a list of choices, else each parameter
    // independently, in key order. The stream depends on the study's seed only, so that two
    // searches of the same space (random and halving, say) weigh the same candidates.
    var generator = SeedPath(seed).child("search").generator
    var draws: [[(SettingKey, Node)]] = []
    if space.allSatisfy({ if case .choice = $0.1 { return true } else { return false } }) {
      let sizes = space.map { $0.2.count }
      let total = sizes.reduce(1, *)
      var indices = Array(0..<total)
      let count = min(requested, total)
      for i in 0..<count {
        indices.swapAt(i, i + generator.integer(below: total - i))
      }
      for flat in indices.prefix(count) {
        var rest = flat
        var picks: [(SettingKey, Node)] = []
        for (position, entry) in space.enumerated().reversed() {
          picks.append((entry.0, entry.2[rest % sizes[position]].node))
          rest /= sizes[position]
        }
        draws.append(picks.reversed())
      }
    } else {
      for _ in 0..<requested {
        var picks: [(SettingKey, Node)] = []
        for (key, distribution, items) in space {
          switch distribution {
          case .choice: picks.append((key, items[generator.integer(below: items.count)].node))
          case .uniform(let a, let b): picks.append((key, Node(String(a + (b - a) * generator.uniformDouble()))))
          case .logUniform(let a, let b):
            picks.append((key, Node(String(exp(log(a) + (log(b) - log(a)) * generator.uniformDouble())))))
          case .integers(let a, let b): picks.append((key, Node(String(a + generator.integer(below: b - a + 1)))))
          }
        }
        draws.append(picks)
      }
    }
    var candidates: [Candidate] = []
    for picks in draws {
      var candidate = settings
      let values = picks.map {
        ($0.0.rawValue, YAMLValue(node: $0.1, path: "\(spaceValue.path).\($0.0.rawValue)", file: value.file))
      }
      try candidate.apply(YAMLValue.mapping(values, at: spaceValue))
      let parameters = Dictionary(uniqueKeysWithValues: picks.map { ($0.0, SettingValue($0.1)) })
      candidates.append(Candidate(parameters: parameters, settings: try candidate.validated(at: spaceValue)))
    }
    self.candidates = candidates
  }

  /// The rounds of successive halving: how many candidates train, for how many epochs.
  /// As HalvingRandomSearchCV (aggressive_elimination=False): as many rounds as both the
  /// candidates and the epochs allow, the resource growing by `factor` each round.
  public func rounds(maxEpochs: Int) -> [(candidates: Int, epochs: Int)] {
    let n = candidates.count
    guard method == .halving, n > 1 else { return [(n, maxEpochs)] }
    var required = 1
    while pow(Double(factor), Double(required)) <= Double(n) { required += 1 }
    var possible = 1
    while Double(minEpochs) * pow(Double(factor), Double(possible)) <= Double(maxEpochs) { possible += 1 }
    let count = min(required, possible)
    return (0..<count).map { i in
      let epochs = min(maxEpochs, minEpochs * Int(pow(Double(factor), Double(i))))
      let survivors = Int((Double(n) / pow(Double(factor), Double(i))).rounded(.up))
      return (max(1, survivors), epochs)
    }
  }
}

extension SearchCell {
  func runCount(settings: RunSettings) -> Int {
    rounds(maxEpochs: settings.epochs).reduce(0) { $0 + $1.candidates } * folds
  }

  func keyParts(earlier: [String]) -> CellKeyParts {
    // Halving's results keep every round's scores since results format 2's cv_results rows
    // per round: the marker keeps older cached results, which lack them, from being read.
    CellKeyParts(
      search: ["\(method.rawValue)", "\(requested)", "\(folds)", "\(factor)", "\(minEpochs)"]
        + (method == .halving ? ["rounds kept"] : []),
      candidates: candidates.map(\.settings))
  }

  /// Stratified k-fold cross-validation of every candidate: its score is its mean validation
  /// accuracy over the folds at the end of training; with halving, the best 1/factor
  /// candidates of each round go on with factor times the epochs.
  /// The candidates, folds and rounds a build of `profile` trains (the quick profile cuts
  /// them down, and halves its two epochs once).
  func trained(by profile: Profile, settings: RunSettings) -> (
    candidates: [Candidate], folds: Int, rounds: [(candidates: Int, epochs: Int)]
  ) {
    let candidates = Array(self.candidates.prefix(profile.maxCandidates ?? Int.max))
    let folds = min(self.folds, profile.maxFolds ?? Int.max)
    let maxEpochs = profile.adjust(settings).epochs
    var rounds = rounds(maxEpochs: maxEpochs)
    if method == .halving, profile.maxEpochs != nil {
      rounds = [(candidates.count, max(1, maxEpochs / factor)), (max(1, candidates.count / factor), maxEpochs)]
    }
    return (candidates, folds, rounds.map { (min($0.candidates, candidates.count), $0.epochs) })
  }

  /// One stage per round: each round's candidates are chosen from the scores of the one
  /// before.
  func stageCount(profile: Profile, settings: RunSettings) -> Int {
    trained(by: profile, settings: settings).rounds.count
  }

  /// The runs of halving's rounds from `stage` on, before the scores that choose them are
  /// known: every candidate could go on, and the share of them that will is the round's.
  func possibleRuns(_ context: CellContext, from stage: Int) -> [PossibleRuns] {
    let (candidates, folds, rounds) = trained(by: context.profile, settings: context.cell.settings)
    let first = stage - context.firstStage
    guard first >= 0, first < rounds.count else { return [] }
    return (first..<rounds.count).map { round in
      PossibleRuns(
        stage: context.firstStage + round,
        requests: candidates.indices.flatMap { index in
          requests(candidate: index, candidates: candidates, folds: folds, round: round, rounds: rounds, context)
        },
        share: Double(rounds[round].candidates) / Double(max(1, candidates.count)))
    }
  }

  /// The fold runs of one candidate in one round.
  private func requests(
    candidate index: Int, candidates: [Candidate], folds: Int, round: Int, rounds: [(candidates: Int, epochs: Int)],
    _ context: CellContext
  ) -> [RunRequest] {
    var settings = candidates[index].settings
    settings.epochs = rounds[round].epochs
    return (0..<folds).map { fold in
      context.request(
        "candidate \(index + 1), fold \(fold + 1)/\(folds)\(rounds.count > 1 ? ", round \(round + 1)" : "")",
        settings, .fold(fold, of: folds))
    }
  }

  func run(_ context: CellContext) throws(CellStop) -> CellOutcome {
    let (candidates, folds, rounds) = trained(by: context.profile, settings: context.cell.settings)
    let maxEpochs = context.profile.adjust(context.cell.settings).epochs
    var alive = Array(candidates.indices)
    var latest: [Int: SearchCandidateResult] = [:]
    var foldEpochs = 0
    for (round, plan) in rounds.enumerated() {
      let requests = alive.flatMap { index in
        self.requests(candidate: index, candidates: candidates, folds: folds, round: round, rounds: rounds, context)
      }
      let records = try context.execute(requests, sequential: sequential)
      foldEpochs += records.reduce(0) { $0 + $1.epochs }
      for (position, index) in alive.enumerated() {
        let runs = Array(records[(position * folds)..<((position + 1) * folds)])
        let scores = runs.map { $0.validationAccuracy ?? .nan }
        let times = runs.map(\.seconds)
        let earlier = latest[index]?.trainedRounds ?? []
        latest[index] = SearchCandidateResult(
          index: index, parameters: candidates[index].parameters, foldScores: scores, meanScore: mean(scores),
          stdScore: populationDeviation(scores), rank: 0, meanFitSeconds: mean(times),
          stdFitSeconds: populationDeviation(times),
          epochs: plan.epochs, round: round, earlierRounds: earlier)
      }
      if round + 1 < rounds.count {
        let keep = rounds[round + 1].candidates
        alive = alive.sorted { a, b in
          let (x, y) = (latest[a]!.meanScore, latest[b]!.meanScore)
          return x != y ? (x.isNaN ? false : y.isNaN ? true : x > y) : a < b
        }.prefix(keep).sorted()
      }
    }
    let ordered = rankedByRoundReached(candidates.indices.map { latest[$0]! })
    let best = ordered.firstIndex { $0.rank == 1 } ?? 0
    return .search(
      SearchResult(
        method: method, folds: folds,
        space: Dictionary(uniqueKeysWithValues: space.map { ($0.key, $0.distribution) }), candidates: ordered,
        bestIndex: best,
        rounds: rounds.map { SearchRound(candidates: $0.candidates, epochs: $0.epochs) }, foldEpochs: foldEpochs,
        fullSearchFoldEpochs: candidates.count * folds * maxEpochs,
        expectedBest: rounds.count == 1 ? expectedMaximum(ordered.map(\.meanScore)) : nil))
  }
}
