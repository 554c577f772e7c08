import Statistics

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
  /// Runs per setting (at least 1); with adaptive repeats, the most a setting may get.
  public var count = 1
  public var resample = false
  /// Adaptive repeats (`repeats: {min: 3, max: 12}`, compare cells only): the looks at which
  /// the comparisons still undecided get more repeats, and the spending function that keeps
  /// their false-positive rate at 5% over the looks (see `SequentialTesting`).
  public var sequential: SequentialDesign?
  /// The equivalence margin, as a difference of accuracies: a difference smaller than this
  /// does not matter, so that two one-sided tests (TOST) can find variants equivalent
  /// instead of only indistinguishable. The study file's `equivalence`, in points (0.2 =
  /// 0.2 pt), for the whole study or one compare cell; nil without one.
  public var equivalence: Double?

  public init(count: Int = 1, resample: Bool = false, sequential: SequentialDesign? = nil) {
    self.count = sequential?.looks.last ?? count
    self.resample = resample
    self.sequential = sequential
  }

  /// The most repeats a cell may ask for.
  static let maximum = 100

  /// The keys of adaptive repeats.
  static let adaptiveKeys = ["min", "max", "step", "spending"]

  /// `repeats` and `resample` of `fields`, each defaulting to `defaults`'. `repeats` is a
  /// number, or `{min, max, step, spending}` for adaptive repeats where `adaptive` allows.
  init(_ fields: [String: YAMLValue], defaults: Replication, adaptive: Bool = false) throws(StudyError) {
    resample = try fields["resample"]?.bool() ?? defaults.resample
    equivalence =
      try fields["equivalence"].map { v throws(StudyError) in try v.double(in: 0...5, open: true) / 100 }
      ?? defaults.equivalence
    guard let value = fields["repeats"] else {
      (count, sequential) = (defaults.count, adaptive ? defaults.sequential : nil)
      if !adaptive, defaults.sequential != nil { count = defaults.sequential!.looks[0] }
      return
    }
    guard value.node.mapping != nil else {
      count = try value.int(in: 1...Self.maximum)
      return
    }
    guard adaptive else {
      throw value.error(
        "adaptive repeats ({min, max}) are for compare cells, whose comparisons decide them; give a number here")
    }
    let entries = Dictionary(
      uniqueKeysWithValues: try value.mapping(allowed: Self.adaptiveKeys).map { ($0.key, $0.value) })
    guard let minValue = entries["min"], let maxValue = entries["max"] else {
      throw value.error("adaptive repeats need min and max, as in {min: 3, max: 12}")
    }
    let low = try minValue.int(in: 2...Self.maximum)
    let high = try maxValue.int(in: 2...Self.maximum)
    guard high > low else { throw maxValue.error("max must be above min (\(low)), found \(high)") }
    let step = try entries["step"]?.int(in: 1...Self.maximum) ?? low
    let spending = try entries["spending"]?.choice(SequentialDesign.Spending.self, what: "spending function") ?? .pocock
    var looks = Array(stride(from: low, to: high, by: step))
    looks.append(high)
    guard looks.count <= Self.maximumLooks else {
      throw (entries["step"] ?? value).error(
        "\(looks.count) looks from \(low) to \(high) by \(step); at most \(Self.maximumLooks): take a larger step")
    }
    sequential = SequentialDesign(looks: looks, spending: spending)
    count = high
  }

  /// The most looks adaptive repeats may take: each is a stage of the build.
  static let maximumLooks = 10

  /// The data repeat r trains and validates on.
  func data(repeat r: Int) -> TrainingData {
    resample && r > 0 ? .resampled(r) : .split
  }
}
