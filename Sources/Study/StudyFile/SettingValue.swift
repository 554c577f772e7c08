import Foundation
import Yams

/// A setting's value as the study file writes it: a whole number, a number, true or false,
/// text, or a list of these. What a search draws and a grid's axes hold; results.json writes
/// it as the JSON value it is (`0.0006614477`, `[512, 512]`, `"adam"`), at full precision.
public enum SettingValue: Sendable, Hashable, CustomStringConvertible {
  case integer(Int)
  case number(Double)
  case bool(Bool)
  case text(String)
  case list([SettingValue])

  /// The value of a YAML node, read as the settings read it (`YAMLValue`'s accessors), so
  /// that a drawn number is the very number its run trained with.
  init(_ node: Node) {
    switch node {
    case .sequence(let items): self = .list(items.map(SettingValue.init))
    case .scalar(let scalar):
      if let int = node.int {
        self = .integer(int)
      } else if let number = node.float, number.isFinite {
        self = .number(number)
      } else if let bool = node.bool {
        self = .bool(bool)
      } else {
        self = .text(scalar.string)
      }
    default: self = .text(node.string ?? "")
    }
  }

  /// The value for a table or a sentence: numbers that are not whole to three significant
  /// digits (`0.000661`), lists inline (`[512, 256]`).
  public var description: String {
    switch self {
    case .integer(let value): return String(value)
    case .number(let value): return String(format: "%.3g", value)
    case .bool(let value): return value ? "true" : "false"
    case .text(let value): return value
    case .list(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
    }
  }

  /// The value as a number, when it is one (an axis of a scatter plot).
  public var number: Double? {
    switch self {
    case .integer(let value): return Double(value)
    case .number(let value): return value
    case .bool, .text, .list: return nil
    }
  }
}

extension SettingValue: Codable {
  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let value = try? c.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? c.decode(Int.self) {
      self = .integer(value)
    } else if let value = try? c.decode(Double.self) {
      self = .number(value)
    } else if let value = try? c.decode(String.self) {
      self = .text(value)
    } else {
      self = .list(try c.decode([SettingValue].self))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .integer(let value): try c.encode(value)
    case .number(let value): try c.encode(value)
    case .bool(let value): try c.encode(value)
    case .text(let value): try c.encode(value)
    case .list(let values): try c.encode(values)
    }
  }
}
