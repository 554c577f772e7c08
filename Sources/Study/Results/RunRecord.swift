import Foundation
import NN

/// What one training run produced: its settings, its epochs, and (for a final run) its test
/// evaluation. The unit of the cache.
public struct RunRecord: Codable, Sendable {
  public enum Status: String, Codable, Sendable {
    case completed
    case earlyStopped = "early_stopped"
    case diverged
  }

  public var key: String
  public var settings: RunSettings
  public var data: TrainingData
  public var history: History
  public var status: Status
  /// Wall time of the run.
  public var seconds: Double
  public var parameterCount: Int
  /// Validation metrics of the weights the run ended with (the restored best epoch when
  /// early stopping restored one).
  public var validationLoss: Double?
  public var validationAccuracy: Double?
  /// The weights the run ended with evaluated without dropout on a fixed sample of its
  /// training part (`StudyData.trainingSample`), as Keras's `evaluate` would: the training
  /// side of the train-validation gap. Nil for a run read off a longer one (its weights were
  /// never kept) and in records from before this was kept.
  public var trainEvaluation: Evaluation?
  /// Evaluation on the test set, for final runs.
  public var test: TestEvaluation?
  /// The cell whose build trained the run, where its seconds were measured (nil in records
  /// from before this was kept).
  public var timedIn: String?
  /// Set when this record was read off the first epochs of a longer run: its seconds are
  /// that run's.
  public var readOff: Bool?
  /// Where the run trained: host, kernels and threads (nil in records from before this was
  /// kept).
  public var trainedOn: Machine?

  /// Keras's and the run CSVs' names for the validation metrics (`val_accuracy`).
  enum CodingKeys: String, CodingKey {
    case key, settings, data, history, status, seconds, test, parameterCount, timedIn, readOff, trainedOn
    case trainEvaluation
    case validationLoss = "valLoss"
    case validationAccuracy = "valAccuracy"
  }

  /// Whether the run's seconds were measured by `cell`'s own build, as its peers' were
  /// (and it has epochs to time).
  public func timed(in cell: String) -> Bool {
    readOff != true && (timedIn == nil || timedIn == cell) && !history.epochs.isEmpty
  }

  /// The best epoch's validation accuracy; NaN when the run has none.
  public var bestValidationAccuracy: Double { bestEpoch?.validationAccuracy ?? .nan }

  /// The wall time of its epochs, validation included: the run's training time.
  public var epochSeconds: Double { history.epochs.reduce(0) { $0 + $1.seconds } }

  /// The mean wall time of an epoch, validation included (0 without epochs).
  public var secondsPerEpoch: Double { epochSeconds / Double(max(history.epochs.count, 1)) }

  public var epochs: Int { history.epochs.count }

  /// The record a run of the same settings would have left after `count` epochs, read off
  /// this longer one: training is deterministic and, for settings that train epoch by epoch,
  /// nothing in the first epochs depends on how many follow. Nil when this run cannot tell
  /// (it stopped early or was cut short before `count` epochs for another reason).
  func prefix(_ count: Int, key: String) -> RunRecord? {
    var record = self
    record.key = key
    record.settings.epochs = count
    record.test = nil
    record.trainEvaluation = nil
    record.readOff = true
    if case .diverged(let epoch, _) = history.stopReason, epoch <= count {
      return record  // the shorter run diverges in the same batch
    }
    guard count >= 1, history.epochs.count >= count, status != .earlyStopped else { return nil }
    record.history.epochs = Array(history.epochs.prefix(count))
    record.history.stopReason = .completed
    record.history.restoredEpoch = count
    record.status = .completed
    record.validationLoss = record.history.epochs[count - 1].validationLoss
    record.validationAccuracy = record.history.epochs[count - 1].validationAccuracy
    record.seconds = record.epochSeconds
    return record
  }

  /// The epoch with the best validation accuracy (first on ties).
  public var bestEpoch: EpochRecord? {
    history.epochs.max { ($0.validationAccuracy ?? 0) < ($1.validationAccuracy ?? 0) }
  }
}

/// A model's loss and accuracy on a set of images, and how many.
public struct Evaluation: Codable, Sendable, Equatable {
  public var loss: Double
  public var accuracy: Double
  public var images: Int

  public init(loss: Double, accuracy: Double, images: Int) {
    (self.loss, self.accuracy, self.images) = (loss, accuracy, images)
  }
}
