import Foundation
import Statistics
import Tensor
import Yams

/// A search cell: a randomized hyperparameter search, in the manner of scikit-learn's
/// RandomizedSearchCV (and, with `method: halving`, HalvingRandomSearchCV; with `method:
/// hyperband`, Li et al.'s Hyperband): candidates drawn from a space, each scored by
/// stratified k-fold cross-validation on the training split, or (Hyperband without `folds`)
/// on the validation split.
public struct SearchCell: CellBehaviour {
  /// One candidate: its drawn parameters and the settings they give.
  public struct Candidate: Sendable {
    public let parameters: [SettingKey: SettingValue]
    public let settings: RunSettings
  }

  public let method: SearchMethod
  /// n_iter, the number of candidates halving starts with, or Hyperband's, which its
  /// brackets decide.
  public let requested: Int
  /// Folds of cross-validation; 1 for Hyperband scoring on the validation split.
  public let folds: Int
  var dataUse: DataUse { DataUse(folds: folds) }
  public let factor: Int
  /// Epochs of halving's first round, or of Hyperband's most aggressive bracket (the
  /// minimum resource).
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
    factor = try fields["factor"]?.int(in: 2...10) ?? 3
    minEpochs = try fields["min_epochs"]?.int(in: 1...10_000) ?? max(1, settings.epochs / 9)
    if method != .random && minEpochs >= settings.epochs {
      throw (fields["min_epochs"] ?? value).error(
        "\(method.rawValue) starts with \(minEpochs) epochs, expected fewer than the \(settings.epochs) epochs of the last round"
      )
    }
    if method == .hyperband {
      if let given = fields["candidates"] {
        let count = Self.hyperband(maxEpochs: settings.epochs, minEpochs: minEpochs, factor: factor)
          .reduce(0) { $0 + ($1.first?.candidates ?? 0) }
        throw given.error(
          "Hyperband draws as many candidates as its brackets start with (\(count) for \(settings.epochs) epochs, min_epochs \(minEpochs) and factor \(factor)); leave out candidates"
        )
      }
      requested = Self.hyperband(maxEpochs: settings.epochs, minEpochs: minEpochs, factor: factor)
        .reduce(0) { $0 + ($1.first?.candidates ?? 0) }
      folds = try fields["folds"]?.int(in: 2...20) ?? 1
    } else {
      requested = try fields["candidates"]?.int(in: 1...10_000) ?? 10
      folds = try fields["folds"]?.int(in: 2...20) ?? 3
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

  /// One round of a bracket: how many candidates train, for how many epochs.
  public typealias Round = (candidates: Int, epochs: Int)

  /// The rounds of successive halving: how many candidates train, for how many epochs.
  /// As HalvingRandomSearchCV (aggressive_elimination=False): as many rounds as both the
  /// candidates and the epochs allow, the resource growing by `factor` each round.
  public func rounds(maxEpochs: Int) -> [Round] {
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

  /// Hyperband's brackets (Li et al., "Hyperband", JMLR 2018, Algorithm 1), from the most
  /// aggressive: with R = `maxEpochs`, η = `factor` and s_max = ⌊log_η(R / min_epochs)⌋,
  /// bracket s = s_max…0 starts n = ⌈(s_max + 1) / (s + 1) · η^s⌉ candidates on R·η^−s
  /// epochs, and each of its s rounds keeps the best ⌊n·η^−i⌋ on η times the epochs, the
  /// last round on R. Every bracket spends about the same epochs.
  static func hyperband(maxEpochs: Int, minEpochs: Int, factor: Int) -> [[Round]] {
    let η = Double(factor)
    var sMax = 0
    while Double(minEpochs) * pow(η, Double(sMax + 1)) <= Double(maxEpochs) { sMax += 1 }
    return (0...sMax).reversed().map { s in
      let n = Int((Double(sMax + 1) / Double(s + 1) * pow(η, Double(s))).rounded(.up))
      return (0...s).map { i in
        let epochs = i == s ? maxEpochs : max(minEpochs, Int(Double(maxEpochs) / pow(η, Double(s - i))))
        return (max(1, Int((Double(n) / pow(η, Double(i))).rounded(.down))), epochs)
      }
    }
  }

  /// The search's brackets, each its rounds: a randomized search's one round, halving's
  /// rounds, Hyperband's brackets.
  public func brackets(maxEpochs: Int) -> [[Round]] {
    method == .hyperband
      ? Self.hyperband(maxEpochs: maxEpochs, minEpochs: minEpochs, factor: factor) : [rounds(maxEpochs: maxEpochs)]
  }
}

extension SearchCell {
  func runCount(settings: RunSettings) -> Int {
    brackets(maxEpochs: settings.epochs).joined().reduce(0) { $0 + $1.candidates } * folds
  }

  func keyParts(earlier: [String]) -> CellKeyParts {
    // Halving's results keep every round's scores since results format 2's cv_results rows
    // per round: the marker keeps older cached results, which lack them, from being read.
    CellKeyParts(
      search: ["\(method.rawValue)", "\(requested)", "\(folds)", "\(factor)", "\(minEpochs)"]
        + (method == .halving ? ["rounds kept"] : []),
      candidates: candidates.map(\.settings))
  }

  /// What a build of `profile` trains: the candidates, the folds, and each bracket's rounds
  /// with the candidates it starts with (a slice of them, in the order drawn). The quick
  /// profile cuts the candidates and epochs down: halving's to two rounds, Hyperband's
  /// brackets recomputed for its few epochs with a factor of 2.
  func trained(by profile: Profile, settings: RunSettings) -> (
    candidates: [Candidate], folds: Int, brackets: [(first: Int, rounds: [Round])]
  ) {
    let candidates = Array(self.candidates.prefix(profile.maxCandidates ?? Int.max))
    let folds = min(self.folds, profile.maxFolds ?? Int.max)
    let maxEpochs = profile.adjust(settings).epochs
    var brackets = brackets(maxEpochs: maxEpochs)
    if profile.maxEpochs != nil {
      switch method {
      case .random: break
      case .halving:
        brackets = [[(candidates.count, max(1, maxEpochs / factor)), (max(1, candidates.count / factor), maxEpochs)]]
      case .hyperband:
        brackets = maxEpochs > 1 ? Self.hyperband(maxEpochs: maxEpochs, minEpochs: 1, factor: 2) : [[(1, 1)]]
      }
    }
    // Each bracket its own candidates, as many as remain.
    var first = 0
    var out: [(first: Int, rounds: [Round])] = []
    for rounds in brackets {
      let available = candidates.count - first
      guard available > 0 else { break }
      let start = min(rounds[0].candidates, available)
      out.append((first, rounds.map { (min($0.candidates, start), $0.epochs) }))
      first += start
    }
    return (Array(candidates.prefix(first)), folds, out)
  }

  /// One stage per round: each round's candidates are chosen from the scores of the one
  /// before (every bracket's round r in stage r).
  func stageCount(profile: Profile, settings: RunSettings) -> Int {
    trained(by: profile, settings: settings).brackets.map(\.rounds.count).max() ?? 1
  }

  /// The runs of the rounds from `stage` on, before the scores that choose them are known:
  /// every candidate of a bracket could go on, and the share of them that will is the
  /// round's.
  func possibleRuns(_ context: CellContext, from stage: Int) -> [PossibleRuns] {
    let (candidates, folds, brackets) = trained(by: context.profile, settings: context.cell.settings)
    let first = stage - context.firstStage
    guard first >= 0 else { return [] }
    return brackets.enumerated().flatMap { b, bracket in
      let members = bracket.first..<(bracket.first + bracket.rounds[0].candidates)
      return (first..<max(first, bracket.rounds.count)).map { round in
        PossibleRuns(
          stage: context.firstStage + round,
          requests: members.flatMap { index in
            requests(
              candidate: index, candidates: candidates, folds: folds, bracket: b, brackets: brackets.count,
              round: round, rounds: bracket.rounds, context)
          },
          share: Double(bracket.rounds[round].candidates) / Double(max(1, members.count)))
      }
    }
  }

  /// The runs of one candidate in one round: a run per fold, or with one fold a run on the
  /// training split scored on the validation split.
  private func requests(
    candidate index: Int, candidates: [Candidate], folds: Int, bracket: Int, brackets: Int, round: Int,
    rounds: [Round], _ context: CellContext
  ) -> [RunRequest] {
    var settings = candidates[index].settings
    settings.epochs = rounds[round].epochs
    let place =
      (brackets > 1 ? ", bracket \(bracket + 1)" : "") + (rounds.count > 1 ? ", round \(round + 1)" : "")
    guard folds > 1 else { return [context.request("candidate \(index + 1)\(place)", settings, .split)] }
    return (0..<folds).map { fold in
      context.request("candidate \(index + 1), fold \(fold + 1)/\(folds)\(place)", settings, .fold(fold, of: folds))
    }
  }

  func run(_ context: CellContext) throws(CellStop) -> CellOutcome {
    let (candidates, folds, brackets) = trained(by: context.profile, settings: context.cell.settings)
    let maxEpochs = context.profile.adjust(context.cell.settings).epochs
    // Each bracket's candidates still in the race.
    var alive = brackets.map { Array($0.first..<($0.first + $0.rounds[0].candidates)) }
    var latest: [Int: SearchCandidateResult] = [:]
    var foldEpochs = 0
    let roundCount = brackets.map(\.rounds.count).max() ?? 0
    for round in 0..<roundCount {
      // Every bracket's round `round` in one stage, so that their runs go side by side.
      let racing = brackets.indices.filter { round < brackets[$0].rounds.count }
      let requests = racing.flatMap { b in
        alive[b].flatMap { index in
          self.requests(
            candidate: index, candidates: candidates, folds: folds, bracket: b, brackets: brackets.count,
            round: round, rounds: brackets[b].rounds, context)
        }
      }
      let records = try context.execute(requests, sequential: sequential)
      foldEpochs += records.reduce(0) { $0 + $1.epochs }
      var position = 0
      for b in racing {
        for index in alive[b] {
          let runs = Array(records[(position * folds)..<((position + 1) * folds)])
          position += 1
          let scores = runs.map { $0.validationAccuracy ?? .nan }
          let times = runs.map(\.seconds)
          let earlier = latest[index]?.trainedRounds ?? []
          latest[index] = SearchCandidateResult(
            index: index, parameters: candidates[index].parameters, foldScores: scores, meanScore: mean(scores),
            stdScore: populationDeviation(scores), rank: 0, meanFitSeconds: mean(times),
            stdFitSeconds: populationDeviation(times), epochs: brackets[b].rounds[round].epochs, round: round,
            bracket: b, earlierRounds: earlier)
        }
        if round + 1 < brackets[b].rounds.count {
          let keep = brackets[b].rounds[round + 1].candidates
          alive[b] = alive[b].sorted { a, b in
            let (x, y) = (latest[a]!.meanScore, latest[b]!.meanScore)
            return x != y ? (x.isNaN ? false : y.isNaN ? true : x > y) : a < b
          }.prefix(keep).sorted()
        }
      }
    }
    let ordered = rankedByEpochsReached(candidates.indices.map { latest[$0]! })
    let best = ordered.firstIndex { $0.rank == 1 } ?? 0
    return .search(
      SearchResult(
        method: method, folds: folds,
        space: Dictionary(uniqueKeysWithValues: space.map { ($0.key, $0.distribution) }), candidates: ordered,
        bestIndex: best,
        rounds: brackets.enumerated().flatMap { b, bracket in
          bracket.rounds.map {
            SearchRound(candidates: $0.candidates, epochs: $0.epochs, bracket: method == .hyperband ? b : nil)
          }
        },
        foldEpochs: foldEpochs, fullSearchFoldEpochs: candidates.count * folds * maxEpochs,
        expectedBest: brackets.count == 1 && brackets[0].rounds.count == 1
          ? expectedMaximum(ordered.map(\.meanScore)) : nil))
  }
}
