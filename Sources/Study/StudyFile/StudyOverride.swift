import Yams

/// A change to the study file from the command line (`build --set KEY=VALUE`, `--seed`,
/// `--dataset`), as papermill's `-p` or Quarto's `-P`: a dotted path into the study file
/// and a YAML value. A path step into `cells` names a cell by its id:
/// `base.learning_rate=1e-3`, `data.dataset=fashion-mnist`,
/// `cells.baseline.settings.epochs=5`. The study is then read as if its file said so, with
/// the file's checks, and an error in an overridden value names the flag.
public struct StudyOverride: Sendable, Equatable, Codable {
  /// The flag as given, for messages and the report's provenance (`--set base.epochs=5`).
  public let flag: String
  public let path: [String]
  public let value: String

  /// `KEY=VALUE` as `--set` takes it; `flag` names the option in messages.
  public init(assignment: String, flag: String = "--set") throws(StudyError) {
    guard let equals = assignment.firstIndex(of: "=") else {
      throw StudyError(
        file: "\(flag) \(assignment)", line: nil, key: "",
        message: "expected KEY=VALUE, a dotted path into the study file (base.learning_rate=1e-3)")
    }
    let key = String(assignment[..<equals])
    let value = String(assignment[assignment.index(after: equals)...])
    let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
      throw StudyError(
        file: "\(flag) \(assignment)", line: nil, key: key,
        message: "expected a dotted path of keys (base.learning_rate, cells.baseline.settings.epochs)")
    }
    guard !value.isEmpty else {
      throw StudyError(file: "\(flag) \(assignment)", line: nil, key: key, message: "expected a value after '='")
    }
    self.init(flag: flag == "--set" ? "--set \(assignment)" : "\(flag) \(value)", path: path, value: value)
  }

  init(flag: String, path: [String], value: String) {
    self.flag = flag
    self.path = path
    self.value = value
  }

  /// `--seed N`: the study's seed (checked as the study file's `data.seed` is).
  public static func seed(_ seed: UInt64) -> StudyOverride {
    StudyOverride(flag: "--seed \(seed)", path: ["data", "seed"], value: String(seed))
  }

  /// `--dataset NAME`: a built-in dataset.
  public static func dataset(_ name: String) -> StudyOverride {
    StudyOverride(flag: "--dataset \(name)", path: ["data", "dataset"], value: name)
  }

  public var key: String { path.joined(separator: ".") }
}

extension StudyOverride {
  /// `root` with this override applied; the path it changed, as the study's errors name it
  /// (`cells[1].settings.epochs`). The new nodes have no mark: an error about one has no line,
  /// and `Study.parse` names the flag instead.
  func apply(to root: Node) throws(StudyError) -> (node: Node, path: String) {
    let parsed: Node
    do {
      guard let node = try Yams.compose(yaml: value) else { throw error("expected a value after '='") }
      parsed = node
    } catch let failure as StudyError {
      throw failure
    } catch {
      throw self.error("the value is not valid YAML")
    }
    var resolved = ""
    let node = try replace(in: root, at: path[...], with: unmarked(parsed), resolved: &resolved)
    return (node, resolved)
  }

  private func error(_ message: String) -> StudyError {
    StudyError(file: flag, line: nil, key: key, message: message)
  }

  private func replace(in node: Node, at path: ArraySlice<String>, with value: Node, resolved: inout String)
    throws(StudyError) -> Node
  {
    guard let step = path.first else { return value }
    let rest = path.dropFirst()
    switch node {
    case .mapping(var mapping):
      resolved += resolved.isEmpty ? step : ".\(step)"
      let current = mapping[step] ?? .mapping(Node.Mapping([]))
      mapping[step] = try replace(in: current, at: rest, with: value, resolved: &resolved)
      return .mapping(mapping)
    case .sequence(var sequence):
      // A list of cells: the step is a cell's id.
      let ids = sequence.map { $0.mapping?["id"]?.string ?? "" }
      guard let index = ids.firstIndex(of: step) else {
        throw error(
          "no cell has the id '\(step)' (cells: \(ids.filter { !$0.isEmpty }.joined(separator: ", ")))")
      }
      resolved += "[\(index)]"
      sequence[index] = try replace(in: sequence[index], at: rest, with: value, resolved: &resolved)
      return .sequence(sequence)
    case .scalar, .alias:
      throw error("'\(resolved)' is a single value, not a mapping with a key '\(step)'")
    }
  }
}

/// `node` without positions in a file, all the way down.
private func unmarked(_ node: Node) -> Node {
  switch node {
  case .scalar(var scalar):
    scalar.mark = nil
    return .scalar(scalar)
  case .mapping(var mapping):
    mapping.mark = nil
    for index in mapping.indices {
      let (key, value) = mapping[index]
      mapping[index] = (unmarked(key), unmarked(value))
    }
    return .mapping(mapping)
  case .sequence(var sequence):
    sequence.mark = nil
    for index in sequence.indices { sequence[index] = unmarked(sequence[index]) }
    return .sequence(sequence)
  case .alias:
    return node
  }
}
