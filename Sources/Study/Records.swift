import Foundation
import Metrics
import NN

/// Which examples a run trains and validates on.
public enum TrainingData: Codable, Hashable, Sendable {
  /// The training split, validated on the validation split.
  case split
  /// The training split without fold `fold` of `folds` (stratified), validated on that fold.
  case fold(Int, of: Int)
}

/// What one training run produced: its settings, its epochs, and (for a final run) its test
/// evaluation. The unit of the cache.
public struct RunRecord: Codable, Sendable {
  public enum Status: String, Codable, Sendable {
    case completed
    case earlyStopped = "early-stopped"
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
  /// Evaluation on the test set, for final runs.
  public var test: TestEvaluation?

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
    record.seconds = record.history.epochs.reduce(0) { $0 + $1.seconds }
    return record
  }

  /// The epoch with the best validation accuracy (first on ties).
  public var bestEpoch: EpochRecord? {
    history.epochs.max { ($0.validationAccuracy ?? 0) < ($1.validationAccuracy ?? 0) }
  }
}

/// A model evaluated once on the test set.
public struct TestEvaluation: Codable, Sendable {
  public var loss: Double
  public var accuracy: Double
  public var confusion: ConfusionMatrix
  public var report: ClassificationReport
  public var mistakes: [Mistake]
  /// The images of `mistakes`, in the same order.
  public var mistakeImages: [StoredImage]
  /// Softmax probabilities, `count × classes` Float32 values, base64 of little-endian bytes;
  /// kept in the cache, left out of results.json (predictions.csv has them).
  public var probabilities: String?

  public func decodedProbabilities() -> [Float] {
    guard let probabilities, let data = Base64.decode(probabilities) else { return [] }
    return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
  }
}

/// An image kept in the results (a sample digit, a mistake): its position in its file and
/// its pixels, one byte each (0–255), base64.
public struct StoredImage: Codable, Sendable {
  public var index: Int
  public var pixels: String

  public init(index: Int, pixels: [Float]) {
    self.index = index
    self.pixels = Data(pixels.map { UInt8(($0 * 255).rounded().clamped(0, 255)) }).base64EncodedString()
  }

  /// The pixels in [0, 1].
  public var values: [Float] {
    guard let data = Data(base64Encoded: pixels) else { return [] }
    return data.map { Float($0) / 255 }
  }
}

extension Float {
  fileprivate func clamped(_ low: Float, _ high: Float) -> Float { Swift.min(Swift.max(self, low), high) }
}

/// How a cell ended in a build.
public enum CellStatus: String, Codable, Sendable {
  /// Computed in this build.
  case ran
  /// Read from the cache: nothing in its key changed.
  case cached
  /// It could not be computed; `error` says why.
  case failed
  /// A run's loss became NaN or infinite.
  case diverged
  /// Not part of this build (`--only` another cell) and not in the cache.
  case skipped
}

/// A named run of a cell (a variant, a grid point, the baseline).
public struct NamedRun: Codable, Sendable {
  public var name: String
  public var run: RunRecord
}

/// The data cell's summary.
public struct DataSummary: Codable, Sendable {
  public var dataset: String
  public var directory: String
  public var files: [FileDigest]
  public var rows: Int
  public var columns: Int
  public var classNames: [String]
  public var trainCount: Int, validationCount: Int, testCount: Int
  /// Images per class in the training, validation and test parts.
  public var trainClasses: [Int], validationClasses: [Int], testClasses: [Int]
  /// The training part's pixel statistics before normalization.
  public var pixelMean: Double, pixelStd: Double
  public var normalization: String
  /// Sample training images: their class and pixels in [0, 1].
  public var samples: [SampleImage]
}

public struct FileDigest: Codable, Sendable {
  public var file: String
  public var sha256: String
  public var bytes: Int
  public var verified: Bool
}

/// A training image shown by the data cell, with its class.
public struct SampleImage: Codable, Sendable {
  public var label: Int
  public var image: StoredImage
}

/// A grid cell's results: validation accuracy and parameter count per point.
public struct GridResult: Codable, Sendable {
  public var rowKey: String
  public var rowValues: [String]
  public var columnKey: String
  public var columnValues: [String]
  /// Row-major, the best validation accuracy of each point's run.
  public var accuracy: [[Double]]
  public var parameters: [[Int]]
  public var seconds: [[Double]]
}

/// One candidate of a search: its parameters, scores per fold, and rank.
public struct SearchCandidateResult: Codable, Sendable {
  public var index: Int
  public var parameters: [String: String]
  /// Validation accuracy on each fold, at the last round the candidate reached.
  public var foldScores: [Double]
  public var meanScore: Double
  public var stdScore: Double
  public var rank: Int
  public var meanFitSeconds: Double
  public var stdFitSeconds: Double
  /// Epochs per fold at the candidate's last round.
  public var epochs: Int
  /// The halving round the candidate reached (0-based); 0 for a random search.
  public var round: Int
}

/// A search cell's results, in RandomizedSearchCV's terms.
public struct SearchResult: Codable, Sendable {
  public var method: SearchSpecification.Method
  public var folds: Int
  /// Parameter names and how each was drawn.
  public var space: [String: String]
  public var candidates: [SearchCandidateResult]
  /// The index of the best candidate (rank 1; the first one on ties).
  public var bestIndex: Int
  /// Halving's rounds: candidates and epochs per fold.
  public var rounds: [SearchRound]
  /// Fold-epochs trained in all (the cost of the search).
  public var foldEpochs: Int
  /// What a full random search of the same candidates would have trained, for comparison.
  public var fullSearchFoldEpochs: Int
}

public struct SearchRound: Codable, Sendable {
  public var candidates: Int
  public var epochs: Int
}

/// A cell as computed: its status, how long it took, and the results of its kind.
public struct CellResult: Codable, Sendable {
  public var id: String
  public var kind: Cell.Kind
  public var title: String
  public var status: CellStatus
  /// Time to compute it (when cached: how long it took when it ran).
  public var seconds: Double
  public var key: String
  /// The cell's settings (for cells that train).
  public var settings: RunSettings?
  public var data: DataSummary?
  public var runs: [NamedRun] = []
  public var grid: GridResult?
  public var search: SearchResult?
  /// The final cell's best candidate parameters and test run.
  public var candidateParameters: [String: String]?
  public var error: String?

  /// Epochs trained by this cell's runs (each fold's epochs counted).
  public var epochsTrained: Int
  /// Runs read from the cache instead of trained.
  public var cachedRuns: Int
  /// Epochs trained in the build that computed the cell (its cached runs not counted).
  public var epochsTrainedNow = 0
}
