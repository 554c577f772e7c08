import Foundation

/// A group-sequential design: a comparison looked at after `looks[0]` repeats, again after
/// `looks[1]`, …, and stopped at the first look whose test passes the look's boundary. The
/// boundaries are O'Brien–Fleming's by Lan and DeMets' alpha-spending function
/// `α(t) = 2 − 2Φ(z₁₋α/₂ / √t)` (two-sided), t the information fraction `looks[k] / looks.last`:
/// strict early (little α is spent on the first looks) and close to a fixed design's at the
/// last, so that testing at every look keeps the false-positive rate at α. Each boundary is
/// found by Armitage, McPherson and Rowe's recursive numerical integration (Jennison and
/// Turnbull, "Group Sequential Methods", ch. 19), as R's gsDesign and ldbounds compute them.
public struct SequentialDesign: Codable, Sendable, Equatable {
  /// The repeats at each look, increasing.
  public let looks: [Int]
  /// The overall two-sided false-positive rate.
  public let alpha: Double
  /// Each look's boundary for |Z|.
  public let boundaries: [Double]

  public init(looks: [Int], alpha: Double = 0.05) {
    precondition(!looks.isEmpty && zip(looks, looks.dropFirst()).allSatisfy { $0 < $1 }, "looks must increase")
    self.looks = looks
    self.alpha = alpha
    boundaries = Self.boundaries(information: looks.map(Double.init), alpha: alpha)
  }

  /// The two-sided nominal level of each look's test: `2(1 − Φ(c_k))`.
  public var nominalLevels: [Double] { boundaries.map { 2 * Normal.survival($0) } }

  /// The alpha spent on both sides by the information fraction `t`: `α/2` on each by
  /// `2 − 2Φ(z₁₋α/₄ / √t)`, as gsDesign's `sfLDOF` and ldbounds spend it.
  public static func spent(_ t: Double, alpha: Double) -> Double {
    t <= 0 ? 0 : t >= 1 ? alpha : 2 * (2 - 2 * Normal.cdf(Normal.quantile(1 - alpha / 4) / t.squareRoot()))
  }

  /// Points of the grid each density is integrated on.
  static let gridPoints = 401

  static func boundaries(information: [Double], alpha: Double) -> [Double] {
    let total = information.last!
    var bounds: [Double] = []
    // The density of the score S_k = Z_k √I_k on the continuation region of the looks so far.
    var grid: [Double] = []
    var density: [Double] = []
    var spentSoFar = 0.0
    for (k, info) in information.enumerated() {
      let target = spent(info / total, alpha: alpha) - spentSoFar
      if k == 0 {
        let c = Normal.quantile(1 - target / 2)
        bounds.append(c)
        (grid, density) = continuation(bound: c * info.squareRoot()) { s in
          Normal.density(s / info.squareRoot()) / info.squareRoot()
        }
      } else {
        let step = (info - information[k - 1]).squareRoot()
        // P(exit at look k | continued so far) as a function of the boundary c.
        func exit(_ c: Double) -> Double {
          let edge = c * info.squareRoot()
          return integrate(
            grid,
            density.enumerated().map { i, f in
              f * (Normal.survival((edge - grid[i]) / step) + Normal.cdf((-edge - grid[i]) / step))
            })
        }
        var low = 0.0
        var high = 40.0
        for _ in 0..<200 {
          let mid = (low + high) / 2
          if exit(mid) > target { low = mid } else { high = mid }
          if high - low < 1e-12 { break }
        }
        let c = (low + high) / 2
        bounds.append(c)
        let (previousGrid, previous) = (grid, density)
        (grid, density) = continuation(bound: c * info.squareRoot()) { s in
          integrate(
            previousGrid,
            previous.enumerated().map { i, f in
              f * Normal.density((s - previousGrid[i]) / step) / step
            })
        }
      }
      spentSoFar += target
    }
    return bounds
  }

  /// A grid on (−bound, bound) and `f` on it.
  private static func continuation(bound: Double, _ f: (Double) -> Double) -> ([Double], [Double]) {
    let grid = (0..<gridPoints).map { -bound + 2 * bound * Double($0) / Double(gridPoints - 1) }
    return (grid, grid.map(f))
  }

  /// Simpson's rule over an evenly spaced grid of an odd number of points.
  private static func integrate(_ grid: [Double], _ values: [Double]) -> Double {
    let h = (grid[grid.count - 1] - grid[0]) / Double(grid.count - 1)
    var sum = values[0] + values[values.count - 1]
    for i in 1..<(values.count - 1) { sum += values[i] * (i % 2 == 1 ? 4 : 2) }
    return sum * h / 3
  }
}
