import NN

/// A learning-rate schedule, stepped once per epoch (see the schedules of the NN module).
/// Coded as the study file writes it: `{kind: plateau, factor: 0.5, …}`, `{kind: none}`.
public enum ScheduleSettings: Hashable, Sendable {
  case none
  case plateau(factor: Double, patience: Int, threshold: Double, cooldown: Int, minimum: Double, monitor: Metric)
  case step(step: Int, gamma: Double)
  case exponential(gamma: Double)
  case cosine(period: Int?, minimum: Double)

  init(_ value: YAMLValue) throws(StudyError) {
    if case .scalar = value.node {
      guard try value.string() == "none" else {
        throw value.error("expected none, or a mapping with kind: plateau, step, exponential or cosine")
      }
      self = .none
      return
    }
    let entries = try value.mapping()
    guard let kindValue = entries.first(where: { $0.key == "kind" })?.value else {
      throw value.error("a schedule needs a kind (allowed: none, plateau, step, exponential, cosine)")
    }
    let kind = try kindValue.string()
    let allowed: [String]
    switch kind {
    case "none":
      _ = try value.mapping(allowed: ["kind"])
      self = .none
      return
    case "plateau": allowed = ["kind", "factor", "patience", "threshold", "cooldown", "min_lr", "monitor"]
    case "step": allowed = ["kind", "step", "gamma"]
    case "exponential": allowed = ["kind", "gamma"]
    case "cosine": allowed = ["kind", "period", "min_lr"]
    default:
      throw kindValue.error("unknown schedule '\(kind)' (allowed: none, plateau, step, exponential, cosine)")
    }
    let fields = Dictionary(uniqueKeysWithValues: try value.mapping(allowed: allowed).map { ($0.key, $0.value) })
    switch kind {
    case "plateau":
      let monitor = try fields["monitor"].map { v throws(StudyError) in try v.choice(Metric.self, what: "metric") }
      self = .plateau(
        factor: try fields["factor"]?.double(in: 0...0.999, open: true) ?? 0.1,
        patience: try fields["patience"]?.int(in: 0...1000) ?? 10,
        threshold: try fields["threshold"]?.double(in: 0...1) ?? 1e-4,
        cooldown: try fields["cooldown"]?.int(in: 0...1000) ?? 0,
        minimum: try fields["min_lr"]?.double(in: 0...10) ?? 0, monitor: monitor ?? .validationLoss)
    case "step":
      guard let step = fields["step"] else { throw value.error("a step schedule needs step (epochs between decays)") }
      self = .step(step: try step.int(in: 1...10_000), gamma: try fields["gamma"]?.double(in: 0...1, open: true) ?? 0.1)
    case "exponential":
      guard let gamma = fields["gamma"] else { throw value.error("an exponential schedule needs gamma") }
      self = .exponential(gamma: try gamma.double(in: 0...1, open: true))
    default:
      self = .cosine(
        period: try fields["period"]?.int(in: 1...10_000), minimum: try fields["min_lr"]?.double(in: 0...10) ?? 0)
    }
  }

  func make(epochs: Int? = nil) -> LearningRateSchedule? {
    switch self {
    case .none: return nil
    case .plateau(let factor, let patience, let threshold, let cooldown, let minimum, let monitor):
      return ReduceOnPlateau(
        metric: monitor, factor: Float(factor), patience: patience, threshold: threshold, cooldown: cooldown,
        minimum: Float(minimum))
    case .step(let step, let gamma): return StepDecay(step: step, gamma: Float(gamma))
    case .exponential(let gamma): return ExponentialDecay(gamma: Float(gamma))
    case .cosine(let period, let minimum):
      return CosineAnnealing(period: period ?? epochs ?? 25, minimum: Float(minimum))
    }
  }
}

