import Data
import Dispatch
import Foundation
import Metrics
import NN
import Tensor

/// Trains runs, or reads them from the cache: several side by side on one thread each, or
/// one alone on every thread. A run's result depends only on its settings, data and seed,
/// never on how runs are scheduled.
final class Executor: RunProvider, @unchecked Sendable {
  let data: StudyData
  let cache: ResultCache
  let observer: BuildObserver
  let cancellation: Cancellation
  let threads: Int
  /// Train every run again, whatever the cache holds.
  let force: Bool

  init(
    data: StudyData, cache: ResultCache, observer: BuildObserver, cancellation: Cancellation, threads: Int, force: Bool
  ) {
    self.data = data
    self.cache = cache
    self.observer = observer
    self.cancellation = cancellation
    self.threads = max(1, threads)
    self.force = force
  }

  /// The runs of `requests`, in order: cached runs are read first; the rest train, the most
  /// expensive first. Throws `cancelled` when the build is cancelled before all have trained
  /// (those that finished are cached).
  func runs(_ requests: [RunRequest], cell: String, stage: Int, sequential: Bool) throws(CellStop) -> [ProvidedRun] {
    var records = [RunRecord?](repeating: nil, count: requests.count)
    var pending: [Int] = []
    for (i, request) in requests.enumerated() {
      if !force, let found = cache.cachedRun(request) {
        if found.readOff { cache.storeRun(found.record) }
        records[i] = found.record
      } else {
        pending.append(i)
      }
    }
    let cached = records.map { $0 != nil }
    observer.runsQueued(cell: cell, training: pending.count, cached: requests.count - pending.count)
    if !pending.isEmpty && !cancellation.isCancelled {
      train(requests, pending, cell: cell, sequential: sequential, into: &records)
    }
    // A run missing now was cancelled before it finished.
    let done = records.compactMap { $0 }
    guard done.count == records.count else { throw .cancelled }
    return zip(done, cached).map { ProvidedRun(record: $0, cached: $1) }
  }

