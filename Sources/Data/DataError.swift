/// A problem with a dataset file: which file, what kind of problem, and a message that
/// says what was expected and what was found.
public struct DataError: Error, CustomStringConvertible, Sendable {
  public enum Kind: String, Sendable {
    case missingFile, notAFile, unreadable, emptyFile
    case notGzipOrIDX, truncatedGzip, corruptGzip
    case badMagic, badType, badDimensions, badShape, sizeMismatch
    case countMismatch, labelOutOfRange, digestMismatch
    case datasetNotFound
    case badImage
  }

  public let kind: Kind
  /// The file (or folder) the problem is about, as the user named it.
  public let path: String
  /// What was expected and what was found.
  public let message: String

  public init(_ kind: Kind, _ path: String, _ message: String) {
    self.kind = kind
    self.path = path
    self.message = message
  }

  public var description: String { "\(path): \(message)" }
}
