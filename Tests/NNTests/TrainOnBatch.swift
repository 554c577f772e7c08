@testable import NN

extension Trainer {
  /// One optimization step on a batch (Keras's `train_on_batch`): `rows` examples of
  /// `inputWidth` features and their labels. Returns the summed loss and the number of
  /// correct predictions, measured before the update; a loss that is not finite skips the
  /// update. `fit` takes its steps the same way, from batches it fills itself.
  func trainOnBatch(features: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int) -> (
    lossSum: Double, correct: Int
  ) {
    precondition(rows <= batchSize, "a batch of \(rows) rows exceeds the trainer's \(batchSize)")
    self.features.data.update(from: features, count: rows * self.features.columns)
    self.labels.update(from: labels, count: rows)
    return trainStep(rows: rows)
  }
}
