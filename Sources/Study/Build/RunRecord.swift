import Foundation
import Metrics
import NN

/// Which examples a run trains and validates on. Coded as an object with named fields:
/// `{"kind": "split"}`, `{"kind": "fold", "fold": 0, "folds": 3}` (folds numbered from 0, as
/// `split0_test_score`), `{"kind": "resampled", "repeat": 2}`.
public enum TrainingData: Hashable, Sendable {
  /// The training split, validated on the validation split.
  case split
  /// The training split without fold `fold` of `folds` (stratified), validated on that fold.
  case fold(Int, of: Int)
  /// A split of its own for repeat r ≥ 1 of a resampled cell: the training file split
  /// again, stratified, from a stream derived from the seed and r.
  case resampled(Int)
}

extension TrainingData: Codable {
  enum CodingKeys: String, CodingKey {
    case kind, fold, folds
    case repeatIndex = "repeat"
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .split: try c.encode("split", forKey: .kind)
    case .fold(let fold, let folds):
      try c.encode("fold", forKey: .kind)
      try c.encode(fold, forKey: .fold)
      try c.encode(folds, forKey: .folds)
    case .resampled(let r):
      try c.encode("resampled", forKey: .kind)
      try c.encode(r, forKey: .repeatIndex)
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(String.self, forKey: .kind) {
    case "split": self = .split
    case "fold": self = .fold(try c.decode(Int.self, forKey: .fold), of: try c.decode(Int.self, forKey: .folds))
    case "resampled": self = .resampled(try c.decode(Int.self, forKey: .repeatIndex))
    case let kind:
      throw DecodingError.dataCorruptedError(
        forKey: .kind, in: c, debugDescription: "unknown training data '\(kind)' (expected split, fold, resampled)")
    }
  }
}

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

  /// The names of the study file and the run CSVs (`val_accuracy`).
  enum CodingKeys: String, CodingKey {
    case key, settings, data, history, status, seconds, test
    case parameterCount = "parameter_count"
    case validationLoss = "val_loss"
    case validationAccuracy = "val_accuracy"
    case timedIn = "timed_in"
    case readOff = "read_off"
    case trainedOn = "trained_on"
  }

  /// Whether the run's seconds were measured by `cell`'s own build, as its peers' were
  /// (and it has epochs to time).
  public func timed(in cell: String) -> Bool {
    readOff != true && (timedIn == nil || timedIn == cell) && !history.epochs.isEmpty
  }

  /// The best epoch's validation accuracy; NaN when the run has none.
  public var bestValidationAccuracy: Double { bestEpoch?.validationAccuracy ?? .nan }

  /// The mean wall time of an epoch, validation included (0 without epochs).
  public var secondsPerEpoch: Double {
    history.epochs.reduce(0) { $0 + $1.seconds } / Double(max(history.epochs.count, 1))
  }

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
    record.seconds = record.history.epochs.reduce(0) { $0 + $1.seconds }
    return record
  }

  /// The epoch with the best validation accuracy (first on ties).
  public var bestEpoch: EpochRecord? {
    history.epochs.max { ($0.validationAccuracy ?? 0) < ($1.validationAccuracy ?? 0) }
  }
}

/// The machine a run trained on, as its record keeps it.
public struct Machine: Codable, Hashable, Sendable {
  public var host: String
  /// The kernel set that ran the arithmetic (`avx512`, `avx2`, `baseline`).
  public var kernels: String
  public var threads: Int

  public init(host: String, kernels: String, threads: Int) {
    self.host = host
    self.kernels = kernels
    self.threads = threads
  }
}

/// What a run's record holds that depends on where and when it trained, not on its inputs:
/// the cache keeps it beside the record (`timings/KEY.json`), so that the record itself has
/// the same bytes on whichever machine, and however many times, the run trained.
struct RunTiming: Codable, Sendable {
  var seconds: Double
  var epochSeconds: [Double]
  var timedIn: String?
  var readOff: Bool?
  var trainedOn: Machine?

