import Data
import Foundation

/// A data cell: split sizes, images per class, pixel statistics, file digests and sample
/// images. It trains nothing.
public struct DataCell: CellBehaviour {
  /// Sample images shown per class.
  public let samplesPerClass: Int

  static let keys = ["samples_per_class"]

  init(_ input: CellInput) throws(StudyError) {
    samplesPerClass = try input.fields["samples_per_class"]?.int(in: 1...20) ?? 2
  }

  func runCount(settings: RunSettings) -> Int { 0 }

  func keyParts(earlier: [String]) -> CellKeyParts {
    CellKeyParts(samples: samplesPerClass)
  }

  func run(_ context: CellContext) -> CellOutcome {
    .data(summarize(context.data))
  }

  /// Split sizes, class counts, pixel statistics and the first training images of each
  /// class.
  func summarize(_ data: StudyData) -> DataSummary {
    let prepared = data.prepared
    let dataset = data.dataset
    let classes = dataset.shape.classes
    var samples: [SampleImage] = []
    let width = dataset.train.featureCount
    for label in 0..<classes {
      let picks = prepared.trainIndices.lazy.filter { dataset.train.labels[$0] == Int32(label) }.prefix(
        samplesPerClass)
      for index in picks {
        samples.append(
          SampleImage(
            label: label,
            image: StoredImage(
              index: index, pixels: Array(dataset.train.pixels[(index * width)..<((index + 1) * width)]))))
      }
    }
    return DataSummary(
      dataset: dataset.source.name, directory: displayPath(dataset.source.directory),
      files: dataset.files.map(FileDigest.init), rows: dataset.train.rows, columns: dataset.train.columns,
      classNames: dataset.classNames, trainCount: prepared.train.count, validationCount: prepared.validation.count,
      testCount: prepared.test.count, trainClasses: prepared.train.classCounts(classCount: classes),
      validationClasses: prepared.validation.classCounts(classCount: classes),
      testClasses: prepared.test.classCounts(classCount: classes), pixelMean: prepared.mean, pixelStd: prepared.std,
      normalization: prepared.normalization, samples: samples)
  }
}
