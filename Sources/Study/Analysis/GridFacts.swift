import Statistics
import Tensor

/// What a grid shows, over its repeats: the best point, the smallest network the repeats
/// cannot tell from it, what the row setting does at the best column, and the spread of
/// the whole grid. With one repeat per point nothing is ranked.
public struct GridFacts: Sendable {
  /// A point of the grid: its row and column.
  public struct Point: Sendable, Equatable {
    public let row: Int
    public let column: Int
  }

  /// Repeats per point.
  public let repeats: Int
  /// The point with the highest mean accuracy.
  public let best: Point
  public let bestAccuracy: Double
  public let bestParameters: Int
  /// The network with the fewest parameters that is as good as the best: not worse by the
  /// paired comparison (with repeats), or within `tolerance` (without); nil when it is the
  /// best itself.
  public let smallestClose: Point?
  /// Its comparison with the best, with repeats.
  public let smallestComparison: PairedComparison?
  /// How many times fewer parameters `smallestClose` has.
  public let sizeRatio: Double?
  /// The last row against the first at the best column: the mean difference, and with
  /// repeats the paired comparison (nil with one row).
  public let rowEffect: Double?
  public let rowComparison: PairedComparison?
  /// The worst mean accuracy of the grid.
  public let worst: Double

  /// Without repeats, "as good as the best" means within a tenth of a point: 6 of 6,000
  /// validation images, about what two seeds of one network differ by.
  public static let tolerance = 0.001

  public init(_ grid: GridResult, runs: [NamedRun] = [], seed: SeedPath = SeedPath(0)) {
    let width = grid.columnValues.count
    let scores: (Point) -> [Double] = { p in
      let index = p.row * width + p.column
      guard index < runs.count else { return [grid.accuracy[p.row][p.column]] }
      return runs[index].all.map(\.bestValidationAccuracy)
    }
    repeats = runs.map(\.all.count).min() ?? 1
    let best = Self.bestPoint(grid)
    self.best = best
    bestAccuracy = grid.accuracy[best.row][best.column]
    bestParameters = grid.parameters[best.row][best.column]
    func compare(_ a: Point, _ b: Point, _ stream: String) -> PairedComparison? {
      let pairs = zip(scores(a), scores(b)).filter { $0.0.isFinite && $0.1.isFinite }
      guard pairs.count >= 2 else { return nil }
      var generator = seed.child("bootstrap").child(stream).generator
      return PairedComparison(pairs.map(\.0), pairs.map(\.1), generator: &generator)
    }
    var smallest = best
    var smallestComparison: PairedComparison?
    for r in grid.accuracy.indices {
      for c in grid.accuracy[r].indices where grid.accuracy[r][c].isFinite {
        let point = Point(row: r, column: c)
        guard grid.parameters[r][c] < grid.parameters[smallest.row][smallest.column] else { continue }
        if repeats >= 2 {
          guard let comparison = compare(point, best, "\(r),\(c)"), comparison.verdict != .worse else { continue }
          (smallest, smallestComparison) = (point, comparison)
        } else if grid.accuracy[r][c] >= bestAccuracy - Self.tolerance {
          smallest = point
        }
      }
    }
    smallestClose = smallest == best ? nil : smallest
    self.smallestComparison = smallest == best ? nil : smallestComparison
    sizeRatio = smallest == best ? nil : Double(bestParameters) / Double(grid.parameters[smallest.row][smallest.column])
    let column = grid.accuracy.map { $0[best.column] }
    rowEffect = column.count > 1 ? column[column.count - 1] - column[0] : nil
    rowComparison =
      column.count > 1 && repeats >= 2
      ? compare(Point(row: column.count - 1, column: best.column), Point(row: 0, column: best.column), "rows") : nil
    worst = grid.accuracy.joined().filter(\.isFinite).min() ?? bestAccuracy
  }

  /// The point with the highest accuracy (the first in row-major order on ties); a diverged
  /// point (NaN) only when every point diverged.
  public static func bestPoint(_ grid: GridResult) -> Point {
    var best: Point?
    for r in grid.accuracy.indices {
      for c in grid.accuracy[r].indices where grid.accuracy[r][c].isFinite {
        if let b = best, grid.accuracy[r][c] <= grid.accuracy[b.row][b.column] { continue }
        best = Point(row: r, column: c)
      }
    }
    return best ?? Point(row: 0, column: 0)
  }
}
