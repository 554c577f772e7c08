import Data
import Foundation
import Yams

/// One cell of a study: an experiment with a title, a Markdown explanation, the settings its
/// runs start from, and the data of its kind.
///
/// A new kind of cell is a file of this folder (its body: what it reads from the study file,
/// what it trains and what it yields) and a case in `Cell.Kind`, `Cell.Body`, `CellOutcome`
/// and `CellContents` below; every switch over them is exhaustive, so the compiler lists the
/// places left to handle it.
public struct Cell: Sendable {
  public enum Kind: String, Sendable, Codable, CaseIterable {
    /// The data: split sizes, class counts, sample images, pixel statistics.
    case data
    /// One training run, with curves.
    case train
    /// Variants of the cell's settings side by side.
    case compare
    /// A grid of two settings (for example hidden layers × neurons).
    case grid
    /// A randomized search with cross-validation, optionally by successive halving.
    case search
    /// The best candidate of a search, retrained and evaluated once on the test set.
    case final
  }

  /// What the cell does, with the data only its kind has.
  public enum Body: Sendable {
    case data(DataCell)
    case train(TrainCell)
    case compare(CompareCell)
    case grid(GridCell)
    case search(SearchCell)
    case final(FinalCell)

    public var kind: Kind {
      switch self {
      case .data: return .data
      case .train: return .train
      case .compare: return .compare
      case .grid: return .grid
      case .search: return .search
      case .final: return .final
      }
    }

    /// The kind's behaviour: its runs, its cache key and its computation.
    var behaviour: any CellBehaviour {
      switch self {
      case .data(let body): return body
      case .train(let body): return body
      case .compare(let body): return body
      case .grid(let body): return body
      case .search(let body): return body
      case .final(let body): return body
      }
    }
  }

  public let id: String
  public let title: String
  public let explanation: String
  /// The cell as written in the study file, shown like a notebook's input cell.
  public let source: String
  public let line: Int
  /// The study's base settings with the cell's own `settings` applied.
  public let settings: RunSettings
  public let body: Body

  public var kind: Kind { body.kind }

  /// How many training runs the cell asks for in a full build.
  public var runCount: Int { body.behaviour.runCount(settings: settings) }

  /// Whether the cell's model is evaluated on the test set.
  public var isTested: Bool { body.behaviour.isTested }

  /// Whether the build exports the cell's trained model (repeat 0's): a final cell's always,
  /// a train cell's with `save: true`.
  public var exportsModel: Bool {
    switch body {
    case .train(let train): return train.savesModel
    case .final: return true
    case .data, .compare, .grid, .search: return false
    }
  }

  /// The longest cell id.
  static let longestID = 64
  /// The longest explanation (and study description), in characters.
  static let longestText = 20_000

  /// The keys every cell may hold (and `settings`, every cell that trains).
  static let commonKeys = ["id", "kind", "title", "explanation"]

  init(
    _ value: YAMLValue, base: RunSettings, data: DataSettings, replication: Replication, earlier: [Cell],
    lines: [String], end: Int?
  ) throws(StudyError) {
    let entries = try value.mapping()
    let fields = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })
    guard let kindValue = fields["kind"] else {
      throw value.error("a cell needs a kind (allowed: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    let kind = try kindValue.choice(Kind.self, what: "cell kind")
    let own: [String]
    switch kind {
    case .data: own = DataCell.keys
    case .train: own = TrainCell.keys
    case .compare: own = CompareCell.keys
    case .grid: own = GridCell.keys
    case .search: own = SearchCell.keys
    case .final: own = FinalCell.keys
    }
    _ = try value.mapping(allowed: Self.commonKeys + own)

    guard let idValue = fields["id"] else { throw value.error("a cell needs an id") }
    let cellID = try idValue.string()
    guard !cellID.isEmpty, cellID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
    else {
      throw idValue.error("a cell id is made of letters, digits, - and _ (ASCII), found '\(cellID)'")
    }
    // The id names files (runs/ID/…, figures/ID-….png): it must fit a file name with room
    // for what follows it.
    guard cellID.count <= Self.longestID else {
      throw idValue.error("a cell id has at most \(Self.longestID) characters, found \(cellID.count)")
    }
    if earlier.contains(where: { $0.id == cellID }) {
      throw idValue.error("the id '\(cellID)' is used by an earlier cell")
    }
    id = cellID
    title = try fields["title"]?.string() ?? cellID
    explanation = try fields["explanation"]?.text(upTo: Self.longestText) ?? ""
    line = value.line ?? 1
    let first = max(0, line - 1)
    let last = min(lines.count, (end ?? lines.count + 1) - 1)
    source = Self.dedent(lines[first..<max(first, last)])

    var merged = base
    if let own = fields["settings"] { try merged.apply(own) }
    settings = try merged.validated(at: fields["settings"] ?? value)

    let input = CellInput(
      value: value, fields: fields, id: cellID, settings: settings, data: data, earlier: earlier,
      replication: replication)
    switch kind {
    case .data: body = .data(try DataCell(input))
    case .train: body = .train(try TrainCell(input))
    case .compare: body = .compare(try CompareCell(input))
    case .grid: body = .grid(try GridCell(input))
    case .search: body = .search(try SearchCell(input))
    case .final: body = .final(try FinalCell(input))
    }
  }

  /// The lines of a cell without their common indentation and the list's leading "- ".
  private static func dedent(_ lines: ArraySlice<String>) -> String {
    var lines = Array(lines)
    while let last = lines.last,
      last.trimmingCharacters(in: .whitespaces).isEmpty
        || last.trimmingCharacters(in: .whitespaces).hasPrefix("#")
    {
      lines.removeLast()
    }
    guard var first = lines.first else { return "" }
    if let dash = first.range(of: "- ") {
      first.replaceSubrange(dash, with: "  ")
      lines[0] = first
    }
    let indent =
      lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
      .map { $0.prefix(while: { $0 == " " }).count }.min() ?? 0
    return lines.map { String($0.dropFirst(min(indent, $0.prefix(while: { $0 == " " }).count))) }.joined(
      separator: "\n")
  }
}

