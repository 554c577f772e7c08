/// What one epoch of training measured.
public struct EpochRecord: Sendable, Codable, Equatable {
  /// 1 for the first epoch.
  public var epoch: Int
  /// Mean loss and accuracy over the epoch's training batches, in training mode (dropout on),
  /// as Keras and PyTorch scripts usually report them.
  public var trainLoss: Double
  public var trainAccuracy: Double
  /// Loss and accuracy on the validation set after the epoch, in evaluation mode.
  public var validationLoss: Double?
  public var validationAccuracy: Double?
  /// The learning rate used during the epoch.
  public var learningRate: Double
  /// Wall time of the epoch, validation included.
  public var seconds: Double

  /// The run CSVs' column names, Keras's `val_` prefix (`valLoss`: a snake_case key strategy,
  /// as mnist-report's coders use, writes `val_loss`).
  enum CodingKeys: String, CodingKey {
    case epoch, trainLoss, trainAccuracy, learningRate, seconds
    case validationLoss = "valLoss"
    case validationAccuracy = "valAccuracy"
  }

  public init(
    epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double?, validationAccuracy: Double?,
    learningRate: Double, seconds: Double
  ) {
    self.epoch = epoch
    self.trainLoss = trainLoss
    self.trainAccuracy = trainAccuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.learningRate = learningRate
    self.seconds = seconds
  }
}

/// Keras's `EarlyStopping(monitor, min_delta, patience, mode, restore_best_weights)`: an
/// epoch improves when its metric beats the best by more than `minDelta` (less for a loss,
/// more for an accuracy); training stops once `patience` epochs in a row have not improved.
/// With `restoreBest`, the weights of the best epoch are put back whenever training ends,
/// whether it stopped early or ran all its epochs.
public struct EarlyStopping: Sendable {
  public let metric: Metric
  public let mode: MetricMode
  public let minDelta: Double
  public let patience: Int
  public let restoreBest: Bool

  public init(
    metric: Metric = .validationLoss, minDelta: Double = 0, patience: Int = 5, mode: MetricMode? = nil,
    restoreBest: Bool = true
  ) {
    self.metric = metric
    self.mode = mode ?? metric.naturalMode
    self.minDelta = abs(minDelta)
    self.patience = patience
    self.restoreBest = restoreBest
  }

  /// Whether `value` improves on `best`.
  public func improves(_ value: Double, on best: Double?) -> Bool {
    guard let best else { return true }
    return mode == .min ? value + minDelta < best : value - minDelta > best
  }
}

/// Why training ended. Coded as an object with named fields: `{"reason": "early_stopped",
/// "epoch": 12}`.
public enum StopReason: Sendable, Equatable {
  /// All the requested epochs ran.
  case completed
  /// Early stopping ended training after this epoch (1-based).
  case earlyStopped(epoch: Int)
  /// The loss became NaN or infinite at this epoch (1-based) and batch (0-based).
  case diverged(epoch: Int, batch: Int)
  /// The caller asked to stop.
  case cancelled
}

/// The record of a training run.
public struct History: Sendable, Codable {
  public var epochs: [EpochRecord] = []
  public var stopReason: StopReason = .completed
  /// The epoch (1-based) whose weights the model holds at the end: the best one when early
  /// stopping restored it, else the last.
  public var restoredEpoch: Int?

  public init() {}
}

extension StopReason: Codable {
  enum CodingKeys: String, CodingKey {
    case reason, epoch, batch
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .completed: try c.encode("completed", forKey: .reason)
    case .earlyStopped(let epoch):
      try c.encode("early_stopped", forKey: .reason)
      try c.encode(epoch, forKey: .epoch)
    case .diverged(let epoch, let batch):
      try c.encode("diverged", forKey: .reason)
      try c.encode(epoch, forKey: .epoch)
      try c.encode(batch, forKey: .batch)
    case .cancelled: try c.encode("cancelled", forKey: .reason)
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(String.self, forKey: .reason) {
    case "completed": self = .completed
    case "early_stopped": self = .earlyStopped(epoch: try c.decode(Int.self, forKey: .epoch))
    case "diverged":
      self = .diverged(epoch: try c.decode(Int.self, forKey: .epoch), batch: try c.decode(Int.self, forKey: .batch))
    case "cancelled": self = .cancelled
    case let reason:
      throw DecodingError.dataCorruptedError(
        forKey: .reason, in: c,
        debugDescription: "unknown stop reason '\(reason)' (expected completed, early_stopped, diverged, cancelled)")
    }
  }
}
