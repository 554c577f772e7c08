import NN
import Study

/// How training settings read in tables and sentences.
enum SettingsText {
  static func architecture(_ s: RunSettings, inputs: Int = 784, classes: Int = 10) -> String {
    ([inputs] + s.hidden + [classes]).map(String.init).joined(separator: "-")
  }

  static func activation(_ s: RunSettings) -> String {
    switch s.activation.rawValue {
    case "relu": return "ReLU"
    case "gelu": return "GELU"
    default: return s.activation.rawValue
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

  static func earlyStopping(_ s: RunSettings) -> String {
    guard let e = s.earlyStopping else { return "none" }
    return "on \(e.monitor.rawValue), patience \(e.patience)" + (e.restoreBest ? ", restoring the best epoch" : "")
  }

  /// One line: `784-512-256-128-10 ReLU, dropout 0.4/0.3/0.3, Adam 5e-4, batch 128`; without
  /// the layer widths when a figure varies them.
  static func summary(_ s: RunSettings, network: Bool = true) -> String {
    var parts = [network ? "\(architecture(s)) \(activation(s))" : activation(s)]
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
  static func table(_ s: RunSettings, caption: String, parameters: Int? = nil) -> TableView {
    var table = TableBuilder(caption, columns: [("Setting", .left), ("Value", .left)])
    table.add(["Network", architecture(s)])
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
  /// The settings `variant` changes from `base`, by study-file key, each with its new value
  /// in words.
  static func changes(from base: RunSettings, to variant: RunSettings) -> [(key: String, text: String)] {
    var changes: [(String, String)] = []
    if base.hidden != variant.hidden { changes.append(("hidden", "network \(architecture(variant))")) }
    if base.activation != variant.activation { changes.append(("activation", activation(variant))) }
    if base.dropoutRates != variant.dropoutRates { changes.append(("dropout", "dropout \(dropout(variant))")) }
    if base.inputDropout != variant.inputDropout {
      changes.append(("input_dropout", "input dropout \(Format.number(variant.inputDropout, decimals: 2))"))
    }
    if base.batchNorm != variant.batchNorm {
      changes.append(("batch_norm", variant.batchNorm ? "batch normalization" : "no batch normalization"))
    }
    if base.optimizer != variant.optimizer || base.momentum != variant.momentum {
      changes.append(("optimizer", optimizer(variant)))
    }
    if base.learningRate != variant.learningRate {
      changes.append(("learning_rate", "learning rate \(Format.scale(variant.learningRate))"))
    }
    if base.weightDecay != variant.weightDecay {
      changes.append(
        (
          "weight_decay",
          variant.weightDecay > 0 ? "weight decay \(Format.scale(variant.weightDecay))" : "no weight decay"
        ))
    }
    if base.batchSize != variant.batchSize { changes.append(("batch_size", "batch size \(variant.batchSize)")) }
    if base.epochs != variant.epochs { changes.append(("epochs", "\(variant.epochs) epochs")) }
    if base.schedule != variant.schedule || base.warmup != variant.warmup {
      changes.append(("schedule", "schedule: \(schedule(variant))"))
    }
    if base.earlyStopping != variant.earlyStopping {
      changes.append(("early_stopping", "early stopping \(earlyStopping(variant))"))
    }
    return changes
  }
}
