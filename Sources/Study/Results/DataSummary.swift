import Data
import Foundation

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
}

/// A training image shown by the data cell, with its class.
public struct SampleImage: Codable, Sendable {
  public var label: Int
  public var image: StoredImage
}
