import Data
import NN
import Study

/// How training settings read in tables and sentences.
enum SettingsText {
  /// The layer widths from the input to the classes: `784-512-256-128-10`.
  static func architecture(_ s: RunSettings, _ shape: DataShape) -> String {
    ([shape.features] + s.hidden + [shape.classes]).map(String.init).joined(separator: "-")
  }

  static func activation(_ s: RunSettings) -> String {
    switch s.activation {
    case .relu: return "ReLU"
    case .gelu: return "GELU"
    case .identity, .tanh, .sigmoid: return s.activation.rawValue
    }
  }

  static func initializer(_ s: RunSettings) -> String {
    switch s.initializer {
    case .heUniform?: return "He uniform"
    case .heNormal?: return "He normal"
    case .glorotUniform?: return "Glorot uniform"
    case .glorotNormal?: return "Glorot normal"
    case nil: return "the activation's default"
    }
  }

  static func dropout(_ s: RunSettings) -> String {
    let rates = s.dropoutRates
    guard rates.contains(where: { $0 > 0 }) else { return "none" }
    if Set(rates).count == 1 { return Format.number(rates[0], decimals: 2) }
    return rates.map { Format.number($0, decimals: 2) }.joined(separator: "/")
  }

  static func optimizer(_ s: RunSettings) -> String {
    switch s.optimizer {
    case .sgd: return "SGD"
    case .momentum: return "SGD + momentum \(Format.number(s.momentum ?? 0.9, decimals: 3))"
    case .nesterov: return "Nesterov \(Format.number(s.momentum ?? 0.9, decimals: 3))"
    case .rmsprop: return "RMSprop"
    case .adam: return "Adam"
    case .adamw: return "AdamW"
    }
  }

  static func schedule(_ s: RunSettings) -> String {
    var text: String
    switch s.schedule {
    case .none: text = "constant"
    case .plateau(let factor, let patience, _, _, _, let monitor):
      text = "ReduceLROnPlateau(\(monitor.rawValue), factor \(Format.number(factor)), patience \(patience))"
    case .step(let step, let gamma): text = "×\(Format.number(gamma)) every \(step) epochs"
    case .exponential(let gamma): text = "×\(Format.number(gamma, decimals: 4)) per epoch"
    case .cosine(let period, let minimum):
      text =
        "cosine over \(period.map { "\($0)" } ?? "all") epochs" + (minimum > 0 ? " to \(Format.scale(minimum))" : "")
    }
    if let warmup = s.warmup { text = "warm-up \(warmup.epochs) epochs, then " + text }
    return text
  }

  static func earlyStopping(_ s: RunSettings) -> String { earlyStopping(s.earlyStopping) }

  static func earlyStopping(_ e: EarlyStoppingSettings?) -> String {
    guard let e else { return "none" }
    return "on \(e.monitor.rawValue), patience \(e.patience)" + (e.restoreBest ? ", restoring the best epoch" : "")
  }

  /// One line: `784-512-256-128-10 ReLU, dropout 0.4/0.3/0.3, Adam 5e-4, batch 128`; without
  /// the layer widths when a figure varies them.
  static func summary(_ s: RunSettings, _ shape: DataShape, network: Bool = true) -> String {
    var parts = [network ? "\(architecture(s, shape)) \(activation(s))" : activation(s)]
    let dropout = dropout(s)
    if dropout != "none" { parts.append("dropout \(dropout)") }
    if s.inputDropout > 0 { parts.append("input dropout \(Format.number(s.inputDropout, decimals: 2))") }
    if s.batchNorm { parts.append("batch norm") }
    parts.append("\(optimizer(s)) \(Format.scale(s.learningRate))")
    if s.weightDecay > 0 { parts.append("weight decay \(Format.scale(s.weightDecay))") }
    parts.append("batch \(s.batchSize)")
    return parts.joined(separator: ", ")
  }

  /// The hyperparameters as a two-column table.
  static func table(_ s: RunSettings, _ shape: DataShape, caption: String, parameters: Int? = nil) -> TableView {
    var table = TableBuilder(caption, columns: [("Setting", .left), ("Value", .left)])
    table.add(["Network", architecture(s, shape)])
    if let parameters { table.add(["Parameters", Format.count(parameters)]) }
    table.add(["Activation", activation(s)])
    table.add(["Dropout", dropout(s)])
    if s.inputDropout > 0 { table.add(["Input dropout", Format.number(s.inputDropout, decimals: 2)]) }
    table.add(["Batch normalization", s.batchNorm ? "yes" : "no"])
    table.add(["Optimizer", optimizer(s)])
    table.add(["Learning rate", Format.scale(s.learningRate)])
    table.add(["Weight decay", s.weightDecay > 0 ? Format.scale(s.weightDecay) : "none"])
    table.add(["Learning-rate schedule", schedule(s)])
    table.add(["Batch size", "\(s.batchSize)"])
    table.add(["Epochs", "\(s.epochs)"])
    table.add(["Early stopping", earlyStopping(s)])
    return table.table
  }
}

extension SettingsText {
  /// What `variant` changes from `base`, in words, one phrase per changed key (see
  /// `RunSettings.changedKeys`).
  static func changes(from base: RunSettings, to variant: RunSettings, _ shape: DataShape) -> [String] {
    base.changedKeys(to: variant).map { phrase($0, variant, shape) }
  }

  /// `key`'s value in `s`, as a phrase: "batch size 128", "no weight decay".
  static func phrase(_ key: SettingKey, _ s: RunSettings, _ shape: DataShape) -> String {
    switch key {
    case .hidden, .layers, .width: return "network \(architecture(s, shape))"
    case .activation: return activation(s)
    case .dropout: return "dropout \(dropout(s))"
    case .inputDropout: return "input dropout \(Format.number(s.inputDropout, decimals: 2))"
    case .batchNorm: return s.batchNorm ? "batch normalization" : "no batch normalization"
    case .initializer: return "initializer \(initializer(s))"
    case .optimizer, .momentum: return optimizer(s)
    case .learningRate: return "learning rate \(Format.scale(s.learningRate))"
    case .weightDecay: return s.weightDecay > 0 ? "weight decay \(Format.scale(s.weightDecay))" : "no weight decay"
    case .batchSize: return "batch size \(s.batchSize)"
    case .epochs: return "\(s.epochs) epochs"
    case .schedule, .warmup: return "schedule: \(schedule(s))"
    case .earlyStopping: return "early stopping \(earlyStopping(s))"
    }
  }

}
