import Statistics

/// What a comparing cell can find, stated before it runs: the smallest true difference of
/// best validation accuracy that its comparisons find with probability `Comparison.power`,
/// at Holm's strictest level (the level of a look over its comparisons), at each repeat
/// count it may reach. The spread comes from the cell's runs the cache already holds, or,
/// before any ran, from `priorSD`.
public struct PlannedPower: Sendable, Encodable {
  public let cell: String
  /// Comparisons of the cell's family (variants against the reference, or the grid's
  /// networks against its best).
  public let comparisons: Int
  public let design: Design
  /// The repeats of each look (one look without adaptive repeats), the level each is
  /// tested at (its share of α over the comparisons), and the difference found there.
  public let repeats: [Int]
  public let levels: [Double]
  public let detectable: [Double?]
  /// The standard deviation assumed: of a paired difference, or of one run's accuracy.
  public let sd: Double
  /// Whether `sd` was measured on the cached runs (else it is `priorSD`).
  public let observed: Bool

  /// The spread assumed before anything ran: 0.10 pt, the standard deviation of the best
  /// validation accuracy between repeats (and of a paired difference between variants that
  /// share their seeds) that an audit of this study's published runs found.
  public static let priorSD = 0.001

  init(cell: String, comparisons: Int, design: Design, replication: Replication, sd: Double?) {
    self.cell = cell
    self.comparisons = comparisons
    self.design = design
    self.sd = sd ?? Self.priorSD
    observed = sd != nil
    let looks = replication.sequential.map { ($0.looks, $0.spentAtLooks) } ?? ([replication.count], [Comparison.alpha])
    repeats = looks.0
    levels = looks.1.map { $0 / Double(max(1, comparisons)) }
    detectable = zip(repeats, levels).map { n, level in
      switch design {
      case .paired, .folds:
        guard n >= 2 else { return nil }
        return Power.detectableDifference(
          standardError: (sd ?? Self.priorSD) / Double(n).squareRoot(), degreesOfFreedom: Double(n - 1),
          alpha: level, power: Comparison.power)
      case .unpaired:
        return Power.detectableDifference(
          pooledSD: sd ?? Self.priorSD, nA: n, nB: n, alpha: level, power: Comparison.power)
      }
    }
  }
}

extension PlannedPower {
  /// Every comparing cell of `study` (compare cells and grids with repeats), each with the
  /// spread its runs in `built` show when it has them.
  static func plan(_ study: Study, built: [BuiltCell]) -> [PlannedPower] {
    study.cells.compactMap { cell in
      let runs = built.first { $0.cell.id == cell.id }
      switch cell.body {
      case .compare(let compare):
        guard compare.variants.count > 1, compare.replication.count > 1 || compare.replication.sequential != nil
        else { return nil }
        let reference = compare.variants[compare.reference]
        let designs = compare.variants.indices.filter { $0 != compare.reference }.map {
          pairedOrNot(compare.variants[$0].settings, reference.settings)
        }
        let design: Design = designs.allSatisfy { $0 == .paired } ? .paired : .unpaired
        var sd: Double?
        if case .compare(_, let named)? = runs?.contents {
          sd = observedSD(
            named.map { $0.all.map(\.bestValidationAccuracy) }, reference: compare.reference, design: design)
        }
        return PlannedPower(
          cell: cell.id, comparisons: compare.variants.count - 1, design: design, replication: compare.replication,
          sd: sd)
      case .grid(let grid):
        let points = grid.settings.joined().count
        guard points > 1, grid.replication.count > 1 else { return nil }
        var sd: Double?
        if case .grid(_, _, let named)? = runs?.contents {
          sd = observedSD(named.map { $0.all.map(\.bestValidationAccuracy) }, reference: nil, design: .unpaired)
        }
        return PlannedPower(
          cell: cell.id, comparisons: points - 1, design: .unpaired, replication: grid.replication, sd: sd)
      default:
        return nil
      }
    }
  }

  /// The spread the runs show: paired, the root mean square of each variant's standard
  /// deviation of differences from the reference, repeat by repeat; unpaired, of each
  /// setting's own standard deviation. Nil with fewer than two finite repeats anywhere.
  static func observedSD(_ scores: [[Double]], reference: Int?, design: Design) -> Double? {
    var variances: [Double] = []
    for (i, values) in scores.enumerated() where i != reference {
      let sample: [Double]
      if design == .paired, let reference {
        sample = zip(values, scores[reference]).map { $0 - $1 }.filter(\.isFinite)
      } else {
        sample = values.filter(\.isFinite)
      }
      guard let sd = Spread(sample).sd else { continue }
      variances.append(sd * sd)
    }
    guard !variances.isEmpty else { return nil }
    return (variances.reduce(0, +) / Double(variances.count)).squareRoot()
  }
}

/// The design two variants' comparison takes with as many repeats each (see `design`).
private func pairedOrNot(_ a: RunSettings, _ b: RunSettings) -> Design { design(a, b, counts: (2, 2)) }
