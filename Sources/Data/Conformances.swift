import NN

/// Images are the examples that `Trainer.evaluate` and `predict` read, in place.
extension Images: ExampleSet {
  public var featureCount: Int { rows * columns }
  public func withFeatures<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
    try pixels.withUnsafeBufferPointer { try body($0.baseAddress!) }
  }
}

/// Shuffled batches are what `Trainer.fit` trains on.
extension ShuffledBatches: BatchSource {
  public var featureCount: Int { images.featureCount }
  public func copy(batch: Int, features: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) -> Int {
    copy(batch: batch, pixels: features, labels: labels)
  }
}
