extension DataFacts {
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
    let images = Double(max(data.trainCount + data.validationCount + data.testCount, 1))
    (trainShare, validationShare, testShare) = (
      Double(data.trainCount) / images, Double(data.validationCount) / images, Double(data.testCount) / images
    )
    pixelMean = data.pixelMean
    pixelStd = data.pixelStd
  }
}
