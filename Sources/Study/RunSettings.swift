import NN
import Tensor

/// Everything that defines one training run: the network, the optimizer and its schedule,
/// the batch size and the epochs. A study file sets these keys in `base`, a cell's
/// `settings`, a variant, or a search candidate, each overriding the one before.
public struct RunSettings: Codable, Hashable, Sendable {
  public enum OptimizerKind: String, Codable, Hashable, Sendable, CaseIterable {
    case sgd, momentum, nesterov, rmsprop, adam, adamw
  }

  /// Dropout after every hidden layer: one rate for all, or one per layer.
  public enum Dropout: Codable, Hashable, Sendable {
    case all(Double)
    case perLayer([Double])
  }

  public var hidden: [Int] = [512, 256, 128]
  public var activation: Activation = .relu
  public var dropout: Dropout = .perLayer([0.4, 0.3, 0.3])
  public var inputDropout: Double = 0
  public var batchNorm = false
  public var initializer: Initializer?
  public var optimizer: OptimizerKind = .adam
  public var learningRate = 5e-4
  /// Momentum of SGD with momentum or Nesterov (default 0.9), or of RMSprop (default 0).
  public var momentum: Double?
  public var weightDecay = 5e-5
  public var batchSize = 128
  public var epochs = 15
  public var schedule: ScheduleSettings = .none
  public var warmup: WarmupSettings?
  public var earlyStopping: EarlyStoppingSettings?

  public init() {}

  /// The dropout rate of each hidden layer.
  public var dropoutRates: [Double] {
    switch dropout {
    case .all(let rate): return Array(repeating: rate, count: hidden.count)
    case .perLayer(let rates): return rates
    }
  }

  /// The keys a settings mapping may hold.
  static let keys = [
    "hidden", "layers", "width", "activation", "dropout", "input_dropout", "batch_norm", "initializer", "optimizer",
    "learning_rate", "momentum", "weight_decay", "batch_size", "epochs", "schedule", "warmup", "early_stopping",
  ]

  /// Overrides the settings named in `mapping`, checking each value.
  mutating func apply(_ mapping: YAMLValue) throws(StudyError) {
    let entries = try mapping.mapping(allowed: Self.keys)
    let keys = Set(entries.map(\.key))
    if keys.contains("hidden") && (keys.contains("layers") || keys.contains("width")) {
      throw mapping.error("give either hidden (a list of widths) or layers and width, not both")
    }
    var layers: Int?
    var width: Int?
    for (key, value) in entries {
      switch key {
      case "hidden":
        let widths = try value.list()
        guard !widths.isEmpty else { throw value.error("expected at least one hidden layer") }
        hidden = try widths.map { v throws(StudyError) in try v.int(in: 1...8192) }
      case "layers": layers = try value.int(in: 1...16)
      case "width": width = try value.int(in: 1...8192)
      case "activation":
        let name = try value.string()
        guard let kind = Activation(rawValue: name), kind != .identity else {
          throw value.error("unknown activation '\(name)' (allowed: relu, tanh, sigmoid, gelu)")
        }
        activation = kind
      case "dropout":
        if case .sequence = value.node {
          dropout = .perLayer(try value.list().map { v throws(StudyError) in try v.double(in: 0...0.95) })
        } else {
          dropout = .all(try value.double(in: 0...0.95))
        }
      case "input_dropout": inputDropout = try value.double(in: 0...0.95)
      case "batch_norm": batchNorm = try value.bool()
      case "initializer":
        let name = try value.string()
        let names: [String: Initializer] = [
          "he_uniform": .heUniform, "he_normal": .heNormal, "glorot_uniform": .glorotUniform,
          "glorot_normal": .glorotNormal,
        ]
        guard let chosen = names[name] else {
          throw value.error("unknown initializer '\(name)' (allowed: \(names.keys.sorted().joined(separator: ", ")))")
        }
        initializer = chosen
      case "optimizer": optimizer = try value.choice(OptimizerKind.self, what: "optimizer")
      case "learning_rate": learningRate = try value.double(in: 0...10, open: true)
      case "momentum": momentum = try value.double(in: 0...0.999)
      case "weight_decay": weightDecay = try value.double(in: 0...1)
      case "batch_size": batchSize = try value.int(in: 1...65_536)
      case "epochs": epochs = try value.int(in: 1...10_000)
      case "schedule": schedule = try ScheduleSettings(value)
      case "warmup": warmup = try WarmupSettings.parse(value)
      case "early_stopping": earlyStopping = try EarlyStoppingSettings.parse(value)
      default: break
      }
    }
    if layers != nil || width != nil {
      let count = layers ?? hidden.count
      let size = width ?? hidden.first ?? 512
      hidden = Array(repeating: size, count: count)
    }
  }

