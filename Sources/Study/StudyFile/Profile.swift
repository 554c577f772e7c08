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
