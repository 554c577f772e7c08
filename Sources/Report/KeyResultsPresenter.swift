import Statistics
import Study

/// The report's opening: the tuned model's test results beside the baseline's, phrased from
/// `KeyResultFacts`. Its verdict is the one over seeds and test images together; the one over
/// seeds alone, McNemar's pairs and whether both were trained alike stand beside it.
enum KeyResultsPresenter {
  /// The key results' view, over each model's repeats; nil when the study no longer has the
  /// cells they name.
  static func view(_ facts: KeyResultFacts, _ built: BuiltStudy) -> KeyResultsView? {
    guard let tunedCell = built.cells.first(where: { $0.cell.id == facts.tuned }), let tunedRun = tunedCell.testedRun
    else { return nil }
    let baselineCell = facts.baseline.flatMap { id in built.cells.first { $0.cell.id == id } }
    return KeyResultsView(
      headline: headline(facts), headlineHTML: Markdown.html(headline(facts)),
      table: table(facts, tuned: tunedCell.cell.title, baseline: baselineCell?.cell.title),
      configuration: SettingsText.summary(tunedRun.settings, built.results.shape))
  }

  static func table(_ facts: KeyResultFacts, tuned tunedTitle: String, baseline baselineTitle: String?) -> TableView {
    let (tuned, base, change) = (facts.tunedModel, facts.baselineModel, facts.change)
    let repeated = tuned.repeats > 1 || (base?.repeats ?? 1) > 1
    var columns: [(String, TableBuilder.Alignment)] = [("Measure", .left)]
    if let baselineTitle, base != nil { columns.append((baselineTitle, .right)) }
    columns.append((tunedTitle, .right))
    if base != nil { columns.append(("Change", .right)) }
    let over = repeated ? "mean ± one standard deviation over each model's repeats" : "one run each"
    var table = TableBuilder("The baseline and the tuned model (\(over))", columns: columns)
    func add(_ name: String, _ value: (KeyResultFacts.ModelSummary) -> String, change: String?, emphasis: Bool = false)
    {
      var row = [name]
      if let base { row.append(value(base)) }
      row.append(value(tuned))
      if base != nil { row.append(change ?? "") }
      table.add(row, emphasis: emphasis)
    }
    let counted = { (s: KeyResultFacts.ModelSummary) in repeated ? " (n = \(s.repeats))" : "" }
    add(
      "Test accuracy", { "\(Format.percent($0.testAccuracy))\(counted($0))" },
      change: facts.images.map { Format.difference($0.interval) }
        ?? facts.comparison.map { Format.difference($0.difference) } ?? change.map { Format.points($0.testAccuracy) },
      emphasis: true)
    if let images = facts.images {
      add(
        "Verdict over seeds and test images (95% bootstrap), with the test over seeds", { _ in "" },
        change: verdictClause(images, facts, bold: false),
        emphasis: true)
    }
    if let comparison = facts.comparison, comparison.p != nil {
      add(
        "Over seeds, on this test set (\(Words.test(comparison.design, why: false)))", { _ in "" },
        change:
          "\(Format.difference(comparison.difference)) \(Words.verdict(comparison)): \(Format.pValue(comparison)), \(probability(comparison))"
      )
    }
    if let images = facts.images, images.pairs.count > 1 || repeated {
      table.add(
        ["Images only one model gets right, repeat by repeat"]
          + (base != nil ? [images.pairs.map { "\($0.onlyB)" }.joined(separator: ", ")] : [])
          + [images.pairs.map { "\($0.onlyA)" }.joined(separator: ", ")] + (base != nil ? [mcnemarClause(images)] : []))
    }
    add(
      "Test errors", { Format.spread($0.testErrors) { Format.number($0, decimals: 1) } },
      change: change.map { String(format: "%+.1f", $0.testErrors) })
    add(
      "Test loss", { Format.spread($0.testLoss) { Format.loss($0) } },
      change: change.map { String(format: "%+.4f", $0.testLoss) })
    add(
      "Best validation accuracy", { Format.percent($0.bestValidationAccuracy) },
      change: change.map { Format.points($0.bestValidationAccuracy) })
    add(
      "Parameters", { Format.count($0.parameters) }, change: change.map { String(format: "×%.1f", $0.parameterRatio) })
    if let budgets = facts.budgets {
      var row = ["Epoch budget and checkpoint"]
      if base != nil { row.append(budget(budgets.baselineEpochs, budgets.baselineStopping)) }
      row.append(budget(budgets.tunedEpochs, budgets.tunedStopping))
      if base != nil { row.append(budgets.alike ? "same" : "differs") }
      table.add(row)
    }
    add("Epochs trained", { Format.spread($0.epochs) { Format.number($0, decimals: 1) } }, change: nil)
    add("Training time", { Format.seconds($0.trainingSeconds) }, change: nil)
    if repeated {
      add(
        "Test accuracy, repeat 0 (shown below)", { Format.percent($0.repeat0.testAccuracy) },
        change: change?.repeat0TestAccuracy.map { Format.points($0) })
    }
    return table.table
  }

