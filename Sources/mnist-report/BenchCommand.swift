import ArgumentParser
import Data
import Foundation

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

  @OptionGroup var data: DatasetOptions

  func validate() throws {
    if repeats < 1 { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
  }

  func run() throws {
    let source = try data.source()
    _ = try DatasetLoader.load(source)  // warm the page cache
    var loads: [Double] = []
    for _ in 0..<repeats {
      loads.append(try DatasetLoader.load(source).seconds)
    }
    let result = BenchResult(load_seconds: median(loads), peak_rss_bytes: peakResidentBytes())
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(result), as: UTF8.self))
    } else {
      print(
        String(
          format: "data load (read + decompress + verify + convert, %@): %.3f s median of %d", source.name,
          result.load_seconds, repeats))
      print("peak resident memory: \(grouped(result.peak_rss_bytes / 1_048_576)) MiB")
    }
  }
}

struct BenchResult: Codable {
  var load_seconds: Double
  var peak_rss_bytes: Int
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
