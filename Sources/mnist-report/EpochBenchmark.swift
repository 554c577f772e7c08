import Data
import NN
import Tensor

/// The reference network of the study: 784-512-256-128-10, ReLU, dropout 0.4/0.3/0.3,
/// Adam (lr 5e-4, weight decay 5e-5), batch 128.
func referenceTrainer(inputWidth: Int, threads: Int, seed: UInt64) -> Trainer {
  let model = Sequential.mlp(hidden: [512, 256, 128], classes: 10, activation: .relu, dropout: [0.4, 0.3, 0.3])
  return Trainer(
    model: model, inputWidth: inputWidth, classes: 10, batchSize: 128,
    optimizer: Adam(learningRate: 5e-4, weightDecay: 5e-5), context: ComputeContext(threads: threads),
    seed: SeedPath(seed).child("model"))
}

/// Seconds per epoch of the reference network on the training split (validation included),
/// for each of `epochs` epochs.
func measureEpochs(_ data: PreparedData, threads: Int, epochs: Int) -> (seconds: [Double], history: History) {
  let trainer = referenceTrainer(inputWidth: data.train.featureCount, threads: threads, seed: 42)
  var batches = ShuffledBatches(data.train, batchSize: 128, seed: SeedPath(42).child("shuffle"))
  let history = trainer.fit(&batches, validation: data.validation, epochs: epochs)
  return (history.epochs.map(\.seconds), history)
}

/// Trains the reference network for `epochs` epochs and returns its test accuracy and loss.
func referenceAccuracy(_ data: PreparedData, threads: Int, epochs: Int, seed: UInt64) -> (
  accuracy: Double, loss: Double
) {
  let trainer = referenceTrainer(inputWidth: data.train.featureCount, threads: threads, seed: seed)
  var batches = ShuffledBatches(data.train, batchSize: 128, seed: SeedPath(seed).child("shuffle"))
  _ = trainer.fit(&batches, validation: Images?.none, epochs: epochs)
  let result = trainer.evaluate(data.test)
  return (result.accuracy, result.loss)
}
