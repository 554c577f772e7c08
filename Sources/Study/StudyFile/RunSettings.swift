import Data
import NN
import Statistics
import Tensor

/// Everything that defines one training run: the network, the optimizer and its schedule,
/// the batch size and the epochs. A study file sets these keys in `base`, a cell's
/// `settings`, a variant, or a search candidate, each overriding the one before.
public struct RunSettings: Codable, Hashable, Sendable {
  public enum OptimizerKind: String, Codable, Hashable, Sendable, CaseIterable {
    case sgd, momentum, nesterov, rmsprop, adam, adamw
  }

  /// Dropout after every hidden layer: one rate for all, or one per layer. Coded as the study
  /// file writes it: a number, or a list of numbers.
  public enum Dropout: Codable, Hashable, Sendable {
    case all(Double)
    case perLayer([Double])

    public init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let rate = try? c.decode(Double.self) {
        self = .all(rate)
      } else {
        self = .perLayer(try c.decode([Double].self))
      }
    }

    public func encode(to encoder: Encoder) throws {
      var c = encoder.singleValueContainer()
      switch self {
      case .all(let rate): try c.encode(rate)
      case .perLayer(let rates): try c.encode(rates)
      }
    }
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

  /// The reference network: a PyTorch study's 784-512-256-128-10 MLP with ReLU, dropout
  /// 0.4/0.3/0.3, Adam at 5e-4 with weight decay 5e-5, batches of 128, 15 epochs. A study
  /// file's `base` starts from it, and `mnist-report bench` times it.
  public init() {}

  /// The reference network (see `init()`): the one definition the study and the benchmark
  /// share.
  public static let reference = RunSettings()

  /// The dropout rate of each hidden layer.
  public var dropoutRates: [Double] {
    switch dropout {
    case .all(let rate): return Array(repeating: rate, count: hidden.count)
    case .perLayer(let rates): return rates
    }
  }

  /// The keys a settings mapping may hold.
  static let keys = SettingKey.allCases.map(\.rawValue)

