import Data
import Foundation
import Study
import Tensor

/// What `mnist-report bench` measures, and how.
public struct BenchmarkPlan: Sendable {
  public enum Part: String, CaseIterable, Sendable {
    case gemm, epoch, load, accuracy
  }

  /// The parts measured (all by default).
  public var parts = Set(Part.allCases)
  public var threadCounts: [Int]
  /// Repetitions of each GEMM and load measurement.
  public var repeats = 5
  /// Epochs timed per thread count.
  public var epochs = 5
  /// Whether numpy's GEMM is measured in the same run, as a yardstick.
  public var numpy = true

  public init(threadCounts: [Int]) { self.threadCounts = threadCounts }
}

/// The one place where mnist-report measures speed: GEMM GFLOP/s of the reference network's
/// products beside numpy's, its seconds per epoch, the data load and its test accuracy.
public enum Benchmark {
  public static func run(_ plan: BenchmarkPlan, data settings: DataSettings, directory: String?) throws -> BenchResult {
    let dataset = try settings.load(directory: directory)  // also warms the page cache
    let shape = dataset.shape
    var gemm: [GEMMResult] = []
    let shapes = GEMMShape.hiddenLayers(of: .reference, features: shape.features)
    for count in plan.threadCounts where plan.parts.contains(.gemm) {
      let numpy = plan.numpy ? measureNumpyGEMM(shapes, threads: count, rounds: plan.repeats) : nil
      for product in shapes {
        let ours = measureGEMM(product, threads: count, rounds: plan.repeats)
        gemm.append(GEMMResult(product, threads: count, gflops: ours, numpy: numpy?[product]))
      }
    }
    var loads: [Double] = []
    for _ in 0..<(plan.parts.contains(.load) ? plan.repeats : 0) {
      loads.append(try settings.load(directory: directory).seconds)
    }
    let prepared = PreparedData(
      dataset, validationCount: settings.validation, seed: settings.seed, normalization: settings.normalization)
    var epochs: [EpochResult] = []
    for count in plan.threadCounts where plan.epochs > 0 && plan.parts.contains(.epoch) {
      let (seconds, history, alone) = measureEpochs(prepared, shape: shape, threads: count, epochs: plan.epochs)
      epochs.append(
        EpochResult(
          threads: count, seconds: median(seconds), samples: prepared.train.count, per_epoch: seconds,
          validation_accuracy: history.epochs.last?.validationAccuracy ?? 0, alone_share: alone))
    }
    let accuracy =
      plan.parts.contains(.accuracy)
      ? referenceAccuracy(prepared, shape: shape, threads: plan.threadCounts.max() ?? 1, seed: settings.seed) : nil
    return BenchResult(
      kernels: Kernels.best.name, cpu: Kernels.cpuName, gemm: gemm, epoch: epochs.max { $0.threads < $1.threads },
      epoch_by_threads: epochs, load_seconds: loads.isEmpty ? nil : median(loads), peak_rss_bytes: peakResidentBytes(),
      reference_test_accuracy: accuracy?.accuracy, reference_test_loss: accuracy?.loss)
  }
}
