import Data
import Foundation
import Tensor

/// The data every run of a build draws from: the prepared splits (cut down by the profile)
/// and the stratified fold assignments of the training part.
final class StudyData: @unchecked Sendable {
  let prepared: PreparedData
  let dataset: LoadedDataset
  let seed: UInt64
  /// Another split of the training file, drawn from the given stream, cut down as `prepared`.
  private let split: @Sendable (SeedPath) -> PreparedData
  private var folds: [Int: [Int]] = [:]
  private var resampled: [Int: PreparedData] = [:]
  private let lock = NSLock()

  init(
    prepared: PreparedData, dataset: LoadedDataset, seed: UInt64,
    split: @escaping @Sendable (SeedPath) -> PreparedData
  ) {
    self.prepared = prepared
    self.dataset = dataset
    self.seed = seed
    self.split = split
  }

  /// The data a run trains and validates on: the study's split, or repeat r's own.
  func prepared(for data: TrainingData) -> PreparedData {
    guard case .resampled(let r) = data else { return prepared }
    return lock.withLock {
      if let cached = resampled[r] { return cached }
      let made = split(SeedPath(seed).child("validation-split").child(r))
      resampled[r] = made
      return made
    }
  }

  /// The seeds of repeat r: an unrepeated run's for repeat 0, else derived by name and r.
  func seed(repeat r: Int) -> SeedPath {
    r == 0 ? SeedPath(seed) : SeedPath(seed).child("repeat").child(r)
  }

  /// The fold of every training image when the training part is cut in `count` folds.
  func foldAssignment(_ count: Int) -> [Int] {
    lock.withLock {
      if let folds = folds[count] { return folds }
      let assignment = StratifiedSplit.foldAssignment(
        labels: prepared.train.labels, folds: count, seed: SeedPath(seed).child("folds").child(count),
        classCount: dataset.shape.classes)
      folds[count] = assignment
      return assignment
    }
  }
}
