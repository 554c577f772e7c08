import Statistics
import Tensor

extension GridFacts {
  /// Facts of `grid` and its `runs` (row-major, each with its repeats); `cell` is the grid's
  /// id, for where times were measured; the bootstraps draw from `seed`'s streams; `margin`
  /// is the study's equivalence margin.
  public init(
    _ grid: GridResult, runs: [NamedRun] = [], cell: String = "", seed: SeedPath = SeedPath(0), margin: Double? = nil
  ) {
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
    highest = grid.accuracy.indices.flatMap { r in
      grid.accuracy[r].indices.filter { grid.accuracy[r][$0] == grid.accuracy[best.row][best.column] }.map {
        Point(row: r, column: $0)
      }
    }
    func settings(_ p: Point) -> RunSettings? {
      let index = p.row * width + p.column
      return index < runs.count ? runs[index].run.settings : nil
    }
    func compare(_ a: Point, _ b: Point, _ stream: String) -> Comparison? {
      let (x, y) = (scores(a), scores(b))
      guard x.filter(\.isFinite).count >= 2, y.filter(\.isFinite).count >= 2 else { return nil }
      return compared(
        x, y, design: design(settings(a), settings(b), counts: (x.count, y.count)), margin: margin, seed: seed, stream)
    }
    // Every smaller network against the best, and the last row against the first at the
    // best column: one family for Holm's correction.
    var smaller: [Point] = []
    for r in grid.accuracy.indices {
      for c in grid.accuracy[r].indices where grid.accuracy[r][c].isFinite {
        if grid.parameters[r][c] < bestParameters { smaller.append(Point(row: r, column: c)) }
      }
    }
    let column = grid.accuracy.map { $0[best.column] }
    let rows = column.count > 1 ? Point(row: column.count - 1, column: best.column) : nil
    var family: [Comparison?] = repeats >= 2 ? smaller.map { compare($0, best, "\($0.row),\($0.column)") } : []
    if repeats >= 2, let rows { family.append(compare(rows, Point(row: 0, column: best.column), "rows")) }
    let corrected = Comparison.holm(family)
    var against: [Int: Comparison] = [:]
    for (k, point) in smaller.enumerated() where k < corrected.count {  // none with one repeat
      against[point.row * width + point.column] = corrected[k]
    }
    networks = grid.accuracy.indices.map { r in
      grid.accuracy[r].indices.map { c in
        let index = r * width + c
        guard index < runs.count else {
          return Network(
            parameters: grid.parameters[r][c], accuracy: Spread([grid.accuracy[r][c]]), secondsPerEpoch: nil,
            comparison: nil)
        }
        let point = runs[index].all
        let timed = point.allSatisfy { $0.timed(in: cell) }
        return Network(
          parameters: grid.parameters[r][c], accuracy: Spread(point.map(\.bestValidationAccuracy).filter(\.isFinite)),
          secondsPerEpoch: timed ? Spread(point.map { $0.seconds / Double(max(1, $0.history.epochs.count)) }) : nil,
          comparison: against[index])
      }
    }
    var smallest = best
    for (k, point) in smaller.enumerated() {
      guard grid.parameters[point.row][point.column] < grid.parameters[smallest.row][smallest.column] else { continue }
      if repeats >= 2 {
        guard let comparison = corrected[k], comparison.verdict != .worse else { continue }
        smallest = point
      } else if grid.accuracy[point.row][point.column] >= bestAccuracy - Self.tolerance {
        smallest = point
      }
    }
    smallestClose = smallest == best ? nil : smallest
    sizeRatio = smallest == best ? nil : Double(bestParameters) / Double(grid.parameters[smallest.row][smallest.column])
    rowEffect = column.count > 1 ? column[column.count - 1] - column[0] : nil
    rowComparison = repeats >= 2 && rows != nil ? corrected.last ?? nil : nil
    worst = grid.accuracy.joined().filter(\.isFinite).min() ?? bestAccuracy
  }

  /// The point with the highest accuracy (on ties, the one with the fewest parameters, then
  /// the first in row-major order); a diverged point (NaN) only when every point diverged.
  public static func bestPoint(_ grid: GridResult) -> Point {
    var best: Point?
    for r in grid.accuracy.indices {
      for c in grid.accuracy[r].indices where grid.accuracy[r][c].isFinite {
        if let b = best {
          let (value, top) = (grid.accuracy[r][c], grid.accuracy[b.row][b.column])
          if value < top || (value == top && grid.parameters[r][c] >= grid.parameters[b.row][b.column]) { continue }
        }
        best = Point(row: r, column: c)
      }
    }
    return best ?? Point(row: 0, column: 0)
  }
}
