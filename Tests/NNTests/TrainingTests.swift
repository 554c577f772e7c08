import Data
import MallocCounter
import TestFixtures
import Testing

@testable import NN
@testable import Tensor

/// Four Gaussian blobs in 20 dimensions: an easy, deterministic classification task.
func blobs(count: Int, seed: UInt64, flipLabels: Bool = false) -> Images {
  var generator = Xoshiro256(seed: seed)
  var pixels: [Float] = []
  var labels: [Int32] = []
  for i in 0..<count {
    let label = i % 4
    for d in 0..<20 {
      let center: Double = d % 4 == label ? 2 : 0
      pixels.append(Float(center + generator.normal()))
    }
    labels.append(Int32(flipLabels ? (label + 1) % 4 : label))
  }
  return Images(pixels: pixels, labels: labels, rows: 1, columns: 20)
}

func smallTrainer(threads: Int = 1, kernels: KernelTable = Kernels.best, learningRate: Float = 0.01) -> Trainer {
  Trainer(
    model: .mlp(hidden: [32, 16], classes: 4, dropout: [0.2, 0.1]), inputWidth: 20, classes: 4, batchSize: 16,
    optimizer: Adam(learningRate: learningRate), context: ComputeContext(threads: threads, kernels: kernels),
    seed: SeedPath(3), evaluationBatch: 64)
}

@Suite struct Training {
  @Test func learnsAToyTask() {
    let trainer = smallTrainer()
    var batches = ShuffledBatches(blobs(count: 400, seed: 1), batchSize: 16, seed: SeedPath(2))
    let validation = blobs(count: 200, seed: 9)
    let history = trainer.fit(&batches, validation: validation, epochs: 8)
    #expect(history.stopReason == .completed)
    #expect(history.epochs.count == 8)
    #expect(history.epochs.last!.validationAccuracy! > 0.95)
    #expect(history.epochs.last!.trainLoss < history.epochs.first!.trainLoss)
    #expect(history.epochs.allSatisfy { $0.seconds > 0 && $0.learningRate == Double(Float(0.01)) })
    // predict gives probabilities whose argmax is as accurate as evaluate says.
    let probabilities = trainer.predict(validation)
    #expect(probabilities.count == 200 * 4)
    let rowSums = (0..<200).map { r in (0..<4).reduce(Float(0)) { $0 + probabilities[r * 4 + $1] } }
    #expect(rowSums.allSatisfy { abs($0 - 1) < 1e-5 })
    let right = (0..<200).filter { r in
      let row = Array(probabilities[(r * 4)..<(r * 4 + 4)])
      return row.firstIndex(of: row.max()!)! == Int(validation.labels[r])
    }.count
    #expect(abs(Double(right) / 200 - trainer.evaluate(validation).accuracy) < 1e-12)
  }

  @Test func earlyStoppingStopsAndRestoresTheBestEpoch() {
    // Validation labels are shifted: the better the network learns, the worse its
    // validation loss, so the first epoch is the best.
    let trainer = smallTrainer()
    var batches = ShuffledBatches(blobs(count: 400, seed: 1), batchSize: 16, seed: SeedPath(2))
    let validation = blobs(count: 200, seed: 9, flipLabels: true)
    let stopping = EarlyStopping(metric: .validationLoss, patience: 2, restoreBest: true)
    let history = trainer.fit(&batches, validation: validation, epochs: 20, earlyStopping: stopping)
    let best = history.epochs.min { $0.validationLoss! < $1.validationLoss! }!
    #expect(history.stopReason == .earlyStopped(epoch: best.epoch + 2))
    #expect(history.restoredEpoch == best.epoch)
    #expect(trainer.evaluate(validation).loss == best.validationLoss!)
  }

  @Test func bestEpochIsRestoredEvenWithoutStoppingEarly() {
    let trainer = smallTrainer()
    var batches = ShuffledBatches(blobs(count: 400, seed: 1), batchSize: 16, seed: SeedPath(2))
    let validation = blobs(count: 200, seed: 9, flipLabels: true)
    let stopping = EarlyStopping(metric: .validationLoss, patience: 50, restoreBest: true)
    let history = trainer.fit(&batches, validation: validation, epochs: 4, earlyStopping: stopping)
    #expect(history.stopReason == .completed)
    let best = history.epochs.min { $0.validationLoss! < $1.validationLoss! }!
    #expect(best.epoch < 4)
    #expect(history.restoredEpoch == best.epoch)
    #expect(trainer.evaluate(validation).loss == best.validationLoss!)
  }

  @Test func earlyStoppingImprovementRule() {
    let loss = EarlyStopping(metric: .validationLoss, minDelta: 0.01)
    #expect(loss.improves(0.5, on: nil))
    #expect(loss.improves(0.48, on: 0.5) && !loss.improves(0.495, on: 0.5))
    let accuracy = EarlyStopping(metric: .validationAccuracy, minDelta: 0.001)
    #expect(accuracy.mode == .max)
    #expect(accuracy.improves(0.9811, on: 0.98) && !accuracy.improves(0.9805, on: 0.98))
  }

  @Test func divergenceStopsTraining() {
    let trainer = Trainer(
      model: .mlp(hidden: [32], classes: 4), inputWidth: 20, classes: 4, batchSize: 16,
      optimizer: SGD(learningRate: 1e9), context: ComputeContext(), seed: SeedPath(1))
    var batches = ShuffledBatches(blobs(count: 400, seed: 1), batchSize: 16, seed: SeedPath(2))
    let history = trainer.fit(&batches, validation: blobs(count: 40, seed: 3), epochs: 5)
    guard case .diverged(let epoch, _) = history.stopReason else {
      Issue.record("expected divergence, got \(history.stopReason)")
      return
    }
    #expect(epoch <= 2)
  }

