import Foundation

/// How much of the study a build runs: `full`, or `quick`, the same cells on a small subset
/// with few epochs, for smoke tests and CI.
public struct Profile: Codable, Hashable, Sendable {
  public var name: String
  public var trainLimit: Int?
  public var validationLimit: Int?
  public var testLimit: Int?
  public var maxEpochs: Int?
  public var maxCandidates: Int?
  public var maxFolds: Int?

  enum CodingKeys: String, CodingKey {
    case name
    case trainLimit = "train_limit"
    case validationLimit = "validation_limit"
    case testLimit = "test_limit"
    case maxEpochs = "max_epochs"
    case maxCandidates = "max_candidates"
    case maxFolds = "max_folds"
  }

  public static let full = Profile(name: "full")
  public static let quick = Profile(
    name: "quick", trainLimit: 3000, validationLimit: 600, testLimit: 1000, maxEpochs: 2, maxCandidates: 4,
    maxFolds: 2)

  public static func named(_ name: String) -> Profile? {
    [full, quick].first { $0.name == name }
  }

  /// Whether the build trains the study as written, on all of its data.
  public var isFull: Bool { self == .full }

  /// Settings as this profile trains them (fewer epochs in the quick profile).
  func adjust(_ settings: RunSettings) -> RunSettings {
    guard let maxEpochs else { return settings }
    var adjusted = settings
    adjusted.epochs = min(settings.epochs, maxEpochs)
    if let warmup = adjusted.warmup, warmup.epochs >= adjusted.epochs { adjusted.warmup = nil }
    return adjusted
  }
}

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
  /// A folder holding the dataset's files instead of the built-in location.
  public var dataDirectory: String?

  public init(output: String, cacheDirectory: String) {
    self.output = output
    self.cacheDirectory = cacheDirectory
  }
}

/// The version of the engine's arithmetic, part of every cache key: bump it when a change
/// alters the bits a run produces.
public let engineVersion = "1"

/// The layout of cached results, part of every cache key too: bump it when a stored type
/// changes, so that old entries are simply not found rather than reported as corrupt.
let resultsFormat = "3"

/// The version of results.json's layout (its `format_version`, described by
/// `schemas/results.schema.json`): bump it with the schema when a field changes.
public let resultsFileFormat = 2