  /// Trains the runs of `requests` at `pending`, the most expensive first.
  private func train(
    _ requests: [RunRequest], _ pending: [Int], cell: String, sequential: Bool, into records: inout [RunRecord?]
  ) {
    // The most expensive first; among equals, a repeat's runs together, so that the few
    // repeats' own splits `StudyData` holds at once serve them all.
    let costs = requests.map { $0.cost(data) }
    let order = pending.sorted {
      (-costs[$0], requests[$0].repeatIndex, $0) < (-costs[$1], requests[$1].repeatIndex, $1)
    }
    let slots = Slots<RunRecord>(count: requests.count)
    let queue = Tickets(below: order.count)
    let workers = sequential ? 1 : min(threads, order.count)
    // One run alone uses every thread; several share them out, one thread each.
    let threadsPerRun = workers == 1 ? threads : 1
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      let context = ComputeContext(threads: threadsPerRun)
      while !cancellation.isCancelled {
        guard let taken = queue.take() else { break }
        let index = order[taken]
        let label = RunLabel(
          cell: cell, name: requests[index].name, epochs: requests[index].settings.epochs, index: taken,
          count: order.count)
        observer.runStarted(label)
        if let record = train(requests[index], label: label, context: context) {
          cache.storeRun(record)
          slots.set(index, record)
          observer.runFinished(label, record)
        }
      }
    }
    for i in pending { records[i] = slots.get(i) }
  }

  /// Trains one run; nil when cancelled.
  private func train(_ request: RunRequest, label: RunLabel, context: ComputeContext) -> RunRecord? {
    let started = monotonicSeconds()
    let prepared = data.prepared(for: request.data)
    let settings = request.settings
    let validation: Images
    var indices: [Int]?
    switch request.data {
    case .split, .resampled:
      validation = prepared.validation
    case .fold(let fold, let count):
      let assignment = data.foldAssignment(count)
      indices = assignment.indices.filter { assignment[$0] != fold }
      validation = prepared.train.subset(assignment.indices.filter { assignment[$0] == fold })
    }
    let shape = data.dataset.shape
    let classes = shape.classes
    let seed = data.seed(repeat: request.repeatIndex)
    // A batch larger than the split is the split: the same batches, the same bits, and
    // buffers the size of the work.
    let rows = settings.batchRows(examples: indices?.count ?? prepared.train.count)
    let trainer = Trainer(
      model: settings.makeModel(classes: classes), inputWidth: prepared.train.featureCount, classes: classes,
      batchSize: rows, optimizer: settings.makeOptimizer(), context: context, seed: seed.child("model"))
    var batches = ShuffledBatches(prepared.train, indices: indices, batchSize: rows, seed: seed.child("shuffle"))
    let observer = observer
    let history = trainer.fit(
      &batches, validation: validation, epochs: settings.epochs, schedule: settings.makeSchedule(),
      earlyStopping: settings.earlyStopping?.make(), progress: { observer.training(label, $0) },
      shouldStop: { [cancellation] in cancellation.isCancelled })
    if history.stopReason == .cancelled { return nil }

    let status: RunRecord.Status
    switch history.stopReason {
    case .diverged: status = .diverged
    case .earlyStopped: status = .earlyStopped
    default: status = .completed
    }
    var record = RunRecord(
      key: request.key, settings: settings, data: request.data, history: history, status: status, seconds: 0,
      parameterCount: settings.parameterCount(shape), timedIn: label.cell)
    record.trainedOn = Machine(host: hostName, kernels: context.kernels.name, threads: context.threadCount)
    if status != .diverged {
      let final = trainer.evaluate(validation)
      record.validationLoss = final.loss
      record.validationAccuracy = final.accuracy
      let sample = data.trainingSample(for: request.data, of: prepared)
      let training = trainer.evaluate(sample)
      record.trainEvaluation = Evaluation(loss: training.loss, accuracy: training.accuracy, images: sample.count)
      if request.evaluatesTest {
        record.test = evaluate(trainer, on: prepared.test)
        let model = Safetensors.encode(
          trainer.model.torchStateDict(batches: trainer.steps), metadata: ["format": "pt"])
        cache.storeModel(model, key: request.key)
      }
    }
    record.seconds = monotonicSeconds() - started
    return record
  }

  /// Loss, accuracy, confusion matrix, classification report, the most confident mistakes
  /// and the probabilities of a model on the test set.
  private func evaluate(_ trainer: Trainer, on test: Images) -> TestEvaluation {
    let result = trainer.evaluate(test)
    let probabilities = trainer.predict(test)
    let classes = data.dataset.shape.classes
    let labels = test.labels.map(Int.init)
    let predicted = (0..<test.count).map { i in
      argmax(probabilities[(i * classes)..<((i + 1) * classes)]) - i * classes
    }
    let confusion = ConfusionMatrix(labels: labels, predicted: predicted, classes: classes)
    let mistakes = confidentMistakes(probabilities: probabilities, labels: labels, classes: classes, count: 24)
    let raw = data.dataset.test
    let width = raw.featureCount
    let images = mistakes.map { mistake in
      let index = data.prepared.testIndices[mistake.index]
      return StoredImage(index: index, pixels: Array(raw.pixels[(index * width)..<((index + 1) * width)]))
    }
    return TestEvaluation(
      loss: result.loss, accuracy: result.accuracy, confusion: confusion,
      report: ClassificationReport(confusion, classNames: data.dataset.classNames),
      mistakes: mistakes, mistakeImages: images, probabilities: Base64.encode(probabilities),
      correct: TestEvaluation.packed(zip(labels, predicted).map { $0 == $1 }))
  }
}

/// This machine's name, as runs record it.
let hostName = ProcessInfo.processInfo.hostName