  /// Checks what only the merged settings can show; `origin` words the error.
  func validated(at origin: YAMLValue) throws(StudyError) -> RunSettings {
    if case .perLayer(let rates) = dropout, rates.count != hidden.count {
      throw origin.error(
        "dropout has \(rates.count) rate\(rates.count == 1 ? "" : "s") for \(hidden.count) hidden layer\(hidden.count == 1 ? "" : "s"); give one rate per hidden layer, or a single number for all"
      )
    }
    if let warmup, warmup.epochs >= epochs {
      throw origin.error("warmup lasts \(warmup.epochs) epochs, expected fewer than the \(epochs) epochs of training")
    }
    return self
  }

  // MARK: Building the run

  /// The network: per hidden layer Dense (→ BatchNorm1d) → activation → Dropout, then the
  /// output layer; input dropout first when set.
  func makeModel(classes: Int) -> Sequential {
    let mlp = Sequential.mlp(
      hidden: hidden, classes: classes, activation: activation, dropout: dropoutRates.map { Float($0) },
      batchNorm: batchNorm, initializer: initializer)
    guard inputDropout > 0 else { return mlp }
    return Sequential([NN.Dropout(Float(inputDropout))] + mlp.layers)
  }

  func makeOptimizer() -> Optimizer {
    let lr = Float(learningRate)
    let decay = Float(weightDecay)
    switch optimizer {
    case .sgd: return SGD(learningRate: lr, weightDecay: decay)
    case .momentum: return SGD(learningRate: lr, momentum: Float(momentum ?? 0.9), weightDecay: decay)
    case .nesterov: return SGD(learningRate: lr, momentum: Float(momentum ?? 0.9), nesterov: true, weightDecay: decay)
    case .rmsprop: return RMSprop(learningRate: lr, momentum: Float(momentum ?? 0), weightDecay: decay)
    case .adam: return Adam(learningRate: lr, weightDecay: decay)
    case .adamw: return AdamW(learningRate: lr, weightDecay: decay)
    }
  }

  func makeSchedule() -> LearningRateSchedule? {
    let main = schedule.make(epochs: epochs)
    guard let warmup else { return main }
    return LinearWarmup(epochs: warmup.epochs, start: Float(warmup.start), then: main ?? ConstantRate())
  }

  /// Whether the first n epochs of a run are, bit for bit, a run of n epochs: true unless
  /// something depends on the total (a cosine schedule spanning all epochs, early stopping's
  /// restored weights).
  var trainsEpochByEpoch: Bool {
    if earlyStopping != nil { return false }
    if case .cosine(nil, _) = schedule { return false }
    return true
  }

  /// The number of trainable values of the network for `inputs` features and `classes`.
  func parameterCount(inputs: Int, classes: Int) -> Int {
    var count = 0
    var width = inputs
    for size in hidden {
      count += width * size + (batchNorm ? 2 * size : size)
      width = size
    }
    return count + width * classes + classes
  }

  /// Multiply-adds of one forward pass of one example: a yardstick of a run's cost.
  var multiplyAdds: Int {
    var total = 0
    var width = 784
    for size in hidden {
      total += width * size
      width = size
    }
    return total + width * 10
  }
}

/// A learning-rate schedule, stepped once per epoch (see the schedules of the NN module).
public enum ScheduleSettings: Codable, Hashable, Sendable {
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
      throw value.error("a schedule needs a kind (allowed: plateau, step, exponential, cosine)")
    }
    let kind = try kindValue.string()
    let allowed: [String]
    switch kind {
    case "plateau": allowed = ["kind", "factor", "patience", "threshold", "cooldown", "min_lr", "monitor"]
    case "step": allowed = ["kind", "step", "gamma"]
    case "exponential": allowed = ["kind", "gamma"]
    case "cosine": allowed = ["kind", "period", "min_lr"]
    default:
      throw kindValue.error("unknown schedule '\(kind)' (allowed: plateau, step, exponential, cosine)")
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
