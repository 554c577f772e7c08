import Charts
import Data
import Statistics
import Study

/// The closing section, "What mattered": every effect the study measured against its
/// reference, largest first, as one forest plot and one table, phrased from `EffectFacts`
/// (each interval and verdict as its own cell corrected it); then the study's limits.
struct EffectsPresenter {
  let facts: EffectFacts
  let built: BuiltStudy
  let shape: DataShape

  /// The section's one figure file name.
  static let figureID = "what-mattered-effects"

  /// "GELU vs ReLU"; a variant named by a number alone says what it counts, by its cell's
  /// title ("batch size 512 vs 128").
  func label(_ effect: EffectFacts.Effect) -> String {
    let bare = Double(effect.name) != nil
    return "\(bare ? "\(title(effect.cell).lowercased()) " : "")\(effect.name) vs \(effect.reference)"
  }

  func title(_ cell: String) -> String { built.cells.first { $0.cell.id == cell }?.cell.title ?? cell }

  var figure: FigureSpec {
    let effects = facts.effects
    let chart = IntervalChart(
      categories: effects.map { label($0) },
      series: [
        IntervalChart.Series(
          "difference", values: effects.map { $0.difference.value * 100 },
          low: effects.map { ($0.difference.low ?? $0.difference.value) * 100 },
          high: effects.map { ($0.difference.high ?? $0.difference.value) * 100 })
      ], x: Axis("difference of accuracy, points", format: .automatic), reference: (0, "no difference"))
    return FigureSpec(
      figure: Figure(
        title: "What mattered: every effect against its reference",
        subtitle: "largest first; accuracy points, with the interval each verdict is decided by",
        width: 760, height: 150 + 30 * Double(effects.count), chart: .intervals(chart)),
      alt:
        "Every effect of the study as a dot with its interval, largest first: "
        + effects.map { "\(label($0)) \(Format.points($0.difference.value))" }.joined(separator: "; ") + ".",
      caption:
        "Each choice minus its reference, in accuracy points: validation accuracy within a cell, test accuracy for the key comparison. Lines are the intervals better and worse are decided by: at the level each was tested at within its cell (Holm's correction, and the boundary of adaptive repeats' last look; 95% alone), and for the key comparison the 95% bootstrap over seeds and test images. An interval that crosses 0 calls nothing better or worse\(marginNote).",
      wide: true
    ).named(Self.figureID)
  }

  var table: TableView {
    var table = TableBuilder(
      "Every effect, largest first: its difference of validation accuracy (the key comparison's of test accuracy, over seeds and test images) with the interval its verdict rests on; p as its cell tested it (Holm-adjusted, at the α shown where adaptive repeats' last look tested below 5%; TOST: the equivalence tests'), and over the whole study as one Holm family; the repeats of the choice and of its reference; and the true difference its repeats find 80% of the time. Bold: decided (better, worse or equivalent).",
      columns: [
        ("Effect", .left), ("Cell", .left), ("Difference [interval]", .right), ("Verdict", .left),
        ("p, in its cell", .right), ("p, whole study", .right), ("Repeats", .right), ("Detectable", .right),
      ])
    for effect in facts.effects {
      let decided = effect.verdict == .better || effect.verdict == .worse || effect.verdict == .equivalent
      table.add(
        [
          label(effect) + (effect.measure == .testAccuracy ? " (test)" : ""), title(effect.cell),
          Format.difference(effect.difference), verdict(effect),
          pValues(effect), effect.studyWideP.map { text($0) } ?? "–",
          "\(effect.repeats) / \(effect.referenceRepeats)", effect.detectable.map(Words.margin) ?? "–",
        ], emphasis: decided)
    }
    return table.table
  }

  /// "0.012", "< 0.001"; for an equivalence, the two one-sided tests' too: "0.726; TOST 0.004".
  func pValues(_ effect: EffectFacts.Effect) -> String {
    guard let p = effect.p else { return effect.measure == .testAccuracy ? "bootstrap" : "–" }
    let level =
      effect.level == Comparison.alpha ? "" : " at α \(Format.fixed(effect.level, decimals: 3, beside: 0))"
    guard effect.verdict == .equivalent, let equivalence = effect.equivalenceP else {
      return text(p, beside: effect.level) + level
    }
    return "\(text(p, beside: effect.level)); TOST \(text(equivalence, beside: effect.level))\(level)"
  }

  /// "0.012", "< 0.001", with more decimals where three would print it on `threshold`.
  func text(_ p: Double, beside threshold: Double = Comparison.alpha) -> String {
    p < 0.001 ? "< 0.001" : Format.fixed(p, decimals: 3, beside: threshold)
  }

  /// The margin equivalence was decided against, for the caption.
  var marginNote: String {
    guard let margin = facts.effects.compactMap(\.margin).first else { return "" }
    return
      "; equivalent means that two one-sided tests (the table's TOST p) put the difference inside the study's margin of ±\(Words.margin(margin))"
  }

  func verdict(_ effect: EffectFacts.Effect) -> String {
    effect.verdict == .single ? "not compared" : effect.verdict.rawValue
  }

