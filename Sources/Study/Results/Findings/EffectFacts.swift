import Data
import Statistics

/// What mattered, across the study: every effect it measured against a reference, each with
/// the interval and the corrected verdict its own cell states, in order of size; and what
/// the study did not measure (its limits). Computed by the analysis
/// (`EffectFacts.init(_:keyResults:)`), kept in results.json as the study's `effects`.
public struct EffectFacts: Codable, Sendable {
  /// Largest absolute difference first (ties in the study's order).
  public let effects: [Effect]
  public let limits: Limits

  /// A choice against its reference.
  public struct Effect: Codable, Sendable, Equatable {
    /// The cell that measured it.
    public let cell: String
    /// The choice, and what it is compared with, as the cell names them ("GELU", "ReLU").
    public let name: String
    public let reference: String
    public let measure: Measure
    /// The choice minus its reference, with the interval its verdict is decided by (at the
    /// level a correction tests it at, so that it excludes 0 exactly when the verdict is
    /// better or worse), and that interval's confidence.
    public let difference: Estimate
    public let confidence: Double
    public let verdict: Comparison.Verdict
    /// The p value of the test of a difference (Holm-adjusted in a family), and of the two
    /// one-sided tests of equivalence, when there is a margin; nil for a bootstrap.
    public let p: Double?
    public let equivalenceP: Double?
    /// The level `p` was tested at: 5%, or a sequential design's boundary at its last look.
    public let level: Double
    /// The equivalence margin, when the cell has one.
    public let margin: Double?
    /// The difference test's own p, before any correction.
    public let unadjustedP: Double?
    /// `unadjustedP` adjusted by Holm's method over every effect of the study that has one:
    /// what stays decided at 5% when the whole study is taken as one family (nil without a p).
    public var studyWideP: Double?
    /// The comparisons the cell corrected together.
    public let family: Int
    /// Repeats of the choice and of the reference.
    public let repeats: Int
    public let referenceRepeats: Int
    /// The smallest true difference the comparison finds 80% of the time.
    public let detectable: Double?
    /// Epochs each run trained at most.
    public let epochs: Int
    /// Whether the reference was picked after the results were seen (the grid's best column).
    public let afterTheFact: Bool
  }

  public enum Measure: String, Codable, Sendable {
    /// The best validation accuracy of each repeat, on the split that repeat drew.
    case validationAccuracy = "validation_accuracy"
    /// Test accuracy, over seeds and test images.
    case testAccuracy = "test_accuracy"
  }

  /// What the study's verdicts cannot speak to.
  public struct Limits: Codable, Sendable, Equatable {
    /// Each training cell's epochs per run (the fewest and the most its runs may train).
    public let epochs: [CellEpochs]
    public let validationImages: Int
    public let normalization: Normalization
    public let testImages: Int
    /// The cells evaluated on the test set; every other verdict is on validation accuracy.
    public let testedCells: [String]
    /// The settings keys no cell varied: every run of the study has `shared`'s value.
    public let unvaried: [SettingKey]
    public let shared: RunSettings?
    /// Whether each repeat drew its own training/validation split.
    public let resampled: Bool

    public struct CellEpochs: Codable, Sendable, Equatable {
      public let cell: String
      public let fewest: Int
      public let most: Int
    }
  }
}
