/// What the data shows: how balanced the classes are, what always answering the commonest
/// class would score, the parts' shares and the pixels' statistics. Computed by the
/// analysis (`DataFacts.init(_:)`).
public struct DataFacts: Codable, Sendable, Equatable {
  /// The classes with the fewest and the most training images: name, count and share.
  public let rarest: ClassCount
  public let commonest: ClassCount
  /// The test accuracy of a model that always answers the commonest training class.
  public let majorityAccuracy: Double
  /// The training, validation and test parts' shares of all the images.
  public let trainShare: Double
  public let validationShare: Double
  public let testShare: Double
  public let pixelMean: Double
  public let pixelStd: Double

  public struct ClassCount: Codable, Sendable, Equatable {
    public let name: String
    public let count: Int
    public let share: Double
  }
}
