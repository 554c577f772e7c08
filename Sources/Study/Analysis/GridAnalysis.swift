import Statistics
import Tensor

extension GridFacts {
  /// Facts of `grid` and its `runs` (row-major, each with its repeats); `cell` is the grid's
  /// id, for where times were measured; the bootstraps draw from `seed`'s streams.
  public init(_ grid: GridResult, runs: [NamedRun] = [], cell: String = "", seed: SeedPath = SeedPath(0)) {
    let width = grid.columnValues.count
    let scores: (Point) -> [Double] = { p in
      let index = p.row * width + p.column
      guard index < runs.count else { return [grid.accuracy[p.row][p.column]] }
      return runs[index].all.map(\.bestValidationAccuracy)
    }
    repeats = runs.map(\.all.count).min() ?? 1
    networks = grid.accuracy.indices.map { r in
      grid.accuracy[r].indices.map { c in
        let index = r * width + c
        guard index < runs.count else {
          return Network(
            parameters: grid.parameters[r][c], accuracy: Spread([grid.accuracy[r][c]]), secondsPerEpoch: nil)
        }
        let point = runs[index].all
        let timed = point.allSatisfy { $0.timed(in: cell) }
        return Network(
          parameters: grid.parameters[r][c], accuracy: Spread(point.map(\.bestValidationAccuracy).filter(\.isFinite)),
          secondsPerEpoch: timed ? Spread(point.map { $0.seconds / Double(max(1, $0.history.epochs.count)) }) : nil)
      }
    }
    let best = Self.bestPoint(grid)
    self.best = best
    bestAccuracy = grid.accuracy[best.row][best.column]
    bestParameters = grid.parameters[best.row][best.column]
    func compare(_ a: Point, _ b: Point, _ stream: String) -> PairedComparison? {
      let pairs = zip(scores(a), scores(b)).filter { $0.0.isFinite && $0.1.isFinite }
      guard pairs.count >= 2 else { return nil }
      return pairedComparison(pairs.map(\.0), pairs.map(\.1), seed: seed, stream)
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
