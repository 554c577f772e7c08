/// What a grid shows: the best point, the smallest network close to it, what the row
/// setting does at the best column, and the spread of the whole grid.
public struct GridFacts: Sendable, Equatable {
  /// A point of the grid: its row and column.
  public struct Point: Sendable, Equatable {
    public let row: Int
    public let column: Int
  }

  public let best: Point
  public let bestAccuracy: Double
  public let bestParameters: Int
  /// The network with the fewest parameters within `tolerance` of the best, when it is
  /// another one.
  public let smallestClose: Point?
  /// How many times fewer parameters `smallestClose` has.
  public let sizeRatio: Double?
  /// The accuracy change from the first to the last row, at the best column (nil with one
  /// row).
  public let rowEffect: Double?
  /// The worst accuracy of the grid.
  public let worst: Double

  /// "As good as the best" means within a tenth of a point: 6 of 6,000 validation images,
  /// about what two seeds of one network differ by.
  public static let tolerance = 0.001

  public init(_ grid: GridResult) {
    let best = Self.bestPoint(grid)
    self.best = best
    bestAccuracy = grid.accuracy[best.row][best.column]
    bestParameters = grid.parameters[best.row][best.column]
    var smallest = best
    for r in grid.accuracy.indices {
      for c in grid.accuracy[r].indices
      where grid.accuracy[r][c] >= bestAccuracy - Self.tolerance
        && grid.parameters[r][c] < grid.parameters[smallest.row][smallest.column]
      {
        smallest = Point(row: r, column: c)
      }
    }
    smallestClose = smallest == best ? nil : smallest
    sizeRatio = smallest == best ? nil : Double(bestParameters) / Double(grid.parameters[smallest.row][smallest.column])
    let column = grid.accuracy.map { $0[best.column] }
    rowEffect = column.count > 1 ? column[column.count - 1] - column[0] : nil
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
