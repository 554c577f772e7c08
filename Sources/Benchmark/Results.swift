import Foundation

/// One GEMM shape's speed, ours and numpy's, as `bench --json` prints it.
public struct GEMMResult: Codable, Sendable {
  public let m, n, k: Int
  public let transA, transB: Bool
  public let threads: Int
  public let gflops: Double
  public let numpy_gflops: Double?

  public init(_ shape: GEMMShape, threads: Int, gflops: Double, numpy: Double?) {
    (m, n, k, transA, transB) = (shape.m, shape.n, shape.k, shape.transA, shape.transB)
    self.threads = threads
    self.gflops = gflops
    numpy_gflops = numpy
  }

  public var shape: GEMMShape { GEMMShape(m: m, n: n, k: k, transA: transA, transB: transB) }
}

/// The reference network's epoch time with one thread count.
public struct EpochResult: Codable, Sendable {
  public let threads: Int
  /// The median of `per_epoch`.
  public let seconds: Double
  public let samples: Int
  public let per_epoch: [Double]
  public let validation_accuracy: Double
  /// The share of the engine's jobs run on one thread because sharing stopped paying.
  public let alone_share: Double

  public init(
    threads: Int, seconds: Double, samples: Int, per_epoch: [Double], validation_accuracy: Double,
    alone_share: Double = 0
  ) {
    self.alone_share = alone_share
    self.threads = threads
    self.seconds = seconds
    self.samples = samples
    self.per_epoch = per_epoch
    self.validation_accuracy = validation_accuracy
  }
}

/// Everything `mnist-report bench` measured.
public struct BenchResult: Codable, Sendable {
  public var kernels: String
  public var cpu: String
  public var gemm: [GEMMResult]
  /// The epoch time with the most threads measured.
  public var epoch: EpochResult?
  public var epoch_by_threads: [EpochResult]
  public var load_seconds: Double?
  public var peak_rss_bytes: Int
  public var reference_test_accuracy: Double?
  public var reference_test_loss: Double?

  public init(
    kernels: String, cpu: String, gemm: [GEMMResult], epoch: EpochResult?, epoch_by_threads: [EpochResult],
    load_seconds: Double?, peak_rss_bytes: Int, reference_test_accuracy: Double?, reference_test_loss: Double?
  ) {
    self.kernels = kernels
    self.cpu = cpu
    self.gemm = gemm
    self.epoch = epoch
    self.epoch_by_threads = epoch_by_threads
    self.load_seconds = load_seconds
    self.peak_rss_bytes = peak_rss_bytes
    self.reference_test_accuracy = reference_test_accuracy
    self.reference_test_loss = reference_test_loss
  }
}

public func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  let mid = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// The process's peak resident set size, from getrusage (kilobytes on Linux).
public func peakResidentBytes() -> Int {
  var usage = rusage()
  #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
  #else
    getrusage(RUSAGE_SELF, &usage)
    return usage.ru_maxrss
  #endif
}
