import Foundation

/// What a build needs besides the study.
public struct BuildOptions: Sendable {
  /// The folder of the results (`results.json`, `runs/*.csv`, `predictions.csv`).
  public var output: String
  public var cacheDirectory: String
  /// Recompute every cell (and run), ignoring the cache.
  public var force = false
  /// Compute only these cells; the others come from the cache if they are there.
  public var only: [String] = []
  /// Train the runs that `work` tasks left missing (a distributed build otherwise stops and
  /// names them).
  public var trainMissing = false
  public var profile = Profile.full
  /// Threads to train with (trials run side by side, one thread each).
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  /// The memory the build may use, in bytes (`--memory`); nil: the machine's, or its
  /// control group's limit (`MemoryLimit.machine`).
  public var memoryLimit: Double?
  /// A folder holding the dataset's files instead of the built-in location.
  public var dataDirectory: String?

  public init(output: String, cacheDirectory: String) {
    self.output = output
    self.cacheDirectory = cacheDirectory
  }
}
