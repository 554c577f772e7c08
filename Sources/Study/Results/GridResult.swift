import Foundation

/// A grid cell's results: validation accuracy and parameter count per point.
public struct GridResult: Codable, Sendable {
  public var rowKey: SettingKey
  public var rowValues: [SettingValue]
  public var columnKey: SettingKey
  public var columnValues: [SettingValue]
  /// Row-major, the best validation accuracy of each point's run (the mean over its
  /// repeats).
  public var accuracy: [[Double]]
  public var parameters: [[Int]]
  /// Each point's training time (the mean over its repeats).
  public var seconds: [[Double]]
  /// The sample standard deviation of `accuracy` over the repeats; nil without repeats.
  public var accuracySD: [[Double]]?

  /// `accuracy_sd`: the strategies write `accuracySD` as `accuracy_sd` but read it back as
  /// `accuracySd`.
  enum CodingKeys: String, CodingKey {
    case rowKey, rowValues, columnKey, columnValues, accuracy, parameters, seconds
    case accuracySD = "accuracySd"
  }
}
