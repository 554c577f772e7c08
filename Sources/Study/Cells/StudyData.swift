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
  private var samples: [TrainingData: Images] = [:]
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

  /// The training images a run of `data` is evaluated on after training, without dropout, for
  /// the training side of its train-validation gap: a fixed sample of its training part (the
  /// split's, a repeat's own split's, or a fold's complement), as many images as it validates
  /// on, drawn from the seed's `train-sample` stream. The same sample for every run of `data`,
  /// so that the gaps of two settings compare.
  func trainingSample(for data: TrainingData) -> Images {
    if let sample = lock.withLock({ samples[data] }) { return sample }
    let prepared = prepared(for: data)
    var indices: [Int]
    let count: Int
    switch data {
    case .split, .resampled:
      indices = Array(0..<prepared.train.count)
      count = prepared.validation.count
    case .fold(let fold, let folds):
      let assignment = foldAssignment(folds)
      indices = assignment.indices.filter { assignment[$0] != fold }
      count = assignment.filter { $0 == fold }.count
    }
    var generator = SeedPath(seed).child("train-sample").generator
    generator.shuffle(&indices)
    let sample = prepared.train.subset(Array(indices.prefix(count)).sorted())
    lock.withLock { samples[data] = sample }
    return sample
  }
}
