#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Chooses the learning rate of each epoch, as PyTorch's `lr_scheduler` classes stepped once
/// per epoch. `rate(forEpoch:)` is called at the start of every epoch, with the record of the
/// epoch before (nil for the first).
public protocol LearningRateSchedule: AnyObject {
  func rate(forEpoch epoch: Int, base: Float, current: Float, previous: EpochRecord?) -> Float
}

/// The rate stays at its base value.
public final class ConstantRate: LearningRateSchedule {
  public init() {}
  public func rate(forEpoch epoch: Int, base: Float, current: Float, previous: EpochRecord?) -> Float { base }
}

/// `StepLR(step_size, gamma)`: base · γ^⌊epoch / step⌋.
public final class StepDecay: LearningRateSchedule {
  public let step: Int
  public let gamma: Float
  public init(step: Int, gamma: Float = 0.1) {
    precondition(step > 0, "StepLR needs a positive step")
    self.step = step
    self.gamma = gamma
  }
  public func rate(forEpoch epoch: Int, base: Float, current: Float, previous: EpochRecord?) -> Float {
    base * Float(pow(Double(gamma), Double(epoch / step)))
  }
}

/// `ExponentialLR(gamma)`: base · γ^epoch.
public final class ExponentialDecay: LearningRateSchedule {
  public let gamma: Float
  public init(gamma: Float) { self.gamma = gamma }
  public func rate(forEpoch epoch: Int, base: Float, current: Float, previous: EpochRecord?) -> Float {
    base * Float(pow(Double(gamma), Double(epoch)))
  }
}

/// `CosineAnnealingLR(T_max, eta_min)` in closed form:
/// η_min + (base − η_min) · (1 + cos(π · epoch / T_max)) / 2; like PyTorch's, it is periodic
/// and rises again after T_max epochs.
public final class CosineAnnealing: LearningRateSchedule {
  public let period: Int
  public let minimum: Float
  public init(period: Int, minimum: Float = 0) {
    precondition(period > 0, "cosine annealing needs a positive period")
    self.period = period
    self.minimum = minimum
  }
  public func rate(forEpoch epoch: Int, base: Float, current: Float, previous: EpochRecord?) -> Float {
    let progress = Double(epoch) / Double(period)
    return minimum + (base - minimum) * Float((1 + cos(Double.pi * progress)) / 2)
  }
}

/// Linear warm-up, as `LinearLR(start_factor, end_factor=1, total_iters=epochs)` chained
/// with another schedule (`SequentialLR`): the rate rises linearly from base · start to base
/// over `epochs` epochs, then `after` takes over, counting its epochs from the end of the
/// warm-up.
public final class LinearWarmup: LearningRateSchedule {
  public let epochs: Int
  public let start: Float
  public let after: LearningRateSchedule
  public init(epochs: Int, start: Float = 0.1, then after: LearningRateSchedule = ConstantRate()) {
    precondition(epochs > 0, "warm-up needs a positive number of epochs")
    self.epochs = epochs
    self.start = start
    self.after = after
  }
  public func rate(forEpoch epoch: Int, base: Float, current: Float, previous: EpochRecord?) -> Float {
    if epoch < epochs { return base * (start + (1 - start) * Float(epoch) / Float(epochs)) }
    return after.rate(
      forEpoch: epoch - epochs, base: base, current: current, previous: epoch == epochs ? nil : previous)
  }
}

/// Which way a monitored metric improves.
public enum MetricMode: String, Sendable, Codable {
  case min, max
}

/// The metrics an epoch record holds, by Keras's names.
public enum Metric: String, Sendable, Codable, CaseIterable {
  case loss, accuracy
  case validationLoss = "val_loss"
  case validationAccuracy = "val_accuracy"

  /// Loss improves downwards, accuracy upwards.
  public var naturalMode: MetricMode { self == .loss || self == .validationLoss ? .min : .max }

  public func value(in record: EpochRecord) -> Double? {
    switch self {
    case .loss: return record.trainLoss
    case .accuracy: return record.trainAccuracy
    case .validationLoss: return record.validationLoss
    case .validationAccuracy: return record.validationAccuracy
    }
  }
}

/// `ReduceLROnPlateau(mode, factor, patience, threshold, threshold_mode='rel', cooldown,
/// min_lr, eps=1e-8)` with PyTorch's rules: an epoch improves when its metric beats the best
/// by the relative threshold (`a < best·(1 − threshold)` in min mode, `a > best·(1 +
/// threshold)` in max mode); after more than `patience` epochs without improvement the rate
/// becomes max(rate · factor, min_lr) (ignored when the change is below eps), and `cooldown`
/// epochs follow in which bad epochs are not counted.
public final class ReduceOnPlateau: LearningRateSchedule {
  public let metric: Metric
  public let mode: MetricMode
  public let factor: Float
  public let patience: Int
  public let threshold: Double
  public let cooldown: Int
  public let minimum: Float
  private var best: Double
  private var badEpochs = 0
  private var cooldownLeft = 0
  /// The epochs (0-based) whose end lowered the rate.
  public private(set) var reductions: [Int] = []

  public init(
    metric: Metric = .validationLoss, mode: MetricMode? = nil, factor: Float = 0.1, patience: Int = 10,
    threshold: Double = 1e-4, cooldown: Int = 0, minimum: Float = 0
  ) {
    precondition(factor > 0 && factor < 1, "ReduceLROnPlateau needs a factor in (0, 1)")
    self.metric = metric
    self.mode = mode ?? metric.naturalMode
    self.factor = factor
    self.patience = patience
    self.threshold = threshold
    self.cooldown = cooldown
    self.minimum = minimum
    best = self.mode == .min ? .infinity : -.infinity
  }

  public func rate(forEpoch epoch: Int, base: Float, current: Float, previous: EpochRecord?) -> Float {
    guard let previous, let value = metric.value(in: previous) else { return epoch == 0 ? base : current }
    let better = mode == .min ? value < best * (1 - threshold) : value > best * (1 + threshold)
    if better {
      best = value
      badEpochs = 0
    } else {
      badEpochs += 1
    }
    if cooldownLeft > 0 {
      cooldownLeft -= 1
      badEpochs = 0
    }
    guard badEpochs > patience else { return current }
    cooldownLeft = cooldown
    badEpochs = 0
    let reduced = max(current * factor, minimum)
    guard current - reduced > 1e-8 else { return current }
    reductions.append(epoch - 1)
    return reduced
  }
}
