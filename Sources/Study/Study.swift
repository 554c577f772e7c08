import Data
import Foundation
import Tensor
import Yams

/// A study: its data, the settings every training cell starts from, and its cells in order,
/// read from a YAML study file and checked whole before anything runs.
public struct Study: Sendable {
  /// The file it was read from, as given.
  public let file: String
  /// The file's text.
  public let source: String
  public let title: String
  /// Markdown shown at the top of the report.
  public let description: String
  public let data: DataSettings
  public let base: RunSettings
  public let cells: [Cell]

  /// Reads and checks the study file at `path`.
  public static func load(_ path: String) throws -> Study {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw StudyError(
        file: path, line: nil, key: "", message: "cannot read the study file (\(error.localizedDescription))")
    }
    return try parse(text, file: path)
  }

  /// Checks a study given as YAML text; `file` names it in errors.
  public static func parse(_ text: String, file: String) throws(StudyError) -> Study {
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: text) else {
        throw StudyError(file: file, line: nil, key: "", message: "the study file is empty")
      }
      root = node
    } catch let error as StudyError {
      throw error
    } catch let error as YamlError {
      throw StudyError(file: file, line: yamlLine(error), key: "", message: "not valid YAML: \(yamlProblem(error))")
    } catch {
      throw StudyError(file: file, line: nil, key: "", message: "not valid YAML: \(error)")
    }
    let top = YAMLValue(node: root, path: "", file: file)
    let fields = Dictionary(
      uniqueKeysWithValues: try top.mapping(allowed: ["title", "description", "data", "base", "cells"]).map {
        ($0.key, $0.value)
      })
    let data = try fields["data"].map { v throws(StudyError) in try DataSettings(v) } ?? DataSettings()
    var base = RunSettings()
    if let baseValue = fields["base"] {
      try base.apply(baseValue)
      base = try base.validated(at: baseValue)
    }
    guard let cellsValue = fields["cells"] else { throw top.error("a study needs cells (a list)") }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var cells: [Cell] = []
    let cellValues = try cellsValue.list()
    guard !cellValues.isEmpty else { throw cellsValue.error("expected at least one cell") }
    for (index, value) in cellValues.enumerated() {
      let end = index + 1 < cellValues.count ? cellValues[index + 1].line : nil
      let cell = try Cell(value, base: base, data: data, earlier: cells, lines: lines, end: end)
      cells.append(cell)
    }
    return Study(
      file: file, source: text, title: try fields["title"]?.string() ?? "Fully connected networks on MNIST",
      description: try fields["description"]?.string() ?? "", data: data, base: base, cells: cells)
  }

  public func cell(_ id: String) -> Cell? { cells.first { $0.id == id } }
}

private func yamlLine(_ error: YamlError) -> Int? {
  switch error {
  case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
  default: return nil
  }
}

private func yamlProblem(_ error: YamlError) -> String {
  switch error {
  case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
  default: return "\(error)"
  }
}

/// Which data a study uses, how it splits and scales it, and the seed of every random
/// choice.
public struct DataSettings: Codable, Hashable, Sendable {
  /// A built-in dataset (`mnist`, `fashion-mnist`).
  public var dataset = "mnist"
  /// Images held out of the training file for validation.
  public var validation = 6000
  public var normalization = Normalization.scale
  public var seed: UInt64 = 42

  public init() {}

  init(_ value: YAMLValue) throws(StudyError) {
    for (key, field) in try value.mapping(allowed: ["dataset", "validation", "normalization", "seed"]) {
      switch key {
      case "dataset":
        dataset = try field.string()
        guard DatasetSource.builtInNames.contains(dataset) else {
          throw field.error(
            "unknown dataset '\(dataset)' (allowed: \(DatasetSource.builtInNames.joined(separator: ", ")); or pass --data DIR)"
          )
        }
      case "validation": validation = try field.int(in: 1...59_999)
      case "normalization": normalization = try field.choice(Normalization.self, what: "normalization")
      default: seed = UInt64(try field.int(in: 0...Int.max))
      }
    }
  }
}

/// One cell of a study: an experiment with a title, a Markdown explanation and its settings.
public struct Cell: Sendable {
  public enum Kind: String, Sendable, Codable, CaseIterable {
    /// The data: split sizes, class counts, sample digits, pixel statistics.
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