  enum CodingKeys: String, CodingKey {
    case seconds
    case epochSeconds = "epoch_seconds"
    case timedIn = "timed_in"
    case readOff = "read_off"
    case trainedOn = "trained_on"
  }

  init(_ record: RunRecord) {
    seconds = record.seconds
    epochSeconds = record.history.epochs.map(\.seconds)
    timedIn = record.timedIn
    readOff = record.readOff
    trainedOn = record.trainedOn
  }
}

extension RunRecord {
  /// The record without its timing: what depends only on the run's inputs.
  var withoutTiming: RunRecord {
    var record = self
    (record.seconds, record.timedIn, record.readOff, record.trainedOn) = (0, nil, nil, nil)
    for i in record.history.epochs.indices { record.history.epochs[i].seconds = 0 }
    return record
  }

  /// The record with `timing` put back; a timing of another length of run is ignored.
  func with(_ timing: RunTiming) -> RunRecord {
    guard timing.epochSeconds.count == history.epochs.count else { return self }
    var record = self
    (record.seconds, record.timedIn, record.readOff, record.trainedOn) = (
      timing.seconds, timing.timedIn, timing.readOff, timing.trainedOn
    )
    for i in record.history.epochs.indices { record.history.epochs[i].seconds = timing.epochSeconds[i] }
    return record
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

  enum CodingKeys: String, CodingKey {
    case loss, accuracy, confusion, report, mistakes, probabilities
    case mistakeImages = "mistake_images"
  }

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

/// A named run of a cell (a variant, a grid point, the baseline), with its repeats.
public struct NamedRun: Codable, Sendable {
  public var name: String
  /// Repeat 0: the run an unrepeated cell has.
  public var run: RunRecord
  /// Repeats 1, 2, …: the same settings from other seeds (and splits, when resampled).
  public var repeats: [RunRecord] = []

  public init(name: String, run: RunRecord, repeats: [RunRecord] = []) {
    self.name = name
    self.run = run
    self.repeats = repeats
  }

  /// Every repeat, repeat 0 first.
  public var all: [RunRecord] { [run] + repeats }

  /// Changes every repeat.
  mutating func update(_ change: (inout RunRecord) -> Void) {
    change(&run)
    for i in repeats.indices { change(&repeats[i]) }
  }

  enum CodingKeys: String, CodingKey {
    case name, repeats, summary
  }

  /// One entry of `repeats`: the record with its repeat number beside its fields, so that
  /// a table of the runs (`pandas.json_normalize`) has a `repeat` column.
  private struct Numbered: Codable {
    enum CodingKeys: String, CodingKey { case index = "repeat" }
    let index: Int
    let record: RunRecord

    init(index: Int, record: RunRecord) { (self.index, self.record) = (index, record) }

    init(from decoder: Decoder) throws {
      index = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .index)
      record = try RunRecord(from: decoder)
    }

    func encode(to encoder: Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(index, forKey: .index)
      try record.encode(to: encoder)
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    let numbered = try c.decode([Numbered].self, forKey: .repeats)
    guard let first = numbered.first, numbered.map(\.index) == Array(numbered.indices) else {
      throw DecodingError.dataCorruptedError(
        forKey: .repeats, in: c, debugDescription: "expected repeats numbered 0, 1, 2, … in order")
    }
    run = first.record
    repeats = numbered.dropFirst().map(\.record)
  }

  /// Every repeat in `repeats`, repeat 0 first; with more than one, their `summary`.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(all.enumerated().map { Numbered(index: $0, record: $1) }, forKey: .repeats)
    if !repeats.isEmpty {
      // The metrics over the repeats (mean, sample standard deviation, n, 95% t interval).
      try c.encode(RepeatedRunFacts(self), forKey: .summary)
    }
  }
}
