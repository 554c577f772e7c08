import Foundation

/// A JSON value, as a JSON Schema validator sees it.
public indirect enum JSONValue: Decodable, Equatable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let value = try? c.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? c.decode(Double.self) {
      self = .number(value)
    } else if let value = try? c.decode(String.self) {
      self = .string(value)
    } else if let value = try? c.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  public static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

  var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "boolean"
    case .number(let n): return n.rounded() == n ? "integer" : "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }

  subscript(key: String) -> JSONValue? {
    if case .object(let fields) = self { return fields[key] }
    return nil
  }
}

/// The subset of JSON Schema 2020-12 that `schemas/results.schema.json` uses: `type`,
/// `properties`, `required`, `additionalProperties`, `patternProperties`, `propertyNames`,
/// `items`, `minItems`, `maxItems`, `enum`, `const`, `$ref` (to `#/$defs/…`), `anyOf`, `oneOf`,
/// `allOf`, `if`/`then`, `minimum`, `maximum`, `exclusiveMinimum` and `pattern`. A keyword it
/// does not know is an error, so that the schema cannot say more than is checked. The
/// Python `jsonschema` package agrees with it on the published results
/// (scripts/check_results_schema.py).
public struct JSONSchema: Sendable {
  let root: JSONValue

  static let keywords: Set<String> = [
    "$schema", "$id", "title", "description", "type", "properties", "required", "additionalProperties",
    "patternProperties", "propertyNames", "items", "minItems", "maxItems", "enum", "const", "$ref", "$defs",
    "anyOf", "oneOf", "allOf", "if", "then", "minimum", "maximum", "exclusiveMinimum", "pattern",
  ]

  public init(_ data: Data) throws { root = try JSONValue.parse(data) }

  /// The schema of results.json in this checkout.
  public static func results(packageRoot: String) throws -> JSONSchema {
    try JSONSchema(Data(contentsOf: URL(fileURLWithPath: packageRoot + "/schemas/results.schema.json")))
  }

  /// Every way `value` breaks the schema, each with its path (`cells[3].runs[0].repeats`).
  public func violations(_ value: JSONValue) -> [String] {
    var found: [String] = []
    check(value, against: root, at: "", into: &found)
    return found
  }

