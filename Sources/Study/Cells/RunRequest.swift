import Foundation

/// One training run a cell asks for.
struct RunRequest: Sendable {
  let name: String
  let settings: RunSettings
  let data: TrainingData
  /// Which repeat of the run: 0 keeps the streams of an unrepeated run.
  var repeatIndex = 0
  /// How many repeats the run's setting has.
  var repeatCount = 1
  /// Whether to evaluate the trained model on the test set.
  let evaluatesTest: Bool
  let key: String
  /// The key without the epochs, when the run trains epoch by epoch: a longer run of the same
  /// family (or one as long and evaluated on the test set) holds it in its first epochs (see
  /// `CacheKeys.runKey`).
  let family: String?

  /// The family whose longer runs can stand in for this one: none for a run evaluated on the
  /// test set, whose test evaluation a longer run does not have.
  var readableFamily: String? { evaluatesTest ? nil : family }

  /// The run's epochs as its key counts them.
  var epochs: Int { settings.epochs }
}

extension RunRequest {
  /// A yardstick of the run's cost: multiply-adds × examples × epochs.
  func cost(_ data: StudyData) -> Double {
    let examples: Double
    switch self.data {
    case .split, .resampled: examples = Double(data.prepared.train.count)
    case .fold(_, let of): examples = Double(data.prepared.train.count) * Double(of - 1) / Double(of)
    }
    return Double(settings.multiplyAdds(data.dataset.shape)) * examples * Double(settings.epochs)
  }
}
