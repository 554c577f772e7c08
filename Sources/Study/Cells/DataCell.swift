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

  func run(_ context: CellContext) -> CellOutcome? {
    .data(summarize(context.data))
  }

  /// Split sizes, class counts, pixel statistics and the first training images of each
  /// class.
  func summarize(_ data: BuildData) -> DataSummary {
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
  public var normalization: Normalization
  /// Sample training images: their class and pixels in [0, 1].
  public var samples: [SampleImage]

  enum CodingKeys: String, CodingKey {
    case dataset, directory, files, rows, columns, normalization, samples
    case classNames = "class_names"
    case trainCount = "train_count"
    case validationCount = "validation_count"
    case testCount = "test_count"
    case trainClasses = "train_classes"
    case validationClasses = "validation_classes"
    case testClasses = "test_classes"
    case pixelMean = "pixel_mean"
    case pixelStd = "pixel_std"
  }
}

/// A dataset file as the results record it: its name, decompressed digest and size, and
/// whether it matched a built-in digest.
public struct FileDigest: Codable, Sendable {
  public var file: String
  public var sha256: String
  public var bytes: Int
  public var verified: Bool

  init(file: String, sha256: String, bytes: Int, verified: Bool) {
    (self.file, self.sha256, self.bytes, self.verified) = (file, sha256, bytes, verified)
  }

  public init(_ check: FileCheck) {
    file = (check.path as NSString).lastPathComponent
    sha256 = check.sha256
    bytes = check.bytes
    verified = check.matched == true
  }
}

/// A training image shown by the data cell, with its class.
public struct SampleImage: Codable, Sendable {
  public var label: Int
  public var image: StoredImage
}

/// `path` relative to the working directory when it lies inside it (so that results written
/// on one machine do not carry its folders), else as given.
func displayPath(_ path: String) -> String {
  let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
  let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
  guard absolute.hasPrefix(here + "/") else { return path }
  return String(absolute.dropFirst(here.count + 1))
}