  @Test func cancellationStopsBeforeTheNextBatch() {
    let trainer = smallTrainer()
    var batches = ShuffledBatches(blobs(count: 400, seed: 1), batchSize: 16, seed: SeedPath(2))
    var seen = 0
    var events = 0
    let history = trainer.fit(
      &batches, validation: Images?.none, epochs: 3, progress: { _ in events += 1 },
      shouldStop: {
        seen += 1
        return seen > 30
      })
    #expect(history.stopReason == .cancelled)
    #expect(trainer.steps == 30)
    #expect(history.epochs.count == 1)
    #expect(events == 30 + 1)
  }

  @Test func scheduleSetsEachEpochsRate() {
    let trainer = smallTrainer(learningRate: 0.02)
    var batches = ShuffledBatches(blobs(count: 64, seed: 1), batchSize: 16, seed: SeedPath(2))
    let history = trainer.fit(&batches, validation: Images?.none, epochs: 4, schedule: StepDecay(step: 2, gamma: 0.5))
    #expect(history.epochs.map(\.learningRate) == [0.02, 0.02, 0.01, 0.01].map { Double(Float($0)) })
  }
}

@Suite struct Determinism {
  /// Trains a small dropout network on MNIST images for a few dozen steps.
  func train(threads: Int, kernels: KernelTable) throws -> (ModelState, History) {
    let dataset = try DatasetLoader.load(try DatasetSource.builtIn("mnist"))
    let images = dataset.train.subset(Array(0..<1280))
    let trainer = Trainer(
      model: .mlp(hidden: [64, 32], classes: 10, dropout: [0.4, 0.3]), inputWidth: 784, classes: 10, batchSize: 128,
      optimizer: Adam(learningRate: 1e-3, weightDecay: 1e-4),
      context: ComputeContext(threads: threads, kernels: kernels),
      seed: SeedPath(11))
    var batches = ShuffledBatches(images, batchSize: 128, seed: SeedPath(12))
    let history = trainer.fit(&batches, validation: dataset.test.subset(Array(0..<500)), epochs: 2)
    return (trainer.model.snapshot(), history)
  }

  @Test func sameSeedSameBitsOnOneOrTwoThreads() throws {
    let (one, historyOne) = try train(threads: 1, kernels: Kernels.best)
    let (two, historyTwo) = try train(threads: 2, kernels: Kernels.best)
    #expect(one == two)
    #expect(historyOne.epochs.map(\.validationLoss) == historyTwo.epochs.map(\.validationLoss))
  }

  @Test func aCompetingBusyThreadChangesNoBit() throws {
    let (one, historyOne) = try train(threads: 1, kernels: Kernels.best)
    // A thread that keeps a core busy for the whole training, as another process would:
    // the pool's pieces then go mostly to one thread, and it runs jobs alone at times.
    let busy = BusyThread()
    defer { busy.stop() }
    let (two, historyTwo) = try train(threads: 2, kernels: Kernels.best)
    let (three, _) = try train(threads: 3, kernels: Kernels.best)
    #expect(one == two && one == three)
    #expect(historyOne.epochs.map(\.validationLoss) == historyTwo.epochs.map(\.validationLoss))
  }

  @Test func everyFMAKernelTableGivesTheSameBits() throws {
    let tables = Kernels.supported.filter { $0.name != "baseline" }
    let states = try tables.map { try train(threads: 2, kernels: $0).0 }
    #expect(Set(states.map { $0.values.map { $0.map(\.bitPattern) } }).count == 1, "\(tables.map(\.name))")
  }
}

@Suite struct Allocation {
  @Test(.enabled(if: malloc_counter_allocations() >= 0))
  func aTrainingStepAllocatesNothingAfterTheFirst() throws {
    let dataset = try DatasetLoader.load(try DatasetSource.builtIn("mnist"))
    let features = Array(dataset.train.pixels[0..<(128 * 784)])
    let labels = Array(dataset.train.labels[0..<128])
    for threads in [1, 2] {
      let trainer = Trainer(
        model: .mlp(hidden: [512, 256, 128], classes: 10, dropout: [0.4, 0.3, 0.3]), inputWidth: 784, classes: 10,
        batchSize: 128, optimizer: Adam(learningRate: 5e-4, weightDecay: 5e-5),
        context: ComputeContext(threads: threads), seed: SeedPath(1))
      features.withUnsafeBufferPointer { x in
        labels.withUnsafeBufferPointer { y in
          _ = trainer.trainOnBatch(features: x.baseAddress!, labels: y.baseAddress!, rows: 128)
          _ = trainer.trainOnBatch(features: x.baseAddress!, labels: y.baseAddress!, rows: 100)
          // Count the allocations of the threads that train: this one and the pool's.
          trainer.context.pool.onEveryThread(TrackAllocations(enabled: true))
          let before = malloc_counter_tracked_allocations()
          for step in 0..<10 {
            _ = trainer.trainOnBatch(features: x.baseAddress!, labels: y.baseAddress!, rows: step % 2 == 0 ? 128 : 100)
          }
          let after = malloc_counter_tracked_allocations()
          trainer.context.pool.onEveryThread(TrackAllocations(enabled: false))
          #expect(after == before, "\(after - before) allocations in 10 steps on \(threads) threads")
        }
      }
    }
  }
}

/// Turns the counting of allocations on or off in every thread of a pool.
struct TrackAllocations: ParallelJob {
  let enabled: Bool
  func callAsFunction(_ piece: Int, thread: Int) { malloc_counter_track(enabled ? 1 : 0) }
}