  /// How many effects each verdict has, and the largest ones.
  var summary: String {
    let effects = facts.effects
    let count = { (verdict: Comparison.Verdict) in effects.filter { $0.verdict == verdict }.count }
    var parts = [
      "\(count(.better)) \(Words.be(count(.better))) better than \(count(.better) == 1 ? "its" : "their") reference",
      "\(count(.worse)) worse",
    ]
    if count(.equivalent) > 0 {
      let margin = facts.effects.compactMap(\.margin).first.map { " within ±\(Words.margin($0))" } ?? ""
      parts.append("\(count(.equivalent)) equivalent\(margin)")
    }
    parts.append("\(count(.indistinguishable)) indistinguishable")
    if count(.single) > 0 { parts.append("\(count(.single)) not compared (one run each)") }
    var sentences = ["Of the study's \(effects.count) effects, \(Format.list(parts))."]
    let decided = effects.filter { $0.verdict == .better || $0.verdict == .worse }.prefix(3)
    if !decided.isEmpty {
      sentences.append(
        "The largest decided: "
          + Format.list(
            decided.map { "\(label($0)) (\(title($0.cell)), \(Format.points($0.difference.value)), \(verdict($0)))" })
          + ".")
    }
    let undecided = effects.filter { $0.verdict == .indistinguishable }
    if let smallest = undecided.compactMap(\.detectable).min(), let largest = undecided.compactMap(\.detectable).max() {
      let sizes = smallest == largest ? Words.margin(smallest) : "\(Words.margin(smallest)) to \(Words.margin(largest))"
      sentences.append(
        "\(undecided.count == 1 ? "The undecided one" : "The undecided ones") could have found true differences of \(sizes) 80% of the time: smaller ones are found less often."
      )
    }
    if effects.contains(where: \.afterTheFact) {
      sentences.append(
        "The grid's effect is measured at the column of its best network, picked after the results.")
    }
    return sentences.joined(separator: " ")
  }

  /// What the verdicts cannot speak to, from the facts.
  var limits: [String] {
    let limits = facts.limits
    let evaluations = built.results.findings?.testEvaluations ?? 0
    var items: [String] = []
    let epochs = limits.epochs.map { e in
      "*\(title(e.cell))* \(e.fewest == e.most ? "\(e.most)" : "\(e.fewest) to \(e.most)")"
    }
    if !epochs.isEmpty {
      items.append(
        "**Short training.** Epochs per run, at most: \(epochs.joined(separator: "; ")). A verdict holds for its cell's budget and says nothing of networks trained longer."
      )
    }
    let split = limits.resampled ? ", each repeat on a split it drew" : ", one split for every repeat"
    var test =
      "**What the test set measures.** Every verdict within a cell is on validation accuracy (\(Format.count(limits.validationImages)) images\(split))"
    if !limits.testedCells.isEmpty {
      test +=
        "; only \(Format.list(limits.testedCells.map { "*\(title($0))*" })) \(limits.testedCells.count == 1 ? "was" : "were") evaluated on the \(Format.count(limits.testImages)) test images (\(Format.count(evaluations)) evaluations in all, every repeat's and any re-scored candidate's), and nothing was chosen by them. The key comparison's interval counts both the seeds and a new draw of test images: it speaks of new images drawn as the test set was, not of other data."
    } else {
      test += "; nothing was evaluated on the test images."
    }
    items.append(test)
    var fixed = [
      "fully connected networks only", "the images as given, without augmentation",
      limits.normalization == .scale
        ? "pixels scaled into [0, 1]" : "pixels standardized by the training split's mean and deviation",
    ]
    if let shared = limits.shared { fixed += limits.unvaried.map { SettingsText.phrase($0, shared, shape) } }
    items.append(
      "**Not varied.** No cell varied these: \(fixed.joined(separator: "; ")). Nothing here says how they matter."
    )
    let decided = facts.effects.filter { ($0.verdict == .better || $0.verdict == .worse) && $0.studyWideP != nil }
    let kept = decided.filter { $0.studyWideP! < Comparison.alpha }
    let lost = decided.filter { $0.studyWideP! >= Comparison.alpha }.map { label($0) }
    let tested = facts.effects.filter { $0.studyWideP != nil }.count
    var many =
      "**Many comparisons.** Each cell's comparisons are corrected together (Holm's method), not the study's as one family. Taken as one, Holm's method over the \(tested) effects' own p values at 5% (nominal for the looks of adaptive repeats: the column \"p, whole study\") keeps \(kept.count) of the \(decided.count) better or worse verdicts decided by a test (the key comparison's bootstrap stands apart)"
    many += lost.isEmpty ? "." : "; these would no longer be decided: \(Format.list(lost))."
    items.append(many)
    return items
  }
}

/// The closing section as the templates see it.
struct EffectsView {
  let number: Int
  let summary: String
  let summaryHTML: String
  let figure: FigureView
  let table: TableView
  let limits: [LimitView]
}

struct LimitView {
  let text: String
  let html: String
}
