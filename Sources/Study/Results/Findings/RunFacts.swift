import Metrics
import Statistics

/// What one training run shows: where validation accuracy peaked, whether the validation
/// loss turned back up, the train-validation gap, the schedule's cuts, its time and the test
/// result. Computed by the analysis (`RunFacts.init(_:)`).
public struct RunFacts: Codable, Sendable, Equatable {
  /// The epoch whose loss became NaN or infinite, when the run diverged (only the epochs,
  /// the gap and the times hold then).
  public let divergedEpoch: Int?
  /// The best validation accuracy and its epoch (the first on ties); nil without validation.
  public let best: EpochValue?
  /// Epochs trained.
  public let epochs: Int
  /// Set when the validation loss bottomed out more than `lateLossEpochs` before the end.
  public let lossTurn: LossTurn?
  /// The weights the run kept (the last epoch's, or the best one early stopping restored):
  /// every number of them is of one epoch.
  public let kept: KeptWeights?
  /// How the schedule lowered the learning rate, when it did.
  public let rateCuts: RateCuts?
  /// The test evaluation, for a tested run.
  public let test: TestFacts?
  /// Wall time of its epochs, and per epoch (validation included).
  public let trainingSeconds: Double
  public let secondsPerEpoch: Double

  /// The weights a run ended with, evaluated: on the validation part, and without dropout on
  /// a sample of the training part as large, so that the gap between the two is the
  /// network's, not dropout's.
  public struct KeptWeights: Codable, Sendable, Equatable {
    /// The epoch they are from.
    public let epoch: Int
    /// Whether early stopping restored them (from before the last epoch).
    public let restored: Bool
    public let validationAccuracy: Double
    public let validationLoss: Double?
    /// On the training sample (nil for a run read off a longer one).
    public let trainAccuracy: Double?
    /// `trainAccuracy − validationAccuracy`.
    public let gap: Double?
  }

  /// The validation loss was lowest in `epoch` and ended higher: later epochs grew more
  /// confident without getting more images right.
  public struct LossTurn: Codable, Sendable, Equatable {
    public let epoch: Int
    public let lowest: Double
    public let final: Double
  }

  public struct RateCuts: Codable, Sendable, Equatable {
    public let count: Int
    /// The epoch after which the rate first went down.
    public let firstAfter: Int
    public let finalRate: Double
  }

  /// A minimum of the validation loss this many epochs or fewer before the end is noise, not
  /// a turn: a plateau wobbles by an epoch or two.
  public static let lateLossEpochs = 2
}

/// A value at an epoch (the best validation accuracy, say).
public struct EpochValue: Codable, Sendable, Equatable {
  public let epoch: Int
  public let value: Double
}

/// A model's result on the test set.
public struct TestFacts: Codable, Sendable, Equatable {
  public let accuracy: Double
  public let loss: Double
  public let images: Int
  public let errors: Int
}

/// A run's numbers over its repeats: the spread of the best validation accuracy and, for a
/// tested run, of the test accuracy and loss.
public struct RepeatedRunFacts: Codable, Sendable, Equatable {
  public let n: Int
  public let best: Spread
  public let finalLoss: Spread
  public let testAccuracy: Spread?
  public let testLoss: Spread?

  /// The names of a run's `summary` in results.json: `best_val_accuracy`, `final_val_loss`.
  enum CodingKeys: String, CodingKey {
    case n, testAccuracy, testLoss
    case best = "bestValAccuracy"
    case finalLoss = "finalValLoss"
  }
}

/// Curves over repeated runs, epoch by epoch: for each quantity, its mean and sample
/// standard deviation over the runs that reached the epoch (NaN where there is no value, or
/// no spread with one).
public struct EpochCurves: Codable, Sendable, Equatable {
  /// How many runs: the repeats.
  public let runs: Int
  public let epochs: [Int]
  /// How many of the runs reached each epoch.
  public let reached: [Int]
  public let trainLoss: Curve
  public let trainAccuracy: Curve
  public let validationLoss: Curve
  public let validationAccuracy: Curve
  /// Where the mean validation curves are best: the highest accuracy and the lowest loss,
  /// with their epochs (the first on a tie; nil without a finite value).
  public let highestValidationAccuracy: EpochValue?
  public let lowestValidationLoss: EpochValue?

  public struct Curve: Codable, Sendable, Equatable {
    public let mean: [Double]
    public let sd: [Double]
  }
}

/// What a train or final cell shows: its run (repeat 0), the run over its repeats, the mean
/// curves, and, for a tested run, its test result over the repeats.
public struct TrainFacts: Codable, Sendable {
  /// Repeat 0.
  public let run: RunFacts
  public let repeats: RepeatedRunFacts
  public let curves: EpochCurves
  public let tested: TestedModelFacts?
  /// How many of the repeats' schedules lowered the learning rate at least once.
  public let rateCutRepeats: Int
}

/// What a tested model shows: its test result (over its repeats), the epoch it kept, the
/// hardest and easiest classes, and the commonest confusions (of repeat 0).
public struct TestedModelFacts: Codable, Sendable, Equatable {
  /// Repeat 0's test result.
  public let test: TestFacts
  /// Test accuracy and loss over every repeat.
  public let accuracy: Spread
  public let loss: Spread
  /// The epoch whose weights the model kept, when early stopping restored one.
  public let restoredEpoch: Int?
  public let epochs: Int
  /// The classes with the lowest and highest F1-score.
  public let hardest: ClassScore?
  public let easiest: ClassScore?
  /// The most frequent (true, predicted) mistakes, most frequent first.
  public let confusions: [Confusion]
  /// Every repeat's confusion matrix added up, and its most frequent mistakes: what the
  /// model does over its seeds, not one seed's (nil with one repeat).
  public let pooled: ConfusionMatrix?
  public let pooledConfusions: [Confusion]?

  public struct ClassScore: Codable, Sendable, Equatable {
    public let name: String
    public let f1: Double
  }

  public struct Confusion: Codable, Sendable, Equatable {
    public let actual: String
    public let predicted: String
    public let count: Int
    /// A pooled confusion's count in each repeat, in order (nil for one repeat's).
    public var perRepeat: [Int]? = nil
  }

  /// Confusions listed: the three commonest carry most of a good model's mistakes, and more
  /// would not read as a sentence.
  public static let confusionsShown = 3
}
