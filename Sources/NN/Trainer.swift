import Tensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What `fit` reports while it runs.
public enum TrainingEvent: Sendable {
  /// After each batch: the epoch (1-based), the batch (1-based) of `batches`, and the running
  /// mean loss and accuracy of the epoch so far.
  case batch(epoch: Int, batch: Int, batches: Int, loss: Double, accuracy: Double)
  /// After each epoch, validation included.
  case epoch(EpochRecord)
}

/// Trains and evaluates a classifier: `fit`, `evaluate` and `predict`, as in Keras, over a
/// `Sequential` network ending in one logit per class and the softmax cross-entropy loss.
///
/// Everything a step needs is allocated up front; a training step allocates nothing.
public final class Trainer {
  public let model: Sequential
  public let optimizer: Optimizer
  public let context: ComputeContext
  public let classes: Int
  public let batchSize: Int
  /// Rows per pass when evaluating.
  public let evaluationBatch: Int
  /// Training steps taken so far (the dropout masks are keyed on it).
  public private(set) var steps = 0

  private let loss: SoftmaxCrossEntropy
  let features: Tensor
  let labels: UnsafeMutablePointer<Int32>
  private let parameters: [Parameter]

  /// Builds `model` for inputs of `inputWidth` values and `classes` outputs; the initial
  /// weights come from `seed`.
  public init(
    model: Sequential, inputWidth: Int, classes: Int, batchSize: Int, optimizer: Optimizer,
    context: ComputeContext, seed: SeedPath, evaluationBatch: Int = 1000
  ) {
    precondition(batchSize > 0, "batch size must be positive")
    let capacity = max(batchSize, evaluationBatch)
    model.build(inputWidth: inputWidth, batchCapacity: capacity, context: context, seed: seed)
    precondition(model.outputWidth == classes, "the network ends with \(model.outputWidth) outputs, not \(classes)")
    self.model = model
    self.optimizer = optimizer
    self.context = context
    self.classes = classes
    self.batchSize = batchSize
    self.evaluationBatch = evaluationBatch
    loss = SoftmaxCrossEntropy(classes: classes, batchCapacity: capacity, context: context)
    features = Tensor(rows: 0, columns: inputWidth, capacityRows: capacity)
    labels = .allocate(capacity: capacity)
    parameters = model.parameters
  }

  deinit { labels.deallocate() }

  /// One optimization step on `rows` examples already in the batch buffers; returns the
  /// summed loss and the number of correct predictions.
  func trainStep(rows: Int) -> (lossSum: Double, correct: Int) {
    let pass = Pass(mode: .training, step: steps)
    let logits = model.forward(MatrixView(features.data, rows: rows, columns: features.columns), pass)
    let result = loss(logits: logits, labels: labels, withGradient: true)
    guard result.lossSum.isFinite else { return result }
    model.backward(loss.gradientView, pass)
    optimizer.step(parameters, context: context)
    steps += 1
    return result
  }

