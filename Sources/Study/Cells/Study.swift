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
  /// The ids of the cells whose trained model a build exports.
  var exportingCells: Set<String> { Set(cells.filter(\.exportsModel).map(\.id)) }
  /// The cells whose tested models open the report, as the study file declares them.
  public let keyResults: KeyResultRoles?
  /// The study's `repeats` and `resample`: every training cell's unless it says otherwise.
  public let replication: Replication
  /// The changes from the command line applied to the file (`build --set`), in order.
  public let overrides: [StudyOverride]

  /// Reads and checks the study file at `path`.
  public static func load(_ path: String, overrides: [StudyOverride] = []) throws -> Study {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw StudyError(
        file: path, line: nil, key: "", message: "cannot read the study file (\(error.localizedDescription))")
    }
    return try parse(text, file: path, overrides: overrides)
  }

  /// Checks a study given as YAML text, with `overrides` applied; `file` names it in errors
  /// (the flag, for an error in an overridden value).
  public static func parse(_ text: String, file: String, overrides: [StudyOverride] = []) throws(StudyError) -> Study {
    // Windows line endings: "\r\n" is one Character in Swift, so lines are cut on it only
    // once it is "\n".
    let text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: text) else {
        throw StudyError(file: file, line: nil, key: "", message: "the study file is empty")
      }
      root = node
    } catch let error as StudyError {
      throw error
    } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
      // Yams names the mapping, not the key given twice: found in the text.
      let key = duplicates.sorted().first ?? ""
      let (first, second) = repeatedKey(key, in: text, mappingAt: context.mark)
      throw StudyError(
        file: file, line: second ?? context.mark.line, key: key,
        message: "'\(key)' is given twice\(first.map { " (first on line \($0))" } ?? "")")
    } catch let error as YamlError {
      throw StudyError(file: file, line: yamlLine(error), key: "", message: "not valid YAML: \(yamlProblem(error))")
    } catch {
      throw StudyError(file: file, line: nil, key: "", message: "not valid YAML: \(error)")
    }
    var changed = root
    var paths: [(path: String, override: StudyOverride)] = []
    for override in overrides {
      let (node, path) = try override.apply(to: changed)
      changed = node
      paths.append((path, override))
    }
    do {
      return try read(changed, text: text, file: file, overrides: overrides)
    } catch {
      // An error about a node an override made has no line: the flag is its place.
      guard error.line == nil,
        let match = paths.last(where: { error.key.hasPrefix($0.path) || $0.path.hasPrefix(error.key) })
      else { throw error }
      throw StudyError(file: match.override.flag, line: nil, key: error.key, message: error.message)
    }
  }

  private static func read(_ root: Node, text: String, file: String, overrides: [StudyOverride]) throws(StudyError)
    -> Study
  {
    let top = YAMLValue(node: root, path: "", file: file)
    let fields = Dictionary(
      uniqueKeysWithValues: try top.mapping(allowed: [
        "title", "description", "data", "base", "repeats", "resample", "equivalence", "cells", "key_results",
      ])
      .map {
        ($0.key, $0.value)
      })
    let data = try fields["data"].map { v throws(StudyError) in try DataSettings(v) } ?? DataSettings()
    var base = RunSettings()
    if let baseValue = fields["base"] {
      try base.apply(baseValue)
      base = try base.validated(at: baseValue)
    }
    let replication = try Replication(fields, defaults: Replication(), adaptive: true)
    guard let cellsValue = fields["cells"] else { throw top.error("a study needs cells (a list)") }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var cells: [Cell] = []
    let cellValues = try cellsValue.list()
    guard !cellValues.isEmpty else { throw cellsValue.error("expected at least one cell") }
    for (index, value) in cellValues.enumerated() {
      let end = index + 1 < cellValues.count ? cellValues[index + 1].line : nil
      let cell = try Cell(
        value, base: base, data: data, replication: replication, earlier: cells, lines: lines, end: end)
      cells.append(cell)
    }
    let roles = try fields["key_results"].map { v throws(StudyError) in try KeyResultRoles(v, cells: cells) }
    return Study(
      file: file, source: text, title: try fields["title"]?.string() ?? "Fully connected networks on MNIST",
      description: try fields["description"]?.text(upTo: Cell.longestText) ?? "", data: data, base: base, cells: cells,
      keyResults: roles, replication: replication, overrides: overrides)
  }

  public func cell(_ id: String) -> Cell? { cells.first { $0.id == id } }

  /// Checks what only the dataset's files can tell: that `validation` leaves training images.
  public func check(against dataset: LoadedDataset) throws(StudyError) {
    let available = dataset.train.count
    guard data.validation < available else {
      throw StudyError(
        file: file, line: data.validationLine, key: "data.validation",
        message:
          "expected fewer than the \(available) images of the training file (\(dataset.files[0].path)), found \(data.validation)"
      )
    }
    // A network that cannot fit is refused before anything trains, with its estimate.
    let limit = Double(ProcessInfo.processInfo.physicalMemory) / 2
    for cell in cells where cell.kind != .data {
      for settings in [cell.settings] + cell.body.behaviour.otherSettings {
        let bytes = settings.estimatedBytes(dataset.shape, examples: available - data.validation)
        guard bytes <= limit else {
          throw StudyError(
            file: file, line: cell.line, key: "cells.\(cell.id)",
            message: String(
              format:
                "a run of hidden %@ with batches of %d needs about %.1f GB (weights, gradients, optimizer state and a batch's activations), more than half of this machine's %.1f GB",
              "\(settings.hidden.count > 8 ? "[\(settings.hidden.count) layers]" : "\(settings.hidden)")",
              settings.batchRows(examples: available - data.validation), bytes / 1e9, 2 * limit / 1e9))
        }
      }
    }
  }
}

