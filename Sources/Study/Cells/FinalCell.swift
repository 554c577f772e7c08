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

  var otherSettings: [RunSettings] { settings }

  static let keys = ["settings", "from", "repeats", "resample"]

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
    let own = input.fields["settings"]
    settings = try search.candidates.map { candidate throws(StudyError) in
      var settings = candidate.settings
      if let own { try settings.apply(own) }
      return try settings.validated(at: own ?? input.value)
    }
  }

  func runCount(settings: RunSettings) -> Int { replication.count }

  var isTested: Bool { true }

  func keyParts(earlier: [String]) -> CellKeyParts {
    CellKeyParts(final: settings, from: earlier[source], replication: replication)
  }

  /// Builds on its search: its runs follow the search's last stage.
  var dependencies: [Int] { [source] }

  /// Before the search has a winner, any candidate could be retrained: one of them will.
  func possibleRuns(_ context: CellContext, from stage: Int) -> [PossibleRuns] {
    guard stage == context.firstStage, !settings.isEmpty else { return [] }
    let candidates: Int
    if case .search(let search) = context.earlier[source].cell.body {
      candidates = search.trained(by: context.profile, settings: context.earlier[source].cell.settings).candidates.count
    } else {
      candidates = settings.count
    }
    let requests = settings.prefix(candidates).flatMap {
      context.repeated(context.cell.id, $0, replication, test: true)
    }
    return [PossibleRuns(stage: stage, requests: requests, share: 1 / Double(max(1, candidates)))]
  }

  func run(_ context: CellContext) throws(CellStop) -> CellOutcome {
    guard case .search(_, let search)? = context.earlier[source].contents, let best = search.best else {
      throw .failed("the search cell '\(from)' has no results in this build or the cache; build it first")
    }
    let chosen = settings[best.index]
    let run = try context.namedRuns([context.repeated(context.cell.id, chosen, replication, test: true)])[0]
    return .final(FinalOutcome(candidateParameters: best.parameters, settings: chosen, run: run))
  }
}