  /// The violations of a JSON file, or why it could not be read.
  public func violations(ofFile path: String) -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { return ["\(path): missing"] }
    do { return violations(try JSONValue.parse(data)) } catch { return ["\(path): not JSON (\(error))"] }
  }

  private func resolve(_ reference: String) -> JSONValue? {
    guard reference.hasPrefix("#/") else { return nil }
    var node: JSONValue? = root
    for step in reference.dropFirst(2).split(separator: "/") { node = node?[String(step)] }
    return node
  }

  private func check(_ value: JSONValue, against schema: JSONValue, at path: String, into found: inout [String]) {
    guard case .object(let rules) = schema else {
      if schema == .bool(false) { found.append("\(path): not allowed") }
      return
    }
    let at = path.isEmpty ? "(top)" : path
    for key in rules.keys where !Self.keywords.contains(key) { found.append("schema keyword '\(key)' not supported") }
    if case .string(let reference)? = rules["$ref"] {
      if let target = resolve(reference) {
        check(value, against: target, at: path, into: &found)
      } else {
        found.append("\(at): unresolved $ref \(reference)")
      }
    }
    if let type = rules["type"] {
      let allowed: [String]
      switch type {
      case .string(let name): allowed = [name]
      case .array(let names): allowed = names.compactMap { if case .string(let n) = $0 { n } else { nil } }
      default: allowed = []
      }
      let actual = value.typeName
      let ok = allowed.contains(actual) || (actual == "integer" && allowed.contains("number"))
      if !ok { found.append("\(at): expected \(allowed.joined(separator: " or ")), found \(actual)") }
    }
    if case .array(let options)? = rules["enum"], !options.contains(value) {
      found.append("\(at): \(describe(value)) is not one of \(options.map(describe).joined(separator: ", "))")
    }
    if let constant = rules["const"], constant != value {
      found.append("\(at): expected \(describe(constant)), found \(describe(value))")
    }
    if case .number(let n) = value {
      if case .number(let low)? = rules["minimum"], n < low { found.append("\(at): \(n) < minimum \(low)") }
      if case .number(let high)? = rules["maximum"], n > high { found.append("\(at): \(n) > maximum \(high)") }
      if case .number(let low)? = rules["exclusiveMinimum"], n <= low { found.append("\(at): \(n) ≤ \(low)") }
    }
    if case .string(let text) = value, case .string(let pattern)? = rules["pattern"], !matches(text, pattern) {
      found.append("\(at): '\(text)' does not match \(pattern)")
    }
    if case .array(let items) = value {
      if case .number(let least)? = rules["minItems"], Double(items.count) < least {
        found.append("\(at): \(items.count) items, expected at least \(Int(least))")
      }
      if case .number(let most)? = rules["maxItems"], Double(items.count) > most {
        found.append("\(at): \(items.count) items, expected at most \(Int(most))")
      }
      if let itemSchema = rules["items"] {
        for (i, item) in items.enumerated() { check(item, against: itemSchema, at: "\(path)[\(i)]", into: &found) }
      }
    }
    if case .object(let fields) = value { checkObject(fields, rules, path, at, &found) }
    if case .array(let all)? = rules["allOf"] {
      for sub in all { check(value, against: sub, at: path, into: &found) }
    }
    if case .array(let any)? = rules["anyOf"] {
      let results = any.map { sub -> [String] in
        var inner: [String] = []
        check(value, against: sub, at: path, into: &inner)
        return inner
      }
      if !results.contains(where: \.isEmpty) {
        found.append("\(at): matches none of anyOf (\(results.map { $0.first ?? "" }.joined(separator: "; ")))")
      }
    }
    if case .array(let one)? = rules["oneOf"] {
      let results = one.map { sub -> [String] in
        var inner: [String] = []
        check(value, against: sub, at: path, into: &inner)
        return inner
      }
      let passing = results.filter(\.isEmpty).count
      if passing != 1 {
        found.append(
          "\(at): matches \(passing) of oneOf, expected 1 (\(results.map { $0.first ?? "ok" }.joined(separator: "; ")))"
        )
      }
    }
    if let condition = rules["if"] {
      var inner: [String] = []
      check(value, against: condition, at: path, into: &inner)
      if inner.isEmpty, let then = rules["then"] { check(value, against: then, at: path, into: &found) }
    }
  }

  private func checkObject(
    _ fields: [String: JSONValue], _ rules: [String: JSONValue], _ path: String, _ at: String, _ found: inout [String]
  ) {
    if case .array(let required)? = rules["required"] {
      for case .string(let name) in required where fields[name] == nil { found.append("\(at): missing '\(name)'") }
    }
    var properties: [String: JSONValue] = [:]
    if case .object(let declared)? = rules["properties"] { properties = declared }
    var patterns: [String: JSONValue] = [:]
    if case .object(let declared)? = rules["patternProperties"] { patterns = declared }
    for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
      let child = path.isEmpty ? name : "\(path).\(name)"
      if let names = rules["propertyNames"] { check(.string(name), against: names, at: "\(child) (key)", into: &found) }
      var matched = false
      if let schema = properties[name] {
        matched = true
        check(field, against: schema, at: child, into: &found)
      }
      for (pattern, schema) in patterns where matches(name, pattern) {
        matched = true
        check(field, against: schema, at: child, into: &found)
      }
      if !matched, let additional = rules["additionalProperties"] {
        if additional == .bool(false) {
          found.append("\(at): unexpected key '\(name)'")
        } else {
          check(field, against: additional, at: child, into: &found)
        }
      }
    }
  }

  private func matches(_ text: String, _ pattern: String) -> Bool {
    text.range(of: pattern, options: .regularExpression) != nil
  }

  private func describe(_ value: JSONValue) -> String {
    switch value {
    case .string(let s): return "'\(s)'"
    case .number(let n): return n.rounded() == n && abs(n) < 1e15 ? String(Int(n)) : String(n)
    case .bool(let b): return String(b)
    case .null: return "null"
    case .array: return "a list"
    case .object: return "an object"
    }
  }
}

/// The ways the results file at `path` breaks `schemas/results.schema.json`.
public func resultsSchemaViolations(ofFile path: String) -> [String] {
  guard let schema = ResultsSchema.shared else { return ["schemas/results.schema.json: cannot be read"] }
  return schema.violations(ofFile: path)
}

private enum ResultsSchema {
  static let shared: JSONSchema? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    return try? JSONSchema.results(packageRoot: root.path)
  }()
}
