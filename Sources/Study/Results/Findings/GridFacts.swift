import Statistics

/// What a grid shows, over its repeats: every point's numbers, the best point, the smallest
/// network the repeats cannot tell from it, what the row setting does at the best column,
/// and the spread of the whole grid. With one repeat per point nothing is ranked. Computed
/// by the analysis (`GridFacts.init(_:runs:cell:seed:)`).
public struct GridFacts: Codable, Sendable {
  /// A point of the grid: its row and column.
  public struct Point: Codable, Sendable, Equatable {
    public let row: Int
    public let column: Int

    public init(row: Int, column: Int) { (self.row, self.column) = (row, column) }
  }

  /// One network of the grid over its repeats.
  public struct Network: Codable, Sendable {
    public let parameters: Int
    /// Best validation accuracy over the repeats that did not diverge (none: all diverged).
    public let accuracy: Spread
    /// Seconds per epoch (a run's seconds over its epochs), nil when not every repeat was
    /// timed by this cell's build.
    public let secondsPerEpoch: Spread?
    /// Against the best, for a network with fewer parameters than it (with repeats): one of
    /// the family that `smallestClose` is chosen by.
    public let comparison: Comparison?
  }

  /// Repeats per point.
  public let repeats: Int
  /// Row by row.
  public let networks: [[Network]]
  /// The point with the highest mean accuracy (on a tie, the one with the fewest parameters,
  /// then the first in row-major order).
  public let best: Point
  /// Every point with that same mean: the best, and those tied with it.
  public let highest: [Point]
  public let bestAccuracy: Double
  public let bestParameters: Int
  /// The network with the fewest parameters that is as good as the best: not worse by its
  /// comparison with the best (with repeats; Welch's t, the networks drawing different
  /// random numbers, Holm-corrected among every smaller network's), or within `tolerance`
  /// (without); nil when it is the best itself.
  public let smallestClose: Point?
  /// `smallestClose`'s comparison with the best, with repeats.
  public var smallestComparison: Comparison? { smallestClose.flatMap { networks[$0.row][$0.column].comparison } }
  /// How many times fewer parameters `smallestClose` has.
  public let sizeRatio: Double?
  /// The last row against the first at the best column: the mean difference, and with
  /// repeats the paired comparison (nil with one row).
  public let rowEffect: Double?
  public let rowComparison: Comparison?
  /// The worst mean accuracy of the grid.
  public let worst: Double

  /// Without repeats, "as good as the best" means within a tenth of a point: 6 of 6,000
  /// validation images, about what two seeds of one network differ by.
  public static let tolerance = 0.001
}
