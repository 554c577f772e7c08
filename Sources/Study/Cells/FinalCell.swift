/// A final cell: the best candidate of an earlier search cell, retrained on the training
/// split with the final cell's own settings, and evaluated once on the test set.
public struct FinalCell: CellBehaviour {
  /// The id of the search cell the candidate comes from, as the study file names it.
  public let from: String
  /// That cell's position in the study, resolved when the study is read.
  public let source: Int
  /// The settings of each candidate of that search: the candidate's settings overridden by
  /// the final cell's own.
  public let settings: [RunSettings]
  public let replication: Replication
  var dataUse: DataUse { DataUse(replication) }
  /// How many of the search's top candidates are retrained once at this cell's settings
  /// before one is chosen (1: the search's winner, as it is).
  public let rescore: Int

  var otherSettings: [RunSettings] { settings }

  static let keys = ["settings", "from", "repeats", "resample", "rescore"]

  init(_ input: CellInput) throws(StudyError) {
    guard let fromValue = input.fields["from"] else {
      throw input.value.error("a final cell needs from: the id of a search cell")
    }
    let name = try fromValue.string()
    let searches = input.earlier.enumerated().compactMap { index, cell -> (String, Int, SearchCell)? in
      if case .search(let search) = cell.body { return (cell.id, index, search) }
      return nil
    }
    guard let (_, source, search) = searches.first(where: { $0.0 == name }) else {
      let ids = searches.map(\.0)
      throw fromValue.error(
        "'\(name)' is not an earlier search cell (earlier search cells: \(ids.isEmpty ? "none" : ids.joined(separator: ", ")))"
      )
    }
    from = name
    self.source = source
    replication = try input.cellReplication()
    rescore = try input.fields["rescore"]?.int(in: 1...20) ?? 1
    let own = input.fields["settings"]
    settings = try search.candidates.map { candidate throws(StudyError) in
      var settings = candidate.settings
      if let own { try settings.apply(own) }
      return try settings.validated(at: own ?? input.value)
    }
  }

  func runCount(settings: RunSettings) -> Int { replication.count + rescore - 1 }

  var isTested: Bool { true }

  func keyParts(earlier: [String]) -> CellKeyParts {
    CellKeyParts(final: settings, from: earlier[source], replication: replication, rescore: rescore)
  }

  /// Builds on its search: its runs follow the search's last stage.
  var dependencies: [Int] { [source] }

  /// Re-scoring takes a stage of its own: the chosen candidate's repeats follow it.
  func stageCount(profile: Profile, settings: RunSettings) -> Int { rescore > 1 ? 2 : 1 }

  /// Before the search has a winner, any candidate could be retrained (or re-scored): one of
  /// them will (`rescore` of them).
  func possibleRuns(_ context: CellContext, from stage: Int) -> [PossibleRuns] {
    guard !settings.isEmpty else { return [] }
    let candidates: Int
    if case .search(let search) = context.earlier[source].cell.body {
      candidates = search.trained(by: context.profile, settings: context.earlier[source].cell.settings).candidates.count
    } else {
      candidates = settings.count
    }
    let all = settings.prefix(candidates).map { context.repeated(context.cell.id, $0, replication, test: true) }
    let share = 1 / Double(max(1, candidates))
    guard rescore > 1 else {
      return stage == context.firstStage ? [PossibleRuns(stage: stage, requests: all.flatMap { $0 }, share: share)] : []
    }
    var stages: [PossibleRuns] = []
    if stage == context.firstStage {
      stages.append(
        PossibleRuns(stage: stage, requests: all.map { $0[0] }, share: min(1, Double(rescore) * share)))
    }
    if stage <= context.firstStage + 1 {
      stages.append(
        PossibleRuns(stage: context.firstStage + 1, requests: all.flatMap { $0.dropFirst() }, share: share))
    }
    return stages
  }

  func run(_ context: CellContext) throws(CellStop) -> CellOutcome {
    guard case .search(_, let search)? = context.earlier[source].contents, var best = search.best else {
      throw .failed("the search cell '\(from)' has no results in this build or the cache; build it first")
    }
    var rescored: [RescoredCandidate] = []
    if rescore > 1 {
      // The search's top candidates, each trained once (repeat 0, the run the winner keeps)
      // at this cell's settings; the highest validation accuracy wins, a tie going to the
      // better search rank. The test set chooses nothing: only the winner's is reported.
      let top = Array(search.candidates.sorted { ($0.rank, $0.index) < ($1.rank, $1.index) }.prefix(rescore))
      let runs = try context.execute(
        top.map { context.repeated(context.cell.id, settings[$0.index], replication, test: true)[0] })
      let scores = runs.map(\.bestValidationAccuracy)
      let winner =
        scores.indices.max { a, b in
          let (x, y) = (scores[a].isFinite ? scores[a] : -1, scores[b].isFinite ? scores[b] : -1)
          return x != y ? x < y : a > b
        } ?? 0
      best = top[winner]
      rescored = zip(top, scores).enumerated().map { position, pair in
        RescoredCandidate(
          candidate: pair.0.index + 1, searchScore: pair.0.meanScore, searchEpochs: pair.0.epochs,
          validationAccuracy: pair.1, testAccuracy: runs[position].test?.accuracy, chosen: position == winner)
      }
    }
    let chosen = settings[best.index]
    let run = try context.namedRuns([context.repeated(context.cell.id, chosen, replication, test: true)])[0]
    return .final(FinalOutcome(candidateParameters: best.parameters, settings: chosen, run: run, rescored: rescored))
  }
}