/// What a kind's parser reads: the cell's mapping, its merged settings, the study's data
/// settings and the cells before it.
struct CellInput {
  let value: YAMLValue
  let fields: [String: YAMLValue]
  let id: String
  let settings: RunSettings
  let data: DataSettings
  let earlier: [Cell]
  /// The study's `repeats` and `resample`, which a training cell's own override.
  let replication: Replication

  /// The cell's repeats: its own `repeats` and `resample`, else the study's.
  func cellReplication() throws(StudyError) -> Replication { try Replication(fields, defaults: replication) }
}

/// What every kind of cell does in a build.
protocol CellBehaviour: Sendable {
  /// The keys of the study file a cell of this kind may hold besides the common ones.
  static var keys: [String] { get }
  /// How many training runs the cell asks for in a full build.
  func runCount(settings: RunSettings) -> Int
  /// Whether the cell's model is evaluated on the test set.
  var isTested: Bool { get }
  /// What the cell's cache key holds besides its settings and the data.
  func keyParts(earlier: [String]) -> CellKeyParts
  /// Computes the cell: nil when the build was cancelled (or, in a plan, when runs it needs
  /// are not in the cache).
  func run(_ context: CellContext) throws(CellFailure) -> CellOutcome?
  /// The positions of the earlier cells whose results this one's runs depend on.
  var dependencies: [Int] { get }
  /// The settings of the cell's runs besides the cell's own (variants, grid points,
  /// candidates), for checks made once the data is known.
  var otherSettings: [RunSettings] { get }
  /// How many stages the cell's runs take: each stage's runs are chosen from the results of
  /// the stage before.
  func stageCount(profile: Profile, settings: RunSettings) -> Int
  /// For a plan: the runs the cell may ask for from `stage` on, when the results that choose
  /// them are not known yet.
  func possibleRuns(_ context: CellContext, from stage: Int) -> [PossibleRuns]
}

extension CellBehaviour {
  var isTested: Bool { false }
  var dependencies: [Int] { [] }
  var otherSettings: [RunSettings] { [] }
  func stageCount(profile: Profile, settings: RunSettings) -> Int { 1 }
  func possibleRuns(_ context: CellContext, from stage: Int) -> [PossibleRuns] { [] }
}

/// Runs a later stage of a cell may ask for, before the results that choose them are known:
/// every possibility, and the expected share of them that will be asked for.
struct PossibleRuns {
  let stage: Int
  let requests: [RunRequest]
  let share: Double
}

/// A cell that cannot be computed (its search has no results, say): the message says why.
struct CellFailure: Error {
  let message: String
}

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

/// A cell of a build together with what it produced, matched by kind, for the report and the
/// analysis: no lookup by id is needed downstream.
public enum CellContents: Sendable {
  case data(DataCell, DataSummary)
  case train(TrainCell, NamedRun)
  case compare(CompareCell, [NamedRun])
  case grid(GridCell, GridResult, [NamedRun])
  case search(SearchCell, SearchResult)
  /// `search` is the cell the candidate came from, as built.
  case final(FinalCell, FinalOutcome, search: SearchContents?)

  /// The cell's body and outcome as one value; nil when they are not of the same kind (an
  /// outcome from another version of the cell: never produced by a build).
  init?(_ body: Cell.Body, _ outcome: CellOutcome, earlier: [BuiltCell]) {
    switch (body, outcome) {
    case (.data(let cell), .data(let summary)): self = .data(cell, summary)
    case (.train(let cell), .train(let run)): self = .train(cell, run)
    case (.compare(let cell), .compare(let runs)): self = .compare(cell, runs)
    case (.grid(let cell), .grid(let grid, let runs)): self = .grid(cell, grid, runs)
    case (.search(let cell), .search(let result)): self = .search(cell, result)
    case (.final(let cell), .final(let final)):
      var search: SearchContents?
      if cell.source < earlier.count, case .search(let spec, let result)? = earlier[cell.source].contents {
        search = SearchContents(cell: earlier[cell.source].cell, spec: spec, result: result)
      }
      self = .final(cell, final, search: search)
    case (.data, _), (.train, _), (.compare, _), (.grid, _), (.search, _), (.final, _): return nil
    }
  }
}

/// A search cell as built, for the final cell that retrains its winner.
public struct SearchContents: Sendable {
  public let cell: Cell
  public let spec: SearchCell
  public let result: SearchResult
}

/// A cell and its result, as the build returns them.
public struct BuiltCell: Sendable {
  public let cell: Cell
  public let result: CellResult
  /// The outcome matched with the cell's kind; nil when the cell failed or was skipped.
  public let contents: CellContents?

  public init(cell: Cell, result: CellResult, earlier: [BuiltCell]) {
    self.cell = cell
    self.result = result
    contents = result.outcome.flatMap { CellContents(cell.body, $0, earlier: earlier) }
  }
}