  /// Overrides the settings named in `mapping`, checking each value.
  mutating func apply(_ mapping: YAMLValue) throws(StudyError) {
    let entries = try mapping.mapping(allowed: Self.keys)
    let keys = Set(entries.map(\.key))
    if keys.contains("hidden") && (keys.contains("layers") || keys.contains("width")) {
      throw mapping.error("give either hidden (a list of widths) or layers and width, not both")
    }
    var layers: Int?
    var width: Int?
    for (name, value) in entries {
      guard let key = SettingKey(rawValue: name) else { continue }  // `mapping(allowed:)` checked it
      switch key {
      case .hidden:
        let widths = try value.list()
        guard !widths.isEmpty else { throw value.error("expected at least one hidden layer") }
        hidden = try widths.map { v throws(StudyError) in try v.int(in: 1...8192) }
      case .layers: layers = try value.int(in: 1...16)
      case .width: width = try value.int(in: 1...8192)
      case .activation:
        let name = try value.string()
        guard let kind = Activation(rawValue: name), kind != .identity else {
          throw value.error("unknown activation '\(name)' (allowed: relu, tanh, sigmoid, gelu)")
        }
        activation = kind
      case .dropout:
        if case .sequence = value.node {
          dropout = .perLayer(try value.list().map { v throws(StudyError) in try v.double(in: 0...0.95) })
        } else {
          dropout = .all(try value.double(in: 0...0.95))
        }
      case .inputDropout: inputDropout = try value.double(in: 0...0.95)
      case .batchNorm: batchNorm = try value.bool()
      case .initializer:
        initializer = try value.choice(Initializer.self, what: "initializer")
      case .optimizer: optimizer = try value.choice(OptimizerKind.self, what: "optimizer")
      case .learningRate: learningRate = try value.double(in: 0...10, open: true)
      case .momentum: momentum = try value.double(in: 0...0.999)
      case .weightDecay: weightDecay = try value.double(in: 0...1)
      case .batchSize: batchSize = try value.int(in: 1...65_536)
      case .epochs: epochs = try value.int(in: 1...10_000)
      case .schedule: schedule = try ScheduleSettings(value)
      case .warmup: warmup = try WarmupSettings.parse(value)
      case .earlyStopping: earlyStopping = try EarlyStoppingSettings.parse(value)
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
  public func makeModel(classes: Int) -> Sequential {
    let mlp = Sequential.mlp(
      hidden: hidden, classes: classes, activation: activation, dropout: dropoutRates.map { Float($0) },
      batchNorm: batchNorm, initializer: initializer)
    guard inputDropout > 0 else { return mlp }
    return Sequential([NN.Dropout(Float(inputDropout))] + mlp.layers)
  }

  public func makeOptimizer() -> Optimizer {
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

  public func makeSchedule() -> LearningRateSchedule? {
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

  /// The rows of a training batch over `examples` images: the batch size, or the whole
  /// split when it holds fewer (PyTorch's DataLoader gives one batch of the split), so that
  /// buffers follow the work and not the setting.
  public func batchRows(examples: Int) -> Int { max(1, min(batchSize, examples)) }

  /// The rows of an evaluation pass (`Trainer.evaluationBatch`'s default).
  static let evaluationRows = 1000

  /// What training the network holds in memory, in bytes, on `examples` training images:
  /// weights, gradients and up to two optimizer moments per parameter, and the buffers of a
  /// batch (input, and per layer its output, pre-activation, dropout mask and gradient),
  /// which hold the larger of a training batch and an evaluation pass (`Trainer`'s 1000 rows).
  func estimatedBytes(_ shape: DataShape, examples: Int) -> Double {
    let parameters = Double(parameterCount(shape))
    let widths = Double(hidden.reduce(0, +))
    let rows = Double(max(batchRows(examples: examples), Self.evaluationRows))
    let activations = rows * (Double(shape.features) + 4 * widths + 2 * Double(shape.classes))
    return 4 * (4 * parameters + activations)
  }

  /// The number of trainable values of the network for data of `shape`.
  public func parameterCount(_ shape: DataShape) -> Int {
    var count = 0
    var width = shape.features
    for size in hidden {
      count += width * size + (batchNorm ? 2 * size : size)
      width = size
    }
    return count + width * shape.classes + shape.classes
  }

  /// Multiply-adds of one forward pass of one example of `shape`: a yardstick of a run's
  /// cost.
  public func multiplyAdds(_ shape: DataShape) -> Int {
    var total = 0
    var width = shape.features
    for size in hidden {
      total += width * size
      width = size
    }
    return total + width * shape.classes
  }
}

/// A key of a settings mapping, as the study file spells it.
public enum SettingKey: String, CaseIterable, Codable, CodingKeyRepresentable, Comparable, Sendable {
  case hidden, layers, width, activation, dropout
  case inputDropout = "input_dropout"
  case batchNorm = "batch_norm"
  case initializer, optimizer
  case learningRate = "learning_rate"
  case momentum
  case weightDecay = "weight_decay"
  case batchSize = "batch_size"
  case epochs, schedule, warmup
  case earlyStopping = "early_stopping"

  public static func < (a: SettingKey, b: SettingKey) -> Bool { a.rawValue < b.rawValue }

  /// A key of a JSON object of settings (the parameters of a search's candidate): its name,
  /// or the camelCase a snake_case key strategy reads it as (`learningRate`).
  public init?<T: CodingKey>(codingKey: T) {
    guard
      let key = SettingKey(rawValue: codingKey.stringValue) ?? SettingKey(rawValue: snakeCase(codingKey.stringValue))
    else { return nil }
    self = key
  }

  /// The key in words, for axes and table headers: `layers` → "hidden layers".
  public var label: String {
    switch self {
    case .layers: return "hidden layers"
    case .width: return "neurons per layer"
    default: return rawValue.replacingOccurrences(of: "_", with: " ")
    }
  }
}

extension RunSettings {
  /// Whether runs of these settings and of `other`'s, repeat by repeat, draw the same random
  /// numbers: the same layers in the same places (each layer's initial weights and dropout
  /// masks come from a stream numbered by its place; a dropout of 0 or batch normalization
  /// adds or removes layers) and the same batch size (the order of the batches). Such runs
  /// are compared pair by pair; others by their means.
  public func sharesRandomNumbers(with other: RunSettings) -> Bool {
    hidden == other.hidden && batchNorm == other.batchNorm && batchSize == other.batchSize
      && (inputDropout > 0) == (other.inputDropout > 0)
      && dropoutRates.map { $0 > 0 } == other.dropoutRates.map { $0 > 0 }
  }

  /// The keys whose values differ in `variant`, in the study file's order (a momentum
  /// change counts as the optimizer's, a warm-up's as the schedule's).
  public func changedKeys(to variant: RunSettings) -> [SettingKey] {
    var keys: [SettingKey] = []
    if hidden != variant.hidden { keys.append(.hidden) }
    if activation != variant.activation { keys.append(.activation) }
    if dropoutRates != variant.dropoutRates { keys.append(.dropout) }
    if inputDropout != variant.inputDropout { keys.append(.inputDropout) }
    if batchNorm != variant.batchNorm { keys.append(.batchNorm) }
    if initializer != variant.initializer { keys.append(.initializer) }
    if optimizer != variant.optimizer || momentum != variant.momentum { keys.append(.optimizer) }
    if learningRate != variant.learningRate { keys.append(.learningRate) }
    if weightDecay != variant.weightDecay { keys.append(.weightDecay) }
    if batchSize != variant.batchSize { keys.append(.batchSize) }
    if epochs != variant.epochs { keys.append(.epochs) }
    if schedule != variant.schedule || warmup != variant.warmup { keys.append(.schedule) }
    if earlyStopping != variant.earlyStopping { keys.append(.earlyStopping) }
    return keys
  }

  /// Whether nothing regularizes the network: no dropout, batch normalization or weight
  /// decay.
  public var isUnregularized: Bool {
    !dropoutRates.contains { $0 > 0 } && !batchNorm && weightDecay == 0 && inputDropout == 0
  }
}

/// The design of a comparison of runs of `a`'s settings with runs of `b`'s, `counts` of
/// each: paired when they draw the same random numbers repeat by repeat
/// (`RunSettings.sharesRandomNumbers`) and are as many, else unpaired (nil settings: unpaired).
func design(_ a: RunSettings?, _ b: RunSettings?, counts: (Int, Int)) -> Design {
  guard let a, let b, a.sharesRandomNumbers(with: b), counts.0 == counts.1 else { return .unpaired }
  return .paired
}
