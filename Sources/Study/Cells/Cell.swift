import Data
import Foundation
import Yams

/// One cell of a study: an experiment with a title, a Markdown explanation, the settings its
/// runs start from, and the data of its kind.
///
/// A new kind of cell is a file of this folder (its body: what it reads from the study file,
/// what it trains and what it yields) and a case in `CellKind`, `Cell.Body`, `CellOutcome`
/// and `CellContents` below; every switch over them is exhaustive, so the compiler lists the
/// places left to handle it.
public struct Cell: Sendable {

  /// What the cell does, with the data only its kind has.
  public enum Body: Sendable {
    case data(DataCell)
    case train(TrainCell)
    case compare(CompareCell)
    case grid(GridCell)
    case search(SearchCell)
    case final(FinalCell)

    public var kind: CellKind {
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

  public var kind: CellKind { body.kind }

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
      throw value.error("a cell needs a kind (allowed: \(CellKind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    let kind = try kindValue.choice(CellKind.self, what: "cell kind")
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
  /// The cell's repeats; `adaptive` for a cell that may take adaptive ones (a compare cell).
  func cellReplication(adaptive: Bool = false) throws(StudyError) -> Replication {
    try Replication(fields, defaults: replication, adaptive: adaptive)
  }
}
