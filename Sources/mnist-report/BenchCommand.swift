import ArgumentParser
import Data
import Foundation
import Tensor

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure the speed of the data pipeline and the engine on this machine.",
    discussion: """
      The one place where mnist-report measures speed. Each figure is the median of several repetitions after a warm-up.
      """)

  @Flag(help: "Print one JSON object instead of a table.")
  var json = false

  @Option(help: "How many times to repeat each measurement (the median is reported).")
  var repeats: Int = 5

  @Option(help: "Measure with this many threads only (default: 1 and every count up to the number of cores).")
  var threads: Int?

  @Flag(help: "Skip numpy's GEMM, which is measured in the same run as a yardstick when python3 has numpy.")
  var noNumpy = false

  @OptionGroup var data: DatasetOptions

  func validate() throws {
    if repeats < 1 { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
  }

  @Option(help: "Epochs of the reference network to time for each thread count (the median is reported).")
  var epochs: Int = 5

  @Option(
    help:
      "Measure only this part: gemm, epoch, load or accuracy (the reference network's test accuracy after 15 epochs).")
  var only: BenchPart?

  enum BenchPart: String, ExpressibleByArgument, CaseIterable {
    case gemm, epoch, load, accuracy
  }

  func measures(_ part: BenchPart) -> Bool { only == nil || only == part }

  func run() throws {
    let threadCounts = threads.map { [$0] } ?? Array(1...max(1, ProcessInfo.processInfo.activeProcessorCount))
    var gemm: [GEMMResult] = []
    for count in threadCounts where measures(.gemm) {
      let numpy = noNumpy ? nil : measureNumpyGEMM(GEMMShape.referenceNetwork, threads: count, rounds: repeats)
      for shape in GEMMShape.referenceNetwork {
        let ours = measureGEMM(shape, threads: count, rounds: repeats)
        gemm.append(
          GEMMResult(
            m: shape.m, n: shape.n, k: shape.k, transA: shape.transA, transB: shape.transB, threads: count,
            gflops: ours, numpy_gflops: numpy?[shape]))
      }
    }
    let source = try data.source()
    let dataset = try DatasetLoader.load(source)  // also warms the page cache
    var loads: [Double] = []
    for _ in 0..<(measures(.load) ? repeats : 0) {
      loads.append(try DatasetLoader.load(source).seconds)
    }
    let prepared = PreparedData(
      dataset, validationCount: data.validation, seed: data.seed, normalization: data.normalization)
    var epochResults: [EpochResult] = []
    for count in threadCounts where epochs > 0 && measures(.epoch) {
      let (seconds, history) = measureEpochs(prepared, threads: count, epochs: epochs)
      epochResults.append(
        EpochResult(
          threads: count, seconds: median(seconds), samples: prepared.train.count, per_epoch: seconds,
          validation_accuracy: history.epochs.last?.validationAccuracy ?? 0))
    }
    let accuracy =
      measures(.accuracy)
      ? referenceAccuracy(prepared, threads: threadCounts.max()!, epochs: 15, seed: data.seed) : nil
    let result = BenchResult(
      kernels: Kernels.best.name, cpu: Kernels.cpuName, gemm: gemm, epoch: epochResults.max { $0.threads < $1.threads },
      epoch_by_threads: epochResults,
      load_seconds: loads.isEmpty ? nil : median(loads),
      peak_rss_bytes: peakResidentBytes(),
      reference_test_accuracy: accuracy?.accuracy, reference_test_loss: accuracy?.loss)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(result), as: UTF8.self))
    } else {
      print("kernels: \(result.kernels) on \(result.cpu)")
      var table = TextTable(header: ["GEMM", "threads", "GFLOP/s", "numpy", "ratio"], rightAligned: [1, 2, 3, 4])
      if gemm.isEmpty { table.header = [] }
      for row in gemm {
        let shape = GEMMShape(m: row.m, n: row.n, k: row.k, transA: row.transA, transB: row.transB)
        table.rows.append([
          shape.label, String(row.threads), String(format: "%.1f", row.gflops),
          row.numpy_gflops.map { String(format: "%.1f", $0) } ?? "-",
          row.numpy_gflops.map { String(format: "%.0f%%", 100 * row.gflops / $0) } ?? "-",
        ])
      }
      if !gemm.isEmpty { print(table.render()) }
      for row in epochResults {
        print(
          String(
            format: "epoch of the reference network, %d thread%@: %.3f s median (%@), validation accuracy %.2f%%",
            row.threads, row.threads == 1 ? "" : "s", row.seconds,
            row.per_epoch.map { String(format: "%.3f", $0) }.joined(separator: " "), 100 * row.validation_accuracy))
      }
      if let accuracy {
        print(
          String(
            format: "reference network after 15 epochs: test accuracy %.2f%%, test loss %.4f", 100 * accuracy.accuracy,
            accuracy.loss))
      }
      if let seconds = result.load_seconds {
        print(
          String(
            format: "data load (read + decompress + verify + convert, %@): %.3f s median of %d", source.name, seconds,
            repeats))
      }
      print("peak resident memory: \(grouped(result.peak_rss_bytes / 1_048_576)) MiB")
    }
  }
}

struct GEMMResult: Codable {
  let m, n, k: Int
  let transA, transB: Bool
  let threads: Int
  let gflops: Double
  let numpy_gflops: Double?
}

struct EpochResult: Codable {
  let threads: Int
  let seconds: Double
  let samples: Int
  let per_epoch: [Double]
  let validation_accuracy: Double
}

struct BenchResult: Codable {
  var kernels: String
  var cpu: String
  var gemm: [GEMMResult]
  /// The epoch time with the most threads measured.
  var epoch: EpochResult?
  var epoch_by_threads: [EpochResult]
  var load_seconds: Double?
  var peak_rss_bytes: Int
  var reference_test_accuracy: Double?
  var reference_test_loss: Double?
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  let mid = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// The process's peak resident set size, from getrusage (kilobytes on Linux).
func peakResidentBytes() -> Int {
  var usage = rusage()
  #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
  #else
    getrusage(RUSAGE_SELF, &usage)
  #endif
  #if os(Linux)
    return usage.ru_maxrss * 1024
  #else
    return usage.ru_maxrss
  #endif
}
