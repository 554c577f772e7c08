import Foundation

/// What a cell produced, by kind.
public enum CellOutcome: Sendable {
  case data(DataSummary)
  case train(NamedRun)
  /// One run per variant, in the study file's order.
  case compare([NamedRun])
  /// The grid's matrices, and its runs row by row.
  case grid(GridResult, [NamedRun])
  case search(SearchResult)
  case final(FinalOutcome)
}

extension CellOutcome {
  /// The settings its runs trained with, when they are not its cell's own: a final cell's
  /// chosen candidate's.
  var chosenSettings: RunSettings? {
    if case .final(let final) = self { return final.settings }
    return nil
  }

  /// Whether a run's loss became NaN or infinite (or a search candidate's score did).
  var diverged: Bool {
    switch self {
    case .data: return false
    case .train(let run): return run.run.status == .diverged
    case .compare(let runs), .grid(_, let runs): return runs.contains { $0.run.status == .diverged }
    case .search(let search): return search.candidates.contains { !$0.meanScore.isFinite }
    case .final(let final): return final.run.run.status == .diverged
    }
  }
}

/// A final cell's result: the search candidate it retrained and the tested run.
public struct FinalOutcome: Sendable {
  /// The candidate's drawn parameters.
  public var candidateParameters: [SettingKey: SettingValue]
  /// The final cell's settings for that candidate.
  public var settings: RunSettings
  public var run: NamedRun
}
