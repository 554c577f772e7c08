/// How a search cell searches, and how it draws each parameter of its space, as the study
/// file writes them (`method: halving`, `{log_uniform: [0.0005, 0.003]}`).
public enum SearchMethod: String, Sendable, Codable, CaseIterable {
  /// Every candidate trains for the full epochs on every fold.
  case random
  /// Successive halving: all candidates train briefly, the best 1/factor go on with
  /// factor times the epochs, and so on.
  case halving
  /// Hyperband (Li et al., JMLR 2018): brackets of successive halving that start at
  /// different budgets, from many candidates on few epochs to a few on the full epochs,
  /// each bracket with candidates of its own.
  case hyperband
}

/// How a parameter is drawn.
public enum Distribution: Sendable, Hashable {
  case choice([SettingValue])
  case uniform(Double, Double)
  case logUniform(Double, Double)
  case integers(Int, Int)

  public var description: String {
    switch self {
    case .choice(let values): return "one of " + values.map(\.description).joined(separator: ", ")
    case .uniform(let a, let b): return "uniform on [\(a), \(b)]"
    case .logUniform(let a, let b): return "log-uniform on [\(a), \(b)]"
    case .integers(let a, let b): return "an integer from \(a) to \(b)"
    }
  }

  /// Whether values drawn from it are numbers spread over a range (not a list of
  /// choices), and on which scale.
  public var range: RangeScale? {
    switch self {
    case .choice: return nil
    case .uniform, .integers: return .linear
    case .logUniform: return .log
    }
  }
}

/// How a range is drawn from.
public enum RangeScale: Sendable {
  case linear, log
}

/// A distribution as the study file writes it: `{log_uniform: [0.0005, 0.003]}`,
/// `{choice: [[512, 256], [512, 512]]}`.
extension Distribution: Codable {
  enum CodingKeys: String, CodingKey {
    case choice, uniform, logUniform
    case integers = "intUniform"
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .choice(let values): try c.encode(values, forKey: .choice)
    case .uniform(let a, let b): try c.encode([a, b], forKey: .uniform)
    case .logUniform(let a, let b): try c.encode([a, b], forKey: .logUniform)
    case .integers(let a, let b): try c.encode([a, b], forKey: .integers)
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    guard c.allKeys.count == 1, let key = c.allKeys.first else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: c.codingPath, debugDescription: "expected one of choice, uniform, log_uniform, int_uniform"))
    }
    func pair<T: Decodable>(_ type: T.Type) throws -> (T, T) {
      let values = try c.decode([T].self, forKey: key)
      guard values.count == 2 else {
        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected [low, high]")
      }
      return (values[0], values[1])
    }
    switch key {
    case .choice: self = .choice(try c.decode([SettingValue].self, forKey: key))
    case .uniform:
      let (a, b) = try pair(Double.self)
      self = .uniform(a, b)
    case .logUniform:
      let (a, b) = try pair(Double.self)
      self = .logUniform(a, b)
    case .integers:
      let (a, b) = try pair(Int.self)
      self = .integers(a, b)
    }
  }
}