  /// A variant of a compare cell.
  public struct Variant: Sendable {
    public let name: String
    public let settings: RunSettings
  }

  /// A grid cell's two axes: a settings key and its values, and each point's settings.
  public struct Grid: Sendable {
    public let rowKey: String
    public let rowValues: [String]
    public let columnKey: String
    public let columnValues: [String]
    /// Row-major: settings[r][c].
    public let settings: [[RunSettings]]
  }

  public let id: String
  public let kind: Kind
  public let title: String
  public let explanation: String
  /// The cell as written in the study file, shown like a notebook's input cell.
  public let source: String
  public let line: Int
  public let settings: RunSettings
  public let variants: [Variant]
  public let grid: Grid?
  public let search: SearchSpecification?
  /// The search cell a final cell takes its candidate from.
  public let from: String?
  /// A final cell's settings for each candidate of its search: the candidate's settings
  /// overridden by the final cell's own.
  public let finalSettings: [RunSettings]
  /// Sample digits shown per class by a data cell.
  public let samplesPerClass: Int
  /// Whether a train cell's run is also evaluated on the test set (to compare it with the
  /// final model; nothing is chosen by it).
  public let evaluatesTest: Bool
  /// Whether a compare cell trains its variants one after another on every thread, so that
  /// their seconds per epoch compare (the default), rather than side by side on one thread
  /// each.
  public let sequential: Bool

  static let commonKeys = ["id", "kind", "title", "explanation"]

  /// How many training runs the cell asks for in a full build.
  public var runCount: Int {
    switch kind {
    case .data: return 0
    case .train, .final: return 1
    case .compare: return variants.count
    case .grid: return grid.map { $0.rowValues.count * $0.columnValues.count } ?? 0
    case .search:
      guard let search else { return 0 }
      return search.rounds(maxEpochs: settings.epochs).reduce(0) { $0 + $1.candidates } * search.folds
    }
  }