extension ScheduleSettings: Codable {
  enum CodingKeys: String, CodingKey {
    case kind, factor, patience, threshold, cooldown, monitor, step, gamma, period
    case minimum = "minLr"
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .none: try c.encode("none", forKey: .kind)
    case .plateau(let factor, let patience, let threshold, let cooldown, let minimum, let monitor):
      try c.encode("plateau", forKey: .kind)
      try c.encode(factor, forKey: .factor)
      try c.encode(patience, forKey: .patience)
      try c.encode(threshold, forKey: .threshold)
      try c.encode(cooldown, forKey: .cooldown)
      try c.encode(minimum, forKey: .minimum)
      try c.encode(monitor, forKey: .monitor)
    case .step(let step, let gamma):
      try c.encode("step", forKey: .kind)
      try c.encode(step, forKey: .step)
      try c.encode(gamma, forKey: .gamma)
    case .exponential(let gamma):
      try c.encode("exponential", forKey: .kind)
      try c.encode(gamma, forKey: .gamma)
    case .cosine(let period, let minimum):
      try c.encode("cosine", forKey: .kind)
      try c.encodeIfPresent(period, forKey: .period)
      try c.encode(minimum, forKey: .minimum)
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(String.self, forKey: .kind) {
    case "none": self = .none
    case "plateau":
      self = .plateau(
        factor: try c.decode(Double.self, forKey: .factor), patience: try c.decode(Int.self, forKey: .patience),
        threshold: try c.decode(Double.self, forKey: .threshold), cooldown: try c.decode(Int.self, forKey: .cooldown),
        minimum: try c.decode(Double.self, forKey: .minimum), monitor: try c.decode(Metric.self, forKey: .monitor))
    case "step":
      self = .step(step: try c.decode(Int.self, forKey: .step), gamma: try c.decode(Double.self, forKey: .gamma))
    case "exponential": self = .exponential(gamma: try c.decode(Double.self, forKey: .gamma))
    case "cosine":
      self = .cosine(
        period: try c.decodeIfPresent(Int.self, forKey: .period), minimum: try c.decode(Double.self, forKey: .minimum))
    case let kind:
      throw DecodingError.dataCorruptedError(
        forKey: .kind, in: c,
        debugDescription: "unknown schedule '\(kind)' (expected none, plateau, step, exponential, cosine)")
    }
  }
}

/// A linear warm-up of the learning rate before the schedule.
public struct WarmupSettings: Codable, Hashable, Sendable {
  public var epochs: Int
  public var start: Double

  static func parse(_ value: YAMLValue) throws(StudyError) -> WarmupSettings? {
    if case .scalar = value.node, try value.string() == "none" { return nil }
    let fields = Dictionary(
      uniqueKeysWithValues: try value.mapping(allowed: ["epochs", "start"]).map { ($0.key, $0.value) })
    guard let epochs = fields["epochs"] else { throw value.error("a warm-up needs epochs") }
    return WarmupSettings(
      epochs: try epochs.int(in: 1...1000), start: try fields["start"]?.double(in: 0...1, open: true) ?? 0.1)
  }
}

/// Early stopping (see `EarlyStopping`).
public struct EarlyStoppingSettings: Codable, Hashable, Sendable {
  public var monitor: Metric
  public var patience: Int
  public var minDelta: Double
  public var restoreBest: Bool

  static func parse(_ value: YAMLValue) throws(StudyError) -> EarlyStoppingSettings? {
    if case .scalar = value.node, try value.string() == "none" { return nil }
    let fields = Dictionary(
      uniqueKeysWithValues: try value.mapping(allowed: ["monitor", "patience", "min_delta", "restore_best"]).map {
        ($0.key, $0.value)
      })
    return EarlyStoppingSettings(
      monitor: try fields["monitor"].map { v throws(StudyError) in try v.choice(Metric.self, what: "metric") }
        ?? .validationLoss,
      patience: try fields["patience"]?.int(in: 0...1000) ?? 5,
      minDelta: try fields["min_delta"]?.double(in: 0...1) ?? 0,
      restoreBest: try fields["restore_best"]?.bool() ?? true)
  }

  func make() -> EarlyStopping {
    EarlyStopping(metric: monitor, minDelta: minDelta, patience: patience, restoreBest: restoreBest)
  }
}
