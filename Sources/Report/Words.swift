import Statistics
import Study

/// The report's vocabulary for what its numbers show: each word a finding uses for a
/// comparison (better, worse, equivalent, indistinguishable), a tie, a change of a gap or a
/// count is chosen here from the stored facts alone, never written by hand beside a number,
/// so that a sentence cannot say more than its facts hold (the claims tests check it).
enum Words {
  /// The verdict as the sentences say it.
  static func verdict(_ comparison: Comparison) -> String {
    switch comparison.verdict {
    case .better: return "better"
    case .worse: return "worse"
    case .equivalent: return "equivalent within ±\(margin(comparison.margin ?? 0))"
    case .indistinguishable: return "indistinguishable"
    case .single: return "not compared (one run each)"
    }
  }

  /// The verdict over seeds and test images, as the sentences say it.
  static func verdict(_ images: SeedsAndImages) -> String { verdict(images.verdict, margin: images.margin) }

  /// A verdict with the margin equivalence was decided against.
  static func verdict(_ verdict: Comparison.Verdict, margin: Double?) -> String {
    switch verdict {
    case .better: return "better"
    case .worse: return "worse"
    case .equivalent: return "equivalent within ±\(self.margin(margin ?? 0))"
    case .indistinguishable, .single: return "indistinguishable"
    }
  }

  /// The numbers behind a verdict: "+0.50 pt [+0.20, +0.80], p = 0.004, P(better) 1.00";
  /// `wins` names the probability where "better" would mislead (a larger gap).
  static func evidence(_ comparison: Comparison, wins: String = "P(better)") -> String {
    guard comparison.p != nil else { return Format.points(comparison.difference.value) }
    return
      "\(Format.difference(comparison.difference)), \(Format.pValue(comparison)), \(wins) \(Format.probability(comparison))"
  }

  /// A difference of accuracies without its sign: "0.42 pt".
  static func margin(_ difference: Double) -> String { String(format: "%.2f pt", abs(difference) * 100) }

  /// "3 repeats", "one run".
  static func repeats(_ n: Int) -> String { n == 1 ? "one run" : "\(n) repeats" }

  /// What the repeats could have found: "these repeats find a true difference of 0.45 pt 80%
  /// of the time" (at the family's strictest level); nil without a spread.
  static func detectable(_ comparison: Comparison) -> String? { comparison.detectable.map(detectable) }

  /// "a true difference of 0.45 pt would be found 80% of the time".
  static func detectable(_ difference: Double) -> String {
    "a true difference of \(margin(difference)) would be found \(Format.percent(Comparison.power, decimals: 0)) of the time"
  }

  /// How a comparison was tested, as a clause: "paired by seed", "by Welch's t" (`why`: with
  /// the reason it is not paired).
  static func test(_ design: Design, why: Bool = true) -> String {
    switch design {
    case .paired: return "paired by seed"
    case .unpaired: return "by Welch's t" + (why ? " (their runs draw different random numbers)" : "")
    case .folds: return "fold by fold, with Nadeau and Bengio's correction"
    }
  }

  /// The correction of a family: "with Holm's correction for 3 comparisons", or nothing.
  static func correction(_ family: Int) -> String {
    family > 1 ? " with Holm's correction for \(family) comparisons" : ""
  }

  /// Names with the highest value: one, or a tie said to be one.
  static func highest(_ names: [String]) -> String {
    let bold = names.map { "**\($0)**" }
    return names.count == 1 ? bold[0] : "\(Format.list(bold)) (tied)"
  }

  /// "is" or "are" for `count` subjects.
  static func be(_ count: Int) -> String { count == 1 ? "is" : "are" }
}
