import Data
import NN
import Study
import Tensor

/// The reference network (`RunSettings.reference`) ready to train on `shape`'s data.
func referenceTrainer(_ shape: DataShape, threads: Int, seed: UInt64) -> Trainer {
  let reference = RunSettings.reference
  return Trainer(
    model: reference.makeModel(classes: shape.classes), inputWidth: shape.features, classes: shape.classes,
    batchSize: reference.batchSize, optimizer: reference.makeOptimizer(), context: ComputeContext(threads: threads),
    seed: SeedPath(seed).child("model"))
}

/// Seconds per epoch of the reference network on the training split (validation included),
/// for each of `epochs` epochs.
/// `aloneShare` is the share of the engine's jobs that ran on one thread because sharing
/// stopped paying (`WorkerPool.aloneShare`).
public func measureEpochs(_ data: PreparedData, shape: DataShape, threads: Int, epochs: Int) -> (
  seconds: [Double], history: History, aloneShare: Double
) {
  let trainer = referenceTrainer(shape, threads: threads, seed: 42)
  var batches = ShuffledBatches(
    data.train, batchSize: RunSettings.reference.batchSize, seed: SeedPath(42).child("shuffle"))
  let history = trainer.fit(&batches, validation: data.validation, epochs: epochs)
  return (history.epochs.map(\.seconds), history, trainer.context.pool.aloneShare)
}

/// Trains the reference network for its epochs and returns its test accuracy and loss.
public func referenceAccuracy(_ data: PreparedData, shape: DataShape, threads: Int, seed: UInt64) -> (
  accuracy: Double, loss: Double
) {
  let trainer = referenceTrainer(shape, threads: threads, seed: seed)
  var batches = ShuffledBatches(
    data.train, batchSize: RunSettings.reference.batchSize, seed: SeedPath(seed).child("shuffle"))
  _ = trainer.fit(&batches, validation: Images?.none, epochs: RunSettings.reference.epochs)
  let result = trainer.evaluate(data.test)
  return (result.accuracy, result.loss)
}
