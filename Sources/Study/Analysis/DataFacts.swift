/// What the data shows: how balanced the classes are, what always answering the commonest
/// class would score, and the pixels' statistics.
public struct DataFacts: Sendable, Equatable {
  /// The classes with the fewest and the most training images: name, count and share.
  public let rarest: ClassCount
  public let commonest: ClassCount
  /// The test accuracy of a model that always answers the commonest training class.
  public let majorityAccuracy: Double
  public let pixelMean: Double
  public let pixelStd: Double

  public struct ClassCount: Sendable, Equatable {
    public let name: String
    public let count: Int
    public let share: Double
  }

  /// Nil for a dataset without classes.
  public init?(_ data: DataSummary) {
    let counts = data.trainClasses
    guard let low = counts.indices.min(by: { counts[$0] < counts[$1] }),
      let high = counts.indices.max(by: { counts[$0] < counts[$1] })
    else { return nil }
    let total = Double(data.trainCount)
    rarest = ClassCount(name: data.classNames[low], count: counts[low], share: Double(counts[low]) / total)
    commonest = ClassCount(name: data.classNames[high], count: counts[high], share: Double(counts[high]) / total)
    majorityAccuracy = Double(data.testClasses[high]) / Double(max(data.testCount, 1))
    pixelMean = data.pixelMean
    pixelStd = data.pixelStd
  }
}
