import Data
import Dispatch
import Foundation
import Metrics
import NN
import Tensor

/// One training run a cell asks for.
struct RunRequest: Sendable {
  let name: String
  let settings: RunSettings
  let data: TrainingData
  /// Which repeat of the run: 0 keeps the streams of an unrepeated run.
  var repeatIndex = 0
  /// How many repeats the run's setting has.
  var repeatCount = 1
  /// Whether to evaluate the trained model on the test set.
  let evaluatesTest: Bool
  let key: String
  /// The key without the epochs, when the run trains epoch by epoch: a longer run of the same
  /// family (or one as long and evaluated on the test set) holds it in its first epochs (see
  /// `CacheKeys.runKey`).
  let family: String?

  /// The family whose longer runs can stand in for this one: none for a run evaluated on the
  /// test set, whose test evaluation a longer run does not have.
  var readableFamily: String? { evaluatesTest ? nil : family }

  /// The run's epochs as its key counts them.
  var epochs: Int { settings.epochs }
}

/// The data every run of a build draws from: the prepared splits (cut down by the profile)
/// and the stratified fold assignments of the training part.
final class BuildData: @unchecked Sendable {
  let prepared: PreparedData
  let dataset: LoadedDataset
  let seed: UInt64
  /// Another split of the training file, drawn from the given stream, cut down as `prepared`.
  private let split: @Sendable (SeedPath) -> PreparedData
  private var folds: [Int: [Int]] = [:]
  private var resampled: [Int: PreparedData] = [:]
  private let lock = NSLock()

  init(
    prepared: PreparedData, dataset: LoadedDataset, seed: UInt64,
    split: @escaping @Sendable (SeedPath) -> PreparedData
  ) {
    self.prepared = prepared
    self.dataset = dataset
    self.seed = seed
    self.split = split
  }

  /// The data a run trains and validates on: the study's split, or repeat r's own.
  func prepared(for data: TrainingData) -> PreparedData {
    guard case .resampled(let r) = data else { return prepared }
    return lock.withLock {
      if let cached = resampled[r] { return cached }
      let made = split(SeedPath(seed).child("validation-split").child(r))
      resampled[r] = made
      return made
    }
  }

  /// The seeds of repeat r: an unrepeated run's for repeat 0, else derived by name and r.
  func seed(repeat r: Int) -> SeedPath {
    r == 0 ? SeedPath(seed) : SeedPath(seed).child("repeat").child(r)
  }

  /// The fold of every training image when the training part is cut in `count` folds.
  func foldAssignment(_ count: Int) -> [Int] {
    lock.withLock {
      if let folds = folds[count] { return folds }
      let assignment = StratifiedSplit.foldAssignment(
        labels: prepared.train.labels, folds: count, seed: SeedPath(seed).child("folds").child(count),
        classCount: dataset.shape.classes)
      folds[count] = assignment
      return assignment
    }
  }
}

/// Trains runs, or reads them from the cache: several side by side on one thread each, or
/// one alone on every thread. A run's result depends only on its settings, data and seed,
/// never on how runs are scheduled.
final class Executor: @unchecked Sendable {
  /// What the executor does with the runs the cache does not hold.
  enum Mode {
    /// Trains them.
    case train
    /// Trains nothing and writes nothing: records the runs (cached or not) for a plan.
    case plan(PlanRecorder)
  }

  let data: BuildData
  let cache: ResultCache
  let observer: BuildObserver
  let cancellation: Cancellation
  let threads: Int
  let force: Bool
  let mode: Mode

  init(
    data: BuildData, cache: ResultCache, observer: BuildObserver, cancellation: Cancellation, threads: Int, force: Bool,
    mode: Mode = .train
  ) {
    self.data = data
    self.cache = cache
    self.observer = observer
    self.cancellation = cancellation
    self.threads = max(1, threads)
    self.force = force
    self.mode = mode
  }

  /// The records of `requests`, in order; nil for a run that was cancelled. Cached runs are
  /// read first; the rest train, the most expensive first.
  /// With `sequential`, runs train one after another on every thread, so that their times
  /// compare; else side by side, one thread each.
  /// In plan mode, nothing trains: the requests are recorded at `stage`, and those the cache
  /// does not hold come back nil.
  func run(_ requests: [RunRequest], cell: String, stage: Int, sequential: Bool = false) -> (
    records: [RunRecord?], fromCache: [Bool]
  ) {
    var records = [RunRecord?](repeating: nil, count: requests.count)
    var pending: [Int] = []
    let planning: Bool
    if case .plan = mode { planning = true } else { planning = false }
    for (i, request) in requests.enumerated() {
      // A tested run's model is kept beside its record; a record without it (from an older
      // cache) is trained again, for the model to be exported. A diverged run has neither a
      // test evaluation nor a model.
      if !force, let record = cache.loadRun(key: request.key),
        !request.evaluatesTest || record.test == nil || cache.hasModel(key: request.key)
      {
        records[i] = record
      } else if !force, let family = request.readableFamily,
        let longer = cache.longerRun(family: family, than: request.settings.epochs),
        let record = longer.prefix(request.settings.epochs, key: request.key)
      {
        if !planning { cache.storeRun(record) }
        records[i] = record
      } else {
        pending.append(i)
      }
    }
    let fromCache = requests.indices.map { !pending.contains($0) }
    if case .plan(let recorder) = mode {
      recorder.record(
        requests.indices.map { i in
          PlannedRun(
            request: requests[i], cell: cell, stage: stage, sequential: sequential, cost: cost(requests[i]),
            cached: fromCache[i])
        }, records: records)
      return (records, fromCache)
    }
    observer.runsQueued(cell: cell, training: pending.count, cached: requests.count - pending.count)
    guard !pending.isEmpty, !cancellation.isCancelled else { return (records, fromCache) }
    pending.sort { cost(requests[$0]) > cost(requests[$1]) }

    let slots = Slots<RunRecord>(count: requests.count)
    let queue = Tickets(below: pending.count)
    let order = pending
    let workers = sequential ? 1 : min(threads, pending.count)
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
    return (records, fromCache)
  }

  /// A yardstick of a run's cost: multiply-adds × examples × epochs.
  func cost(_ request: RunRequest) -> Double {
    let examples: Double
    switch request.data {
    case .split, .resampled: examples = Double(data.prepared.train.count)
    case .fold(_, let of): examples = Double(data.prepared.train.count) * Double(of - 1) / Double(of)
    }
    return Double(request.settings.multiplyAdds(data.dataset.shape)) * examples * Double(request.settings.epochs)
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
    let trainer = Trainer(
      model: settings.makeModel(classes: classes), inputWidth: prepared.train.featureCount, classes: classes,
      batchSize: settings.batchSize, optimizer: settings.makeOptimizer(), context: context,
      seed: seed.child("model"))
    var batches = ShuffledBatches(
      prepared.train, indices: indices, batchSize: settings.batchSize, seed: seed.child("shuffle"))
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
      mistakes: mistakes, mistakeImages: images, probabilities: Base64.encode(probabilities))
  }
}

/// This machine's name, as runs record it.
let hostName = ProcessInfo.processInfo.hostName