  init(_ value: YAMLValue, base: RunSettings, data: DataSettings, earlier: [Cell], lines: [String], end: Int?)
    throws(StudyError)
  {
    let entries = try value.mapping()
    let fields = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })
    guard let kindValue = fields["kind"] else {
      throw value.error("a cell needs a kind (allowed: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    kind = try kindValue.choice(Kind.self, what: "cell kind")
    let allowed: [String]
    switch kind {
    case .data: allowed = Self.commonKeys + ["samples_per_class"]
    case .train: allowed = Self.commonKeys + ["settings", "test"]
    case .compare: allowed = Self.commonKeys + ["settings", "variants", "sequential"]
    case .grid: allowed = Self.commonKeys + ["settings", "rows", "columns"]
    case .search:
      allowed = Self.commonKeys + ["settings", "method", "candidates", "folds", "factor", "min_epochs", "space"]
    case .final: allowed = Self.commonKeys + ["settings", "from"]
    }
    _ = try value.mapping(allowed: allowed)

    guard let idValue = fields["id"] else { throw value.error("a cell needs an id") }
    let cellID = try idValue.string()
    guard !cellID.isEmpty, cellID.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
      throw idValue.error("a cell id is made of letters, digits, - and _, found '\(cellID)'")
    }
    if earlier.contains(where: { $0.id == cellID }) {
      throw idValue.error("the id '\(cellID)' is used by an earlier cell")
    }
    id = cellID
    title = try fields["title"]?.string() ?? id
    explanation = try fields["explanation"]?.string() ?? ""
    line = value.line ?? 1
    let first = max(0, line - 1)
    let last = min(lines.count, (end ?? lines.count + 1) - 1)
    source = Self.dedent(lines[first..<max(first, last)])

    var merged = base
    if let own = fields["settings"] {
      try merged.apply(own)
    }
    let cellSettings = try merged.validated(at: fields["settings"] ?? value)
    settings = cellSettings
    samplesPerClass = try fields["samples_per_class"]?.int(in: 1...20) ?? 2
    evaluatesTest = try fields["test"]?.bool() ?? false
    sequential = try fields["sequential"]?.bool() ?? true

    var variants: [Variant] = []
    if kind == .compare {
      guard let list = fields["variants"] else { throw value.error("a compare cell needs variants (a list)") }
      let items = try list.list()
      guard !items.isEmpty else { throw list.error("expected at least one variant") }
      for item in items {
        let entries = try item.mapping()
        guard let nameValue = entries.first(where: { $0.key == "name" })?.value else {
          throw item.error("a variant needs a name")
        }
        let name = try nameValue.string()
        if variants.contains(where: { $0.name == name }) { throw nameValue.error("two variants are named '\(name)'") }
        var variant = cellSettings
        try variant.apply(item.without("name"))
        variants.append(Variant(name: name, settings: try variant.validated(at: item)))
      }
    }
    self.variants = variants

    if kind == .grid {
      guard let rows = fields["rows"], let columns = fields["columns"] else {
        throw value.error("a grid cell needs rows and columns (each a key and its values)")
      }
      let (rowKey, rowNodes) = try Self.axis(rows)
      let (columnKey, columnNodes) = try Self.axis(columns)
      if rowKey == columnKey { throw columns.error("the columns vary '\(rowKey)' too; choose another key") }
      var points: [[RunSettings]] = []
      for rowNode in rowNodes {
        var row: [RunSettings] = []
        for columnNode in columnNodes {
          var point = cellSettings
          try point.apply(YAMLValue.mapping([(rowKey, rowNode), (columnKey, columnNode)], at: value))
          row.append(try point.validated(at: value))
        }
        points.append(row)
      }
      grid = Grid(
        rowKey: rowKey, rowValues: try rowNodes.map { v throws(StudyError) in try v.string() }, columnKey: columnKey,
        columnValues: try columnNodes.map { v throws(StudyError) in try v.string() }, settings: points)
    } else {
      grid = nil
    }

    search =
      kind == .search
      ? try SearchSpecification(value, fields: fields, settings: cellSettings, seed: data.seed, cell: cellID) : nil

    if kind == .final {
      guard let fromValue = fields["from"] else {
        throw value.error("a final cell needs from: the id of a search cell")
      }
      let name = try fromValue.string()
      guard let source = earlier.first(where: { $0.id == name }), source.kind == .search else {
        let searches = earlier.filter { $0.kind == .search }.map(\.id)
        throw fromValue.error(
          "'\(name)' is not an earlier search cell (earlier search cells: \(searches.isEmpty ? "none" : searches.joined(separator: ", ")))"
        )
      }
      from = source.id
      finalSettings = try source.search!.candidates.map { candidate throws(StudyError) in
        var settings = candidate.settings
        if let own = fields["settings"] { try settings.apply(own) }
        return try settings.validated(at: fields["settings"] ?? value)
      }
    } else {
      from = nil
      finalSettings = []
    }
  }

  /// A grid axis: `{key: NAME, values: [...]}`, the key being a settings key.
  private static func axis(_ value: YAMLValue) throws(StudyError) -> (String, [YAMLValue]) {
    let fields = Dictionary(
      uniqueKeysWithValues: try value.mapping(allowed: ["key", "values"]).map { ($0.key, $0.value) })
    guard let keyValue = fields["key"], let values = fields["values"] else {
      throw value.error("a grid axis needs key (a settings key) and values (a list)")
    }
    let key = try keyValue.string()
    guard RunSettings.keys.contains(key) else {
      throw keyValue.error("unknown settings key '\(key)' (allowed: \(RunSettings.keys.joined(separator: ", ")))")
    }
    let items = try values.list()
    guard !items.isEmpty else { throw values.error("expected at least one value") }
    return (key, items)
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

extension YAMLValue {
  /// The same mapping without one key.
  func without(_ key: String) -> YAMLValue {
    guard let mapping = node.mapping else { return self }
    let pairs = mapping.filter { $0.key.string != key }
    return YAMLValue(
      node: .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark)), path: path, file: file)
  }

  /// A mapping made of `pairs`, placed (for errors) at `origin`.
  static func mapping(_ pairs: [(String, YAMLValue)], at origin: YAMLValue) -> YAMLValue {
    let nodes = pairs.map { (Node($0.0), $0.1.node) }
    return YAMLValue(
      node: .mapping(Node.Mapping(nodes, .implicit, .block, origin.node.mark)), path: origin.path, file: origin.file)
  }
}