  /// Trains for up to `epochs` epochs over `source`, validating on `validation` after each
  /// epoch. The schedule sets each epoch's learning rate (from the optimizer's rate at the
  /// start); early stopping may end training sooner and restore the best epoch. A loss that
  /// becomes NaN or infinite stops training (`.diverged`); `shouldStop`, checked before every
  /// batch, cancels it.
  public func fit<Source: BatchSource, Validation: ExampleSet>(
    _ source: inout Source, validation: Validation?, epochs: Int, schedule: LearningRateSchedule? = nil,
    earlyStopping: EarlyStopping? = nil, progress: ((TrainingEvent) -> Void)? = nil,
    shouldStop: () -> Bool = { false }
  ) -> History {
    precondition(
      source.featureCount == features.columns,
      "examples of \(source.featureCount) values for a network of \(features.columns) inputs")
    precondition(source.batchSize <= batchSize, "batches of \(source.batchSize) exceed the trainer's \(batchSize)")
    var history = History()
    let base = optimizer.learningRate
    var best: Double?
    var bestEpoch = 0
    var bestState = ModelState(values: [])
    var epochsWithoutImprovement = 0

    training: for epoch in 0..<epochs {
      let started = monotonicSeconds()
      if let schedule {
        optimizer.learningRate = schedule.rate(
          forEpoch: epoch, base: base, current: optimizer.learningRate, previous: history.epochs.last)
      }
      let rate = optimizer.learningRate
      source.start(epoch: epoch)
      var lossSum = 0.0
      var correct = 0
      var seen = 0
      for batch in 0..<source.batchCount {
        if shouldStop() {
          history.stopReason = .cancelled
          break training
        }
        let rows = source.copy(batch: batch, features: features.data, labels: labels)
        let result = trainStep(rows: rows)
        if !result.lossSum.isFinite {
          history.stopReason = .diverged(epoch: epoch + 1, batch: batch)
          break training
        }
        lossSum += result.lossSum
        correct += result.correct
        seen += rows
        progress?(
          .batch(
            epoch: epoch + 1, batch: batch + 1, batches: source.batchCount, loss: lossSum / Double(seen),
            accuracy: Double(correct) / Double(seen)))
      }
      let validated = validation.map { evaluate($0) }
      let record = EpochRecord(
        epoch: epoch + 1, trainLoss: lossSum / Double(max(seen, 1)),
        trainAccuracy: Double(correct) / Double(max(seen, 1)),
        validationLoss: validated?.loss, validationAccuracy: validated?.accuracy, learningRate: Double(rate),
        seconds: monotonicSeconds() - started)
      history.epochs.append(record)
      progress?(.epoch(record))
      if let validated, !validated.loss.isFinite {
        history.stopReason = .diverged(epoch: epoch + 1, batch: source.batchCount)
        break training
      }

      guard let earlyStopping, let value = earlyStopping.metric.value(in: record) else { continue }
      if earlyStopping.improves(value, on: best) {
        best = value
        bestEpoch = epoch + 1
        epochsWithoutImprovement = 0
        if earlyStopping.restoreBest { model.save(into: &bestState) }
      } else {
        epochsWithoutImprovement += 1
        if epochsWithoutImprovement >= earlyStopping.patience {
          history.stopReason = .earlyStopped(epoch: epoch + 1)
          break training
        }
      }
    }

    history.restoredEpoch = history.epochs.last?.epoch
    if let earlyStopping, earlyStopping.restoreBest, bestEpoch > 0, bestEpoch != history.epochs.last?.epoch {
      model.restore(bestState)
      history.restoredEpoch = bestEpoch
    }
    return history
  }

  /// Mean loss and accuracy on `set`, in evaluation mode.
  public func evaluate<Set: ExampleSet>(_ set: Set) -> (loss: Double, accuracy: Double) {
    var lossSum = 0.0
    var correct = 0
    forEachChunk(of: set) { logits, labels in
      let result = loss(logits: logits, labels: labels, withGradient: false)
      lossSum += result.lossSum
      correct += result.correct
    }
    let n = Double(max(set.count, 1))
    return (lossSum / n, Double(correct) / n)
  }

  /// Softmax probabilities for every example of `set`: `set.count × classes`, row-major.
  public func predict<Set: ExampleSet>(_ set: Set) -> [Float] {
    var probabilities: [Float] = []
    probabilities.reserveCapacity(set.count * classes)
    forEachChunk(of: set) { logits, _ in
      let p = loss.softmax(logits: logits)
      probabilities.append(contentsOf: UnsafeBufferPointer(start: p.data, count: p.count))
    }
    return probabilities
  }

  /// Runs the network over `set` in chunks of `evaluationBatch` rows, straight from its
  /// feature matrix.
  private func forEachChunk<Set: ExampleSet>(of set: Set, _ body: (MatrixView, UnsafePointer<Int32>) -> Void) {
    precondition(
      set.featureCount == features.columns,
      "examples of \(set.featureCount) values for a network of \(features.columns) inputs")
    set.labels.withUnsafeBufferPointer { labels in
      set.withFeatures { pixels in
        var start = 0
        while start < set.count {
          let rows = min(evaluationBatch, set.count - start)
          let input = MatrixView(
            UnsafeMutablePointer(mutating: pixels + start * set.featureCount), rows: rows, columns: set.featureCount)
          body(model.forward(input, .evaluation), labels.baseAddress! + start)
          start += rows
        }
      }
    }
  }
}
