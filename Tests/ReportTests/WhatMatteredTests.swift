import Data
import Foundation
import Statistics
import Testing

@testable import Report
@testable import Study

/// The closing section: every effect the cells state, largest first, each with the
/// interval and verdict its cell gave it; a row bold exactly when decided; the summary's
/// counts the facts' own; and the limits drawn from the study (epochs, test use, what no
/// cell varied).
@Suite struct WhatMattered {
  static func effect(_ name: String, _ difference: Double, _ verdict: Comparison.Verdict, cell: String = "optimizers")
    -> EffectFacts.Effect
  {
    EffectFacts.Effect(
      cell: cell, name: name, reference: "Adam", measure: .validationAccuracy,
      difference: Estimate(value: difference, low: difference - 0.002, high: difference + 0.002), confidence: 0.95,
      verdict: verdict, p: verdict == .indistinguishable || verdict == .equivalent ? 0.4 : 0.001,
      equivalenceP: verdict == .equivalent ? 0.002 : 0.3, level: 0.05, margin: 0.002,
      unadjustedP: verdict == .indistinguishable || verdict == .equivalent ? 0.2 : 0.0002,
      studyWideP: verdict == .indistinguishable || verdict == .equivalent ? 0.8 : verdict == .better ? 0.06 : 0.001,
      family: 4, repeats: 3, referenceRepeats: 3,
      detectable: 0.003, epochs: 4, afterTheFact: false)
  }

  static let facts = EffectFacts(
    effects: [
      effect("SGD", -0.03, .worse), effect("RMSprop", 0.004, .better), effect("AdamW", -0.001, .indistinguishable),
      effect("Nesterov", 0.0005, .equivalent),
    ],
    limits: EffectFacts.Limits(
      epochs: [.init(cell: "optimizers", fewest: 4, most: 4), .init(cell: "tuned", fewest: 20, most: 20)],
      validationImages: 6_000, normalization: .scale, testImages: 10_000, testedCells: ["tuned"],
      unvaried: [.activation, .batchSize],
      shared: RunSettings(), resampled: true))

  @Test func theTableAndSummarySayWhatTheFactsHold() {
    let presenter = EffectsPresenter(
      facts: Self.facts, built: TinyReport.shared.built, shape: TinyReport.shared.results.shape)
    let table = presenter.table
    #expect(table.rows.map { $0.cells[0].text } == Self.facts.effects.map { presenter.label($0) })
    for (row, effect) in zip(table.rows, Self.facts.effects) {
      #expect(row.emphasis == (effect.verdict != .indistinguishable), "\(effect.name)")
      #expect(row.cells[3].text == effect.verdict.rawValue)
      #expect(row.cells[2].text == Format.difference(effect.difference))
      #expect(
        row.cells[4].text
          == (effect.verdict == .equivalent
            ? "0.400; TOST 0.002" : effect.verdict == .indistinguishable ? "0.400" : "0.001"))
      #expect(row.cells[5].text == presenter.text(effect.studyWideP!))
    }
    let summary = presenter.summary
    #expect(
      summary.contains("Of the study's 4 effects, 1 is better than its reference, 1 worse, 1 equivalent"), "\(summary)")
    #expect(summary.contains("1 indistinguishable"), "\(summary)")
    #expect(summary.contains("1 equivalent within ±0.20 pt"), "\(summary)")
    #expect(summary.contains("The largest decided: SGD vs Adam"), "\(summary)")
    #expect(summary.contains("0.30 pt to 0.30 pt") == false)
    let limits = presenter.limits.joined(separator: "\n")
    #expect(limits.contains("*Optimizers* 4; *Tuned* 20"), "\(limits)")
    #expect(limits.contains("pixels scaled into [0, 1]") && limits.contains("without augmentation"), "\(limits)")
    #expect(limits.contains("batch size 128"), "\(limits)")
    #expect(limits.contains("ReLU"), "\(limits)")
    #expect(limits.contains("each repeat on a split it drew"), "\(limits)")
    // RMSprop's better verdict does not survive the study-wide correction (0.06); SGD's does.
    #expect(limits.contains("keeps 1 of the 2 better or worse verdicts decided by a test"), "\(limits)")
    #expect(limits.contains("these would no longer be decided: RMSprop vs Adam."), "\(limits)")
    #expect(presenter.figure.caption.contains("±0.20 pt"))
    #expect(presenter.figure.figure.title.hasPrefix("What mattered"))
  }

  /// The tiny study's effects: its compare cell's one comparison and the key comparison,
  /// largest first, each the cell's own.
  @Test func theAnalysisGathersEveryCellsEffects() throws {
    let built = TinyReport.shared.built
    let facts = try #require(built.results.findings?.effects)
    let sizes = facts.effects.map { abs($0.difference.value) }
    #expect(sizes == sizes.sorted(by: >))
    let compare = try #require(built.results.cells.first { $0.id == "optimizers" }?.findings?.compare)
    let stated = compare.variants.compactMap { v in v.comparison.map { (v.name, $0) } }
    for (name, comparison) in stated {
      let effect = try #require(facts.effects.first { $0.cell == "optimizers" && $0.name == name })
      #expect(effect.difference == comparison.difference && effect.verdict == comparison.verdict)
    }
    let key = try #require(built.results.findings?.keyResults?.images)
    let keyEffect = try #require(facts.effects.first { $0.measure == .testAccuracy })
    #expect(keyEffect.difference.value == key.difference && keyEffect.verdict == key.verdict)
    #expect(facts.effects.count == stated.count + 1)
    // Every training cell's epochs, and the settings no cell varied (the tiny study varies
    // the optimizer, the learning rate, the width and the epochs, and nothing else).
    #expect(facts.limits.epochs.map(\.cell) == ["baseline", "widths", "optimizers", "search", "halving", "tuned"])
    #expect(facts.limits.unvaried.contains(.activation) && facts.limits.unvaried.contains(.batchSize))
    #expect(!facts.limits.unvaried.contains(.optimizer) && !facts.limits.unvaried.contains(.learningRate))
    #expect(facts.limits.testedCells == ["baseline", "tuned"])
  }
}
