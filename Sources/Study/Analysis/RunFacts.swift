import NN
import Statistics

/// What one training run shows: where validation accuracy peaked, whether the validation
/// loss turned back up, the train-validation gap, the schedule's cuts and the test result.
public struct RunFacts: Sendable, Equatable {
  /// The epoch whose loss became NaN or infinite, when the run diverged (nothing else holds).
  public let divergedEpoch: Int?
  /// The best validation accuracy and its epoch (the first on ties); nil without validation.
  public let best: EpochValue?
  /// Epochs trained.
  public let epochs: Int
  /// Set when the validation loss bottomed out more than `lateLossEpochs` before the end.
  public let lossTurn: LossTurn?
  /// The last epoch's training minus validation accuracy.
  public let gap: Double?
  /// How the schedule lowered the learning rate, when it did.
  public let rateCuts: RateCuts?
  /// The test evaluation, for a tested run.
  public let test: TestFacts?

  /// The validation loss was lowest in `epoch` and ended higher: later epochs grew more
  /// confident without getting more images right.
  public struct LossTurn: Sendable, Equatable {
    public let epoch: Int
    public let lowest: Double
    public let final: Double
  }

  public struct RateCuts: Sendable, Equatable {
    public let count: Int
    /// The epoch after which the rate first went down.
    public let firstAfter: Int
    public let finalRate: Double
  }

  /// A minimum of the validation loss this many epochs or fewer before the end is noise, not
  /// a turn: a plateau wobbles by an epoch or two.
  public static let lateLossEpochs = 2

  public init(_ run: RunRecord) {
    let epochs = run.history.epochs
    self.epochs = epochs.count
    if case .diverged(let epoch, _) = run.history.stopReason {
      divergedEpoch = epoch
      (best, lossTurn, gap, rateCuts, test) = (nil, nil, nil, nil, nil)
      return
    }
    divergedEpoch = nil
    best = run.bestEpoch.flatMap { e in e.validationAccuracy.map { EpochValue(epoch: e.epoch, value: $0) } }
    let last = epochs.last
    var turn: LossTurn?
    if let last, let lastLoss = last.validationLoss,
      let lowest = epochs.filter({ $0.validationLoss != nil }).min(by: { $0.validationLoss! < $1.validationLoss! }),
      lowest.epoch < last.epoch - Self.lateLossEpochs
    {
      turn = LossTurn(epoch: lowest.epoch, lowest: lowest.validationLoss!, final: lastLoss)
    }
    lossTurn = turn
    gap = last.flatMap { l in l.validationAccuracy.map { l.trainAccuracy - $0 } }
    let rates = epochs.map(\.learningRate)
    let cuts = zip(rates, rates.dropFirst()).filter { $1 < $0 }.count
    if cuts > 0, let first = zip(epochs, epochs.dropFirst()).first(where: { $1.learningRate < $0.learningRate }),
      let final = rates.last
    {
      rateCuts = RateCuts(count: cuts, firstAfter: first.0.epoch, finalRate: final)
    } else {
      rateCuts = nil
    }
    test = run.test.map(TestFacts.init)
  }
}

/// A value at an epoch (the best validation accuracy, say).
public struct EpochValue: Sendable, Equatable {
  public let epoch: Int
  public let value: Double
}

/// A model's result on the test set.
public struct TestFacts: Sendable, Equatable {
  public let accuracy: Double
  public let loss: Double
  public let images: Int
  public let errors: Int

  init(accuracy: Double, loss: Double, images: Int, errors: Int) {
    (self.accuracy, self.loss, self.images, self.errors) = (accuracy, loss, images, errors)
  }

  public init(_ test: TestEvaluation) {
    accuracy = test.accuracy
    loss = test.loss
    images = test.confusion.total
    errors = test.confusion.total - test.confusion.correct
  }
}

/// A run's numbers over its repeats: the spread of the best validation accuracy and, for a
/// tested run, of the test accuracy and loss.
public struct RepeatedRunFacts: Sendable, Equatable, Encodable {
  public let n: Int
  public let best: Spread
  public let finalLoss: Spread
  public let testAccuracy: Spread?
  public let testLoss: Spread?

  enum CodingKeys: String, CodingKey {
    case n
    case best = "best_val_accuracy"
    case finalLoss = "final_val_loss"
    case testAccuracy = "test_accuracy"
    case testLoss = "test_loss"
  }

  public init(_ named: NamedRun) {
    let runs = named.all
    n = runs.count
    best = Spread(runs.map(\.bestValidationAccuracy).filter(\.isFinite))
    finalLoss = Spread(runs.compactMap(\.validationLoss).filter(\.isFinite))
    let tests = runs.compactMap(\.test)
    testAccuracy = tests.isEmpty ? nil : Spread(tests.map(\.accuracy))
    testLoss = tests.isEmpty ? nil : Spread(tests.map(\.loss))
  }
}

/// A quantity per epoch over repeated runs: its spread (mean, sd, …) over the runs that
/// reached the epoch, finite values only; a mean of nothing is NaN.
public func epochSpreads(_ runs: [RunRecord], _ value: (EpochRecord) -> Double?) -> [Spread] {
  let length = runs.map(\.history.epochs.count).max() ?? 0
  return (0..<length).map { e in
    Spread(runs.compactMap { e < $0.history.epochs.count ? value($0.history.epochs[e]) : nil }.filter(\.isFinite))
  }
}