extension Study {
  /// The first stage of each cell's runs: 1, or the stage after the last one of the cells it
  /// builds on.
  func firstStages(profile: Profile) -> [Int] {
    var first: [Int] = []
    for cell in cells {
      let after = cell.body.behaviour.dependencies.map { first[$0] + stageCount(cells[$0], profile) - 1 }.max()
      first.append((after ?? 0) + 1)
    }
    return first
  }

  /// How many stages the study's runs take in a build of `profile`.
  func stageCount(profile: Profile) -> Int {
    zip(cells, firstStages(profile: profile)).map { $1 + stageCount($0, profile) - 1 }.max() ?? 1
  }

  private func stageCount(_ cell: Cell, _ profile: Profile) -> Int {
    cell.body.behaviour.stageCount(profile: profile, settings: cell.settings)
  }
}

/// The lines (1-based) of the first two places where `key` starts an entry of the mapping
/// that begins at `mark` (its keys in `mark`'s column; a list item's "- " allowed).
private func repeatedKey(_ key: String, in text: String, mappingAt mark: Mark) -> (Int?, Int?) {
  let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
  var found: [Int] = []
  for number in max(1, mark.line)...max(1, lines.count) where number <= lines.count {
    let line = lines[number - 1]
    let indent = line.prefix { $0 == " " }.count
    var rest = line.dropFirst(indent)
    var column = indent + 1
    if rest.hasPrefix("- ") {
      rest = rest.dropFirst(2)
      column += 2
    }
    // A line less indented than the mapping ends it.
    if number > mark.line && indent + 1 < mark.column && !line.trimmingCharacters(in: .whitespaces).isEmpty { break }
    if column == mark.column && (rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":")) { found.append(number) }
    if found.count == 2 { break }
  }
  return (found.first, found.count > 1 ? found[1] : nil)
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

/// Which cells the report's key results compare: `key_results: {baseline: ID, tuned: ID}`,
/// each a cell whose model is tested (a final cell, or a train cell with `test: true`),
/// resolved to its position in the study when the study is read.
public struct KeyResultRoles: Sendable {
  /// The reference the tuned model is measured against, when there is one.
  public let baseline: Int?
  public let tuned: Int

  init(_ value: YAMLValue, cells: [Cell]) throws(StudyError) {
    let fields = Dictionary(
      uniqueKeysWithValues: try value.mapping(allowed: ["baseline", "tuned"]).map { ($0.key, $0.value) })
    let tested = cells.filter(\.isTested).map(\.id)
    func role(_ name: String) throws(StudyError) -> Int? {
      guard let field = fields[name] else { return nil }
      let id = try field.string()
      guard let index = cells.firstIndex(where: { $0.id == id }), cells[index].isTested else {
        let known = cells.contains { $0.id == id } ? "'\(id)' is not tested" : "no cell is called '\(id)'"
        throw field.error(
          "\(known); expected a final cell or a train cell with test: true (tested cells: \(tested.isEmpty ? "none" : tested.joined(separator: ", ")))"
        )
      }
      return index
    }
    guard let tuned = try role("tuned") else { throw value.error("key_results needs tuned: the id of a tested cell") }
    self.tuned = tuned
    baseline = try role("baseline")
    if baseline == tuned { throw value.error("baseline and tuned name the same cell '\(cells[tuned].id)'") }
  }
}
