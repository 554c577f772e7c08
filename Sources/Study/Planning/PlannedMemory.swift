import Data
import Foundation

/// What a build holds in memory while a cell trains, estimated before anything runs: what
/// `plan` states beside the machine's memory, and what `build` refuses past it.
///
/// The parts, each from what the build really allocates:
/// - the dataset's files as loaded (every image as Float32);
/// - the study's prepared split (training, validation and test parts, cut by the profile);
/// - the repeats' own splits (`resample`) that `StudyData` holds: at most one per thread,
///   plus those a running run still uses after it let them go (2 × threads − 1 in all), and
///   never more than the cell draws; later cells keep one per thread;
/// - under a profile that cuts the data, one uncut split while a split is made (the study's,
///   and each repeat's own);
/// - the training samples runs are evaluated on, one per kind of data held;
/// - each thread's run (`RunSettings.estimatedBytes`; a cell of fewer runs than threads
///   trains no more side by side), and a fold run's copy of its validation fold;
/// - the process itself (code, runtime, allocator), measured.
///
/// The estimate was checked against the peak resident memory of real builds (see the closing
/// notes of issue 26): it is meant to be within about 20% above.
public struct PlannedMemory: Sendable, Encodable {
  public let cell: String
  /// The cell's largest run, in bytes, and its network and batch rows.
  public let runBytes: Double
  public let hidden: [Int]
  public let batchRows: Int
  /// The repeats' own splits held while the cell trains.
  public let splitsHeld: Int
  /// The whole process's peak while the cell trains, in bytes.
  public let peakBytes: Double

  /// The process besides the data and the runs: code, the Swift runtime, the allocator's
  /// arenas, and the report's drawing at the end (a build of the cached default study peaks
  /// at 500 MB with 440 MB of data).
  static let processBytes = 80e6

  /// The data's bytes as a build holds them: each image as Float32, the loaded dataset, one
  /// prepared split, and whether the profile cuts the split down (it is then made from an
  /// uncut one).
  private struct DataBytes {
    let perImage, dataset, split: Double
    let cut: Bool

    init(_ dataset: LoadedDataset, _ prepared: PreparedData) {
      perImage = Double(MemoryLayout<Float>.size * dataset.shape.features)
      self.dataset = Double(dataset.train.count + dataset.test.count) * perImage
      split = Double(prepared.train.count + prepared.validation.count + prepared.test.count) * perImage
      cut = prepared.train.count + prepared.validation.count < dataset.train.count
    }

    /// The process, the dataset, the study's split, and an uncut split while one is made.
    var floor: Double { processBytes + dataset + split + (cut ? dataset : 0) }
  }

  /// What a build holds when it trains nothing: the process, the dataset and the study's
  /// split (made from an uncut one under a profile that cuts the data).
  static func floor(dataset: LoadedDataset, prepared: PreparedData) -> Double {
    DataBytes(dataset, prepared).floor
  }

  /// Every training cell of `study`, with `threads` runs side by side, on the loaded
  /// `dataset` and the study's `prepared` split.
  static func plan(_ study: Study, dataset: LoadedDataset, prepared: PreparedData, threads: Int) -> [PlannedMemory] {
    let shape = dataset.shape
    let data = DataBytes(dataset, prepared)
    let examples = prepared.train.count
    let threads = max(1, threads)
    var kept = 0
    return study.cells.compactMap { cell in
      guard cell.kind != .data else { return nil }
      let estimates = ([cell.settings] + cell.body.behaviour.otherSettings).map {
        (settings: $0, bytes: $0.estimatedBytes(shape, examples: examples))
      }
      guard let largest = estimates.max(by: { $0.bytes < $1.bytes }) else { return nil }
      let use = cell.body.behaviour.dataUse
      let held = max(min(2 * threads - 1, use.ownSplits), kept)
      kept = max(kept, min(threads, use.ownSplits))
      let sampleRows = use.folds > 1 ? examples / use.folds : prepared.validation.count
      let samples = Double(1 + min(2 * threads - 1, max(use.ownSplits, use.folds - 1))) * Double(sampleRows)
      let foldCopy = use.folds > 1 ? Double(examples / use.folds) * data.perImage : 0
      let peak =
        data.floor + data.split * Double(held) + samples * data.perImage
        + Double(min(threads, max(1, cell.body.behaviour.runCount(settings: cell.settings))))
        * (largest.bytes + foldCopy)
      return PlannedMemory(
        cell: cell.id, runBytes: largest.bytes, hidden: largest.settings.hidden,
        batchRows: largest.settings.batchRows(examples: examples), splitsHeld: held, peakBytes: peak)
    }
  }
}
