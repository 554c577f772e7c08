/// How often a cell's runs are repeated, and whether each repeat also redraws the
/// stratified split of the training file into training and validation images.
///
/// Repeat r of a run draws its weights, shuffling and dropout masks from streams derived
/// from the study's seed by name and r; repeat 0 keeps the streams of an unrepeated run, so
/// a study without repeats is unchanged bit for bit. With `resample`, repeat r ≥ 1 also
/// trains and validates on a split of its own: the variance of data sampling, which
/// Bouthillier et al. ("Accounting for Variance in Machine Learning Benchmarks", MLSys 2021)
/// show matters as much as initialization's.
public struct Replication: Sendable, Hashable {
  /// Runs per setting (at least 1).
  public var count = 1
  public var resample = false

  public init(count: Int = 1, resample: Bool = false) {
    self.count = count
    self.resample = resample
  }

  /// The most repeats a cell may ask for.
  static let maximum = 100

  /// `repeats` and `resample` of `fields`, each defaulting to `defaults`'.
  init(_ fields: [String: YAMLValue], defaults: Replication) throws(StudyError) {
    count = try fields["repeats"]?.int(in: 1...Self.maximum) ?? defaults.count
    resample = try fields["resample"]?.bool() ?? defaults.resample
  }

  /// The data repeat r trains and validates on.
  func data(repeat r: Int) -> TrainingData {
    resample && r > 0 ? .resampled(r) : .split
  }
}
