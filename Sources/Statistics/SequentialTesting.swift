import Tensor

/// Several comparisons with one reference (a cell's variants against its reference),
/// looked at after each look of a `SequentialDesign` until each is decided: the rule a cell
/// with adaptive repeats follows, and the one its analysis replays from the runs.
///
/// At look k the comparisons still open, each on its first `looks[k]` repeats, are tested
/// together by Holm's correction at the α the design spends at that look (`spentAtLooks`,
/// which holds for t tests on few repeats, where the boundaries' normal levels do not): one
/// found better, worse or equivalent stops and keeps that verdict; the others go on to the
/// next look, and at the last look every open comparison stops with its verdict there.
/// Holm's step-down drops the comparisons already decided, as a closed test does, and the
/// looks' shares of α add up to the design's α; the simulation test checks the rate, and the
/// power.
public enum SequentialTesting {
  /// The open comparisons (nil: decided before, or no comparison) as tested at look `k`.
  public static func look(_ k: Int, of design: SequentialDesign, open: [Comparison?]) -> [Comparison?] {
    Comparison.holm(open, level: design.spentAtLooks[k])
  }

  /// Whether `comparison`, tested at look `k`, stops: it is decided, or the look is the last.
  public static func stops(_ comparison: Comparison, look k: Int, of design: SequentialDesign) -> Bool {
    k == design.looks.count - 1 || [.better, .worse, .equivalent].contains(comparison.verdict)
  }

  /// Runs every look over values that a caller gives per comparison and count: `values(i,
  /// n)` is comparison i's two sides on their first n repeats, and its design. Returns each
  /// comparison's final state and the look it stopped at.
  public static func run(
    _ count: Int, design: SequentialDesign, margin: Double? = nil,
    values: (_ comparison: Int, _ repeats: Int) -> (a: [Double], b: [Double], design: Design)
  ) -> [(comparison: Comparison, look: Int)] {
    var result: [(comparison: Comparison, look: Int)?] = Array(repeating: nil, count: count)
    var generator = Xoshiro256(seed: 0)
    for (k, n) in design.looks.enumerated() {
      let open: [Comparison?] = (0..<count).map { i in
        guard result[i] == nil else { return nil }
        let (a, b, d) = values(i, n)
        return Comparison(a, b, design: d, margin: margin, generator: &generator, interim: true)
      }
      for (i, tested) in look(k, of: design, open: open).enumerated() {
        if let tested, stops(tested, look: k, of: design) { result[i] = (tested, k) }
      }
      if result.allSatisfy({ $0 != nil }) { break }
    }
    return result.map { $0! }
  }
}
