import ArgumentParser
import Benchmark
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

  @Flag(
    help:
      "Time the reference network's epochs on 1 and 2 threads quietly, then again with a busy loop started here on one core, and report the ratios (targets: 2 threads at least 1.6× faster when quiet, at most 1.1× the 1-thread time when a core is busy)."
  )
  var contention = false

  func validate() throws {
    if repeats < 1 { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
  }

  @Option(help: "Epochs of the reference network to time for each thread count (the median is reported).")
  var epochs: Int = 5

  @Option(
    help:
      "Measure only this part: gemm, epoch, load or accuracy (the reference network's test accuracy after 15 epochs).")
  var only: BenchmarkPlan.Part?

  func run() throws {
    if contention { return try runContention() }
    var plan = BenchmarkPlan(
      threadCounts: threads.map { [$0] } ?? Array(1...max(1, ProcessInfo.processInfo.activeProcessorCount)))
    if let only { plan.parts = [only] }
    plan.repeats = repeats
    plan.epochs = epochs
    plan.numpy = !noNumpy
    let settings = data.settings
    let result = try Benchmark.run(plan, data: settings, directory: nil)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(result), as: UTF8.self))
      return
    }
    print("kernels: \(result.kernels) on \(result.cpu)")
    var table = TextTable(header: ["GEMM", "threads", "GFLOP/s", "numpy", "ratio"], rightAligned: [1, 2, 3, 4])
    for row in result.gemm {
      table.rows.append([
        row.shape.label, String(row.threads), String(format: "%.1f", row.gflops),
        row.numpy_gflops.map { String(format: "%.1f", $0) } ?? "-",
        row.numpy_gflops.map { String(format: "%.0f%%", 100 * row.gflops / $0) } ?? "-",
      ])
    }
    if !result.gemm.isEmpty { print(table.render()) }
    for row in result.epoch_by_threads {
      print(
        String(
          format: "epoch of the reference network, %d thread%@: %.3f s median (%@), validation accuracy %.2f%%",
          row.threads, row.threads == 1 ? "" : "s", row.seconds,
          row.per_epoch.map { String(format: "%.3f", $0) }.joined(separator: " "), 100 * row.validation_accuracy))
    }
    if let accuracy = result.reference_test_accuracy, let loss = result.reference_test_loss {
      print(
        String(
          format: "reference network after 15 epochs: test accuracy %.2f%%, test loss %.4f", 100 * accuracy, loss))
    }
    if let seconds = result.load_seconds {
      print(
        String(
          format: "data load (read + decompress + verify + convert, %@): %.3f s median of %d", settings.datasetName,
          seconds, repeats))
    }
    print("peak resident memory: \(grouped(result.peak_rss_bytes / 1_048_576)) MiB")
  }
}

extension BenchmarkPlan.Part: ExpressibleByArgument {}

extension BenchCommand {
  /// Epochs on 1 and 2 threads, quiet and beside a busy loop on one core.
  func runContention() throws {
    var plan = BenchmarkPlan(threadCounts: [1, 2])
    plan.parts = [.epoch]
    plan.epochs = epochs
    let quiet = try Benchmark.run(plan, data: data.settings, directory: nil)
    let loop = Process()
    loop.executableURL = URL(fileURLWithPath: "/bin/sh")
    loop.arguments = ["-c", "while :; do :; done"]
    try loop.run()
    defer {
      loop.terminate()
      loop.waitUntilExit()
    }
    let busy = try Benchmark.run(plan, data: data.settings, directory: nil)
    func seconds(_ result: BenchResult, _ threads: Int) -> Double {
      result.epoch_by_threads.first { $0.threads == threads }?.seconds ?? .nan
    }
    func alone(_ result: BenchResult) -> Double { result.epoch_by_threads.first { $0.threads == 2 }?.alone_share ?? 0 }
    let (q1, q2, b1, b2) = (seconds(quiet, 1), seconds(quiet, 2), seconds(busy, 1), seconds(busy, 2))
    if json {
      struct Contention: Encodable {
        let quiet_1_thread, quiet_2_threads, busy_1_thread, busy_2_threads: Double
        let quiet_speedup, busy_ratio: Double
        let quiet_alone_share, busy_alone_share: Double
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      let value = Contention(
        quiet_1_thread: q1, quiet_2_threads: q2, busy_1_thread: b1, busy_2_threads: b2, quiet_speedup: q1 / q2,
        busy_ratio: b2 / b1, quiet_alone_share: alone(quiet), busy_alone_share: alone(busy))
      print(String(decoding: try encoder.encode(value), as: UTF8.self))
      return
    }
    print("epoch of the reference network, median of \(epochs) (kernels \(quiet.kernels)):")
    print(
      String(
        format:
          "  quiet:          1 thread %.3f s, 2 threads %.3f s: 2 threads %.2f× faster (target ≥ 1.6×); %.0f%% of jobs run alone",
        q1, q2, q1 / q2, 100 * alone(quiet)))
    print(
      String(
        format:
          "  one core busy:  1 thread %.3f s, 2 threads %.3f s: 2 threads take %.2f× the 1-thread time (target ≤ 1.1×); %.0f%% of jobs run alone",
        b1, b2, b2 / b1, 100 * alone(busy)))
  }
}
