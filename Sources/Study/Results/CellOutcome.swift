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
  /// With `rescore`, the search's top candidates retrained once each (repeat 0) with the
  /// final cell's settings, best search rank first, and which was chosen; empty without.
  public var rescored: [RescoredCandidate] = []
}

/// A search's candidate scored again at the final cell's budget: the one with the highest
/// validation accuracy there is the one retrained and tested, so that the winner is the
/// best at the budget it is used with.
public struct RescoredCandidate: Codable, Sendable, Equatable {
  /// Its number in the search (from 1, as the report numbers it), and its score there.
  public let candidate: Int
  public let searchScore: Double
  public let searchEpochs: Int
  /// Its best validation accuracy at the final cell's settings (repeat 0), and the test
  /// accuracy of that run (evaluated as any tested repeat 0 is; shown, never used).
  public let validationAccuracy: Double
  public let testAccuracy: Double?
  public let chosen: Bool
}
