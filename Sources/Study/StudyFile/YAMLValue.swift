import Yams

/// A YAML node with where it is: its file, its path of keys and its line. Every accessor
/// checks the node's type and range and throws a `StudyError` that says what was expected.
struct YAMLValue {
  let node: Node
  let path: String
  let file: String

  var line: Int? { node.mark?.line }

  func error(_ message: String) -> StudyError {
    StudyError(file: file, line: line, key: path, message: message)
  }

  func child(_ key: String, _ node: Node) -> YAMLValue {
    YAMLValue(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file)
  }

  /// The entries of a mapping, in order; keys outside `allowed` are errors naming the
  /// allowed ones.
  func mapping(allowed: [String]? = nil) throws(StudyError) -> [(key: String, value: YAMLValue)] {
    guard let mapping = node.mapping else { throw error("expected a mapping of keys to values, found \(kind)") }
    var entries: [(String, YAMLValue)] = []
    var seen = Set<String>()
    for (keyNode, valueNode) in mapping {
      guard let key = keyNode.string else {
        throw YAMLValue(node: keyNode, path: path, file: file).error("expected a text key")
      }
      if let allowed, !allowed.contains(key) {
        throw YAMLValue(node: keyNode, path: child(key, valueNode).path, file: file).error(
          "unknown key '\(key)' (allowed: \(allowed.joined(separator: ", ")))")
      }
      if !seen.insert(key).inserted {
        throw YAMLValue(node: keyNode, path: child(key, valueNode).path, file: file).error("'\(key)' is given twice")
      }
      entries.append((key, child(key, valueNode)))
    }
    return entries
  }

  /// A string of at most `limit` characters (a Markdown text: longer ones are refused
  /// rather than parsed).
  func text(upTo limit: Int) throws(StudyError) -> String {
    let value = try string()
    guard value.count <= limit else {
      throw error("expected at most \(limit) characters of text, found \(value.count)")
    }
    return value
  }

  func list() throws(StudyError) -> [YAMLValue] {
    guard case .sequence(let sequence) = node else { throw error("expected a list, found \(kind)") }
    return sequence.enumerated().map { YAMLValue(node: $1, path: "\(path)[\($0)]", file: file) }
  }

  func string() throws(StudyError) -> String {
    guard case .scalar(let scalar) = node else { throw error("expected text, found \(kind)") }
    return scalar.string
  }

  func int(in range: ClosedRange<Int>) throws(StudyError) -> Int {
    guard let value = node.int, node.scalar != nil else { throw error("expected a whole number, found \(describe)") }
    guard range.contains(value) else { throw error("expected a whole number \(describe(range)), found \(value)") }
    return value
  }

  func double(in range: ClosedRange<Double>, open: Bool = false) throws(StudyError) -> Double {
    guard let value = node.float, node.scalar != nil, value.isFinite else {
      throw error("expected a number, found \(describe)")
    }
    guard range.contains(value), !(open && value == range.lowerBound) else {
      throw error("expected a number \(describe(range, open: open)), found \(value)")
    }
    return value
  }

  func bool() throws(StudyError) -> Bool {
    guard let value = node.bool, node.scalar != nil else { throw error("expected true or false, found \(describe)") }
    return value
  }

  /// One of a fixed set of names.
  func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type, what: String) throws(StudyError) -> T
  where T.RawValue == String {
    let text = try string()
    guard let value = T(rawValue: text) else {
      throw error("unknown \(what) '\(text)' (allowed: \(T.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return value
  }

  var kind: String {
    switch node {
    case .scalar(let s): return s.string.isEmpty ? "nothing" : "'\(s.string)'"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
  }

  var describe: String { kind }

  private func describe(_ range: ClosedRange<Int>) -> String {
    if range.upperBound == Int.max { return "of at least \(range.lowerBound)" }
    return "from \(range.lowerBound) to \(range.upperBound)"
  }

  private func describe(_ range: ClosedRange<Double>, open: Bool) -> String {
    let low = open ? "above \(range.lowerBound)" : "of at least \(range.lowerBound)"
    if range.upperBound == .greatestFiniteMagnitude { return low }
    return open ? "in (\(range.lowerBound), \(range.upperBound)]" : "in [\(range.lowerBound), \(range.upperBound)]"
  }
}

extension Node {
  var scalar: Node.Scalar? {
    if case .scalar(let s) = self { return s }
    return nil
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