  static func headline(_ facts: KeyResultFacts) -> String {
    let (tuned, base) = (facts.tunedModel, facts.baselineModel)
    let repeated = tuned.repeats > 1 || (base?.repeats ?? 1) > 1
    let images = Format.count(tuned.testImages)
    var sentences: [String] = []
    guard repeated else {
      var sentence =
        "The tuned model classifies **\(Format.percent(tuned.testAccuracy))** of the \(images) test images correctly (one run; test loss \(Format.spread(tuned.testLoss) { Format.loss($0) }))"
      if let base {
        sentence += ", against \(Format.percent(base.testAccuracy)) for the baseline, also one run"
        if let seedsAndImages = facts.images {
          sentence +=
            ": over the test images, a change of \(Format.difference(seedsAndImages.interval)), \(verdictClause(seedsAndImages, facts))"
        }
      }
      return ([sentence + "."] + budgetSentence(facts)).joined(separator: " ")
    }
    var first =
      "Over \(Words.repeats(tuned.repeats)) the tuned model classifies **\(Format.percent(tuned.testAccuracy))** of the \(images) test images correctly (± one standard deviation; 95% t interval over its seeds \(TrainPresenter.interval(tuned.testAccuracy)))"
    if let base {
      first += ", against \(Format.percent(base.testAccuracy)) for the baseline over \(Words.repeats(base.repeats))"
      if let seedsAndImages = facts.images {
        first +=
          ": a change of \(Format.points(seedsAndImages.difference)), whose 95% interval over seeds and test images together is \(Format.difference(seedsAndImages.interval).drop { $0 != "[" }) (a bootstrap of \(Format.count(seedsAndImages.resamples)) resamples, each drawing every model's repeats and then the test images, the same images for both): \(verdictClause(seedsAndImages, facts))"
      } else if let comparison = facts.comparison {
        first +=
          ": a change of \(Format.difference(comparison.difference)) (\(Words.test(comparison.design, why: false)); \(Format.pValue(comparison)), P(better) \(Format.probability(comparison))): **\(Words.verdict(comparison))**"
        if comparison.verdict != .better && comparison.verdict != .worse, let detectable = Words.detectable(comparison)
        {
          first += "; \(detectable)"
        }
      }
    }
    sentences.append(first + ".")
    if let seedsAndImages = facts.images, let comparison = facts.comparison, comparison.p != nil {
      sentences.append(
        "Over seeds alone, on these \(images) images, it is \(Words.verdict(comparison)) (\(Words.test(comparison.design, why: false)); \(Format.pValue(comparison)); \(probability(comparison)))."
      )
      if !seedsAndImages.pairs.isEmpty { sentences.append(mcnemarSentence(seedsAndImages)) }
    }
    return (sentences + budgetSentence(facts)).joined(separator: " ")
  }

  /// "**better**", or "**indistinguishable**; a true difference of 0.25 pt would be found 80%
  /// of the time", or "**equivalent within ±0.20 pt** (its 90% interval [−0.10, +0.12])".
  static func verdictClause(_ images: SeedsAndImages, _ facts: KeyResultFacts, bold: Bool = true) -> String {
    let verdict = facts.verdict ?? images.verdict
    let word = Words.verdict(verdict, margin: images.margin)
    var clause = bold ? "**\(word)**" : word
    if verdict != images.verdict, let seeds = facts.comparison {
      // The interval over seeds and images decided, the test over seeds alone did not.
      return clause
        + ": the interval over seeds and images alone would call it \(Words.verdict(images)), but over seeds alone \(Words.test(seeds.design, why: false)) does not (\(Format.pValue(seeds))), and with \(Words.repeats(seeds.nA)) a side the bootstrap understates their spread"
    }
    switch verdict {
    case .better, .worse:
      // Decided, though smaller than the design finds 80% of the time: said, as a compare
      // cell says it.
      if abs(images.difference) < images.detectable {
        clause +=
          ", although the difference is smaller than the \(Words.margin(images.detectable)) these repeats and images find \(Format.percent(Comparison.power, decimals: 0)) of the time: another draw could well have missed it"
      }
    case .equivalent:
      clause +=
        " (its 90% interval \(Format.difference(images.equivalenceInterval).drop { $0 != "[" }))"
    case .indistinguishable, .single:
      clause += "; \(Words.detectable(images.detectable))"
    }
    return clause
  }

  /// "P(tuned > baseline) 1.00, the Mann–Whitney share of (tuned, baseline) repeat pairs it
  /// wins" (paired: "the share of seeds it wins").
  static func probability(_ comparison: Comparison) -> String {
    let what =
      comparison.design == .paired
      ? "the share of seeds it wins" : "the Mann–Whitney share of (tuned, baseline) repeat pairs it wins"
    return "P(tuned > baseline) \(Format.probability(comparison)), \(what)"
  }

  /// The repeat pairs McNemar's test finds different, by the side that gets more right.
  static func mcnemarCounts(_ images: SeedsAndImages) -> (tuned: Int, baseline: Int) {
    let different = images.pairs.filter { $0.adjustedP < Comparison.alpha }
    return (different.filter { $0.onlyA > $0.onlyB }.count, different.filter { $0.onlyB > $0.onlyA }.count)
  }

  static func mcnemarClause(_ images: SeedsAndImages) -> String {
    let (tuned, baseline) = mcnemarCounts(images)
    return "McNemar, Holm: tuned ahead in \(tuned) of \(images.pairs.count), baseline in \(baseline)"
  }

  static func mcnemarSentence(_ images: SeedsAndImages) -> String {
    let (tuned, baseline) = mcnemarCounts(images)
    let pairs = images.pairs.count == 1 ? "the one repeat pair" : "the \(images.pairs.count) repeat pairs"
    let verdicts: String
    switch (tuned, baseline) {
    case (0, 0): verdicts = "finds none of \(pairs) different"
    default:
      verdicts =
        "finds the tuned model right on more images in \(tuned) of \(pairs) and the baseline in \(baseline)"
    }
    let pairing =
      images.paired
      ? "repeat r of each model against repeat r of the other, paired by seed"
      : "repeat r of each model against repeat r of the other, a pairing by position only, as their seeds differ"
    return "Image by image, McNemar's exact test (\(pairing); Holm-adjusted over the pairs) \(verdicts)."
  }

  /// "up to 25 epochs, early stopping on val_accuracy, patience 6, restoring the best epoch".
  static func budget(_ epochs: Int, _ stopping: EarlyStoppingSettings?) -> String {
    let rule = stopping.map { ", early stopping \(SettingsText.earlyStopping($0))" } ?? ", keeping the last"
    return "\(stopping == nil ? "" : "up to ")\(epochs) epochs\(rule)"
  }

  /// Whether the two were trained alike, and how, when they were not.
  static func budgetSentence(_ facts: KeyResultFacts) -> [String] {
    guard let budgets = facts.budgets, facts.baselineModel != nil else { return [] }
    if budgets.alike {
      let stopped = budgets.baselineStoppedEarly + budgets.tunedStoppedEarly
      let early =
        stopped == 0 && budgets.tunedStopping != nil
        ? "; neither stopped early, so the comparison holds at \(budgets.tunedEpochs) epochs" : ""
      return [
        "Both had the same epoch budget and checkpoint rule (\(budget(budgets.tunedEpochs, budgets.tunedStopping))), not the same recipe or compute\(early)."
      ]
    }
    return [
      "They were not trained alike (the baseline \(budget(budgets.baselineEpochs, budgets.baselineStopping)); the tuned model \(budget(budgets.tunedEpochs, budgets.tunedStopping))), so the change measures the budget as well as the model."
    ]
  }
}
