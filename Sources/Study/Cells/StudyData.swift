import Data
import Foundation
import Tensor

/// The data every run of a build draws from: the prepared splits (cut down by the profile)
/// and the stratified fold assignments of the training part.
///
/// What a run derives from it — a repeat's own split (`.resampled`, as large as the study's)
/// and the training sample a run is evaluated on — is kept for the few most recent kinds of
/// data only (`holding`), so that memory follows the runs in flight and not every repeat a
/// study has: a derived part is remade, bit for bit, when it is needed again.
final class StudyData: @unchecked Sendable {
  let prepared: PreparedData
  let dataset: LoadedDataset
  let seed: UInt64
  /// How many kinds of data keep their derived parts at once (the build's threads).
  let holding: Int
  /// Another split of the training file, drawn from the given stream, cut down as `prepared`.
  private let split: @Sendable (SeedPath) -> PreparedData
  private var folds: [Int: [Int]] = [:]
  /// What runs of a kind of data derive from it, least recently used first.
  private var derived: [(data: TrainingData, prepared: PreparedData, sample: Images?)] = []
  private let lock = NSLock()

  init(
    prepared: PreparedData, dataset: LoadedDataset, seed: UInt64, holding: Int,
    split: @escaping @Sendable (SeedPath) -> PreparedData
  ) {
    self.prepared = prepared
    self.dataset = dataset
    self.seed = seed
    self.holding = max(1, holding)
    self.split = split
  }

  /// The data a run trains and validates on: the study's split, or repeat r's own.
  func prepared(for data: TrainingData) -> PreparedData {
    guard case .resampled = data else { return prepared }
    return lock.withLock { entry(data).prepared }
  }

  /// The entry of `data`, made when missing and moved to the most recent place; the least
  /// recent one beyond `holding` is let go (a run still using it keeps it until it ends).
  /// Called with the lock held.
  private func entry(_ data: TrainingData, holding known: PreparedData? = nil) -> (
    data: TrainingData, prepared: PreparedData, sample: Images?
  ) {
    if let index = derived.firstIndex(where: { $0.data == data }) {
      let found = derived.remove(at: index)
      derived.append(found)
      return found
    }
    let made: PreparedData
    if let known {
      made = known
    } else if case .resampled(let r) = data {
      made = split(SeedPath(seed).child("validation-split").child(r))
    } else {
      made = prepared
    }
    derived.append((data, made, nil))
    if derived.count > holding { derived.removeFirst() }
    return derived[derived.count - 1]
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
  /// so that the gaps of two settings compare. `prepared` is the data the run trained on
  /// (`prepared(for: data)`), which is not made again when it was let go meanwhile.
  func trainingSample(for data: TrainingData, of prepared: PreparedData) -> Images {
    var assignment: [Int]?
    if case .fold(_, let count) = data { assignment = foldAssignment(count) }
    return lock.withLock {
      let found = entry(data, holding: prepared)
      if let sample = found.sample { return sample }
      let sample = makeSample(data, found.prepared, assignment: assignment)
      derived[derived.count - 1].sample = sample
      return sample
    }
  }

  private func makeSample(_ data: TrainingData, _ prepared: PreparedData, assignment: [Int]?) -> Images {
    var indices: [Int]
    let count: Int
    switch data {
    case .split, .resampled:
      indices = Array(0..<prepared.train.count)
      count = prepared.validation.count
    case .fold(let fold, _):
      let assignment = assignment!
      indices = assignment.indices.filter { assignment[$0] != fold }
      count = assignment.filter { $0 == fold }.count
    }
    var generator = SeedPath(seed).child("train-sample").generator
    generator.shuffle(&indices)
    return prepared.train.subset(Array(indices.prefix(count)).sorted())
  }
}
