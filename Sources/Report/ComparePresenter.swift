import Charts
import Data
import Foundation
import NN
import Statistics
import Study

/// The outputs of a compare cell.
struct CompareView {
  let summary: TableView
  let figures: [FigureView]
}

/// A compare cell: variants of one setting, each over its repeats, each compared with the
/// cell's reference.
struct ComparePresenter: Presenter {
  enum FigureKind: String, FigureName, CaseIterable {
    case accuracy, loss, gap, time
  }

  let cell: Cell
  let body: CompareCell
  let facts: CompareFacts
  let context: PresentationContext

  func figures() -> [(FigureKind, FigureSpec)] {
    let subtitle = "from \(SettingsText.summary(cell.settings, context.shape))"
    var specs: [(FigureKind, FigureSpec)] = [
      (
        .accuracy,
        Curves.compare(
          facts.variants.map { ($0.name, $0.curves) }, metric: .validationAccuracy,
          title: "Validation accuracy per epoch", subtitle: subtitle,
          caption: "Validation accuracy of each variant after every epoch.")
      ),
      (
        .loss,
        Curves.compare(
          facts.variants.map { ($0.name, $0.curves) }, metric: .validationLoss, title: "Validation loss per epoch",
          subtitle: subtitle, caption: "Validation loss of each variant after every epoch.")
      ),
    ]
    let repeated = facts.repeats > 1
    let finished = facts.variants.filter { !$0.diverged && $0.gap != nil }
    let ungapped = facts.variants.filter { !$0.diverged && $0.gap == nil }.map(\.name)
    if !finished.isEmpty {
      func series(_ name: String, _ spreads: [Spread]) -> IntervalChart.Series {
        IntervalChart.Series(
          name, values: spreads.map(\.mean), low: repeated ? spreads.map { $0.low ?? $0.mean } : nil,
          high: repeated ? spreads.map { $0.high ?? $0.mean } : nil)
      }
      specs.append(
        (
          .gap,
          FigureSpec(
            figure: Figure(
              title: "Accuracy on training and validation images", subtitle: subtitle, width: 560,
              height: 150 + 34 * Double(finished.count),
              chart: .intervals(
                IntervalChart(
                  categories: finished.map(\.name),
                  series: [
                    series("training sample", finished.map { $0.trainAccuracy! }),
                    series("validation", finished.map(\.validationAccuracy)),
                  ], x: Axis("accuracy", format: .percent)))),
            alt:
              "Each variant's accuracy on a sample of its training images and on the validation images, with the weights it kept, as dots\(repeated ? " with their 95% intervals" : "").",
            caption:
              "The weights each variant kept, evaluated without dropout on a sample of the training images as large as the validation part, and on the validation part: the gap between the two dots is how much better it fits the images it learned from."
              + (repeated ? " Dots are means over \(Self.overRepeats(facts)); lines their 95% t intervals." : "")
              + (ungapped.isEmpty
                ? ""
                : " Not shown: \(Format.list(ungapped)), whose runs were read off the first epochs of longer ones, so that the weights they kept are another epoch's.")
              + (facts.diverged.isEmpty ? "" : " Not shown: \(Format.list(facts.diverged)), which diverged."))
        ))
    }
    let timed = facts.variants.filter { !$0.diverged && $0.secondsPerEpoch != nil }
    if !timed.isEmpty {
      let untimed = facts.variants.filter { !$0.diverged && $0.secondsPerEpoch == nil }.map(\.name)
      specs.append(
        (
          .time,
          FigureSpec(
            figure: Figure(
              title: "Seconds per epoch", subtitle: timingSubtitle, width: 560, height: 380,
              chart: .bar(
                BarChart(
                  categories: timed.map(\.name),
                  groups: [
                    BarGroup(
                      "seconds per epoch", values: timed.map { $0.secondsPerEpoch!.mean },
                      errors: repeated ? timed.map { $0.secondsPerEpoch!.sd ?? 0 } : nil)
                  ],
                  categoryTitle: "", y: Axis("seconds", includesZero: true)))),
            alt: "Bars of each variant's mean time per epoch.",
            caption: "Mean wall time of an epoch, validation included."
              + (repeated ? " The whiskers span ± one standard deviation over \(Self.overRepeats(facts))." : "")
              + (untimed.isEmpty
                ? ""
                : " Not shown: \(Format.list(untimed)), trained by another cell (or read off a longer run), so not timed like the others.")
          )
        ))
    }
    return specs
  }

  /// Where and how the times were measured, from the runs' records.
  var timingSubtitle: String {
    guard let timing = facts.timing else { return "" }
    let threads = timing.threadsPerRun.map(String.init).joined(separator: " or ")
    let perRun = "\(threads) thread\(timing.threadsPerRun == [1] ? "" : "s") per run"
    let order = body.sequential ? "one run at a time" : "runs side by side"
    return "measured on \(Format.list(timing.hosts)), \(perRun), \(order)"
  }

  func outputs(_ figures: Figures<FigureKind>) -> CellOutputs {
    .compare(
      CompareView(
        summary: Self.table(facts, variants: body.variants, settings: cell.settings, shape: context.shape),
        figures: figures.list(FigureKind.allCases)))
  }

  /// The table of the variants, `variants` being the cell's (in the facts' order) and
  /// `settings` the cell's, which they change.
  static func table(
    _ facts: CompareFacts, variants: [CompareCell.Variant], settings: RunSettings, shape: DataShape
  ) -> TableView {
    let repeated = facts.repeats > 1
    var columns: [(String, TableBuilder.Alignment)] = [
      ("Variant", .left), ("Changes", .left), ("Best val. accuracy", .right),
    ]
    let adaptive = facts.sequential != nil
    if adaptive { columns.append(("Repeats", .right)) }
    if repeated {
      columns += [
        ("Against \(facts.referenceName)", .right), ("p", .right), ("P(better)", .right),
      ]
    } else {
      columns.append(("Epoch", .right))
    }
    columns += [
      ("Final val. loss", .right), ("Gap", .right), ("s / epoch", .right),
    ]
    let family = facts.variants.compactMap(\.comparison).first?.family ?? 1
    let gap = "Gap: accuracy on the training sample minus validation accuracy, of the kept weights."
    var dashes: [String] = []
    if facts.variants.contains(where: { $0.gap == nil && !$0.diverged }) {
      dashes.append(
        "no gap where runs were read off the first epochs of longer ones, whose kept weights are another epoch's")
    }
    if facts.variants.contains(where: { $0.secondsPerEpoch == nil }) {
      dashes.append("no time where runs were trained by another cell or read off, so not timed like the others")
    }
    let dash = dashes.isEmpty ? "" : " A dash: \(dashes.joined(separator: "; "))."
    let over =
      adaptive
      ? "their repeats (adaptive: \(looks(facts.sequential!)); Repeats: how many each took)"
      : "\(facts.repeats) repeats"
    let caption =
      repeated
      ? "Variants over \(over) (± one standard deviation). Against \(facts.referenceName): the difference of mean best validation accuracies with its interval (95% for one comparison; with several, at the level Holm's correction tests it at, so that it excludes 0 exactly when the test decides); the p value of its test (paired by seed when the variants draw the same random numbers, else Welch's t, marked)\(adaptive ? ", with Holm's correction among the comparisons open at each look" : Words.correction(family)); and P(better), the share of repeats in which the variant wins (paired) or the Mann–Whitney probability (Welch), with its 95% interval (exact, Clopper and Pearson's, when paired; a bootstrap's from \(Comparison.intervalMinimum) repeats when not). Bold: better than \(facts.referenceName) by its test. \(gap)\(dash)"
      : "Variants, one run each. \(gap)\(dash)"
    var table = TableBuilder(caption, columns: columns)
    for (entry, variant) in zip(facts.variants, variants) {
      let changes = SettingsText.changes(from: settings, to: variant.settings, shape)
      var row = [
        entry.name, changes.isEmpty ? "— (the cell's settings)" : changes.joined(separator: ", "),
        entry.diverged ? "diverged" : Format.percent(entry.best),
      ]
      if adaptive { row.append("\(entry.bestScores.count)") }
      if repeated {
        if let comparison = entry.comparison {
          row += [
            Format.difference(comparison.difference),
            Format.pValue(comparison, noting: false)
              + (comparison.design == .paired ? "" : " (Welch)"),
            Format.probability(comparison),
          ]
        } else {
          row += [entry.name == facts.referenceName ? "reference" : "–", "", ""]
        }
      } else {
        row.append("\(entry.bestEpoch)")
      }
      row += [
        Format.spread(entry.finalLoss) { Format.loss($0) }, entry.gap.map { Format.points($0) } ?? "–",
        entry.secondsPerEpoch.map { Format.spread($0) { String(format: "%.2f", $0) } } ?? "–",
      ]
      table.add(row, emphasis: entry.comparison?.verdict == .better)
    }
    return table.table
  }

  func finding() -> String { Self.finding(facts) }

  static func finding(_ facts: CompareFacts) -> String {
    var sentences: [String] = []
    switch facts.story {
    case .allDiverged: return "Every variant diverged."
    case .unscored:
      sentences.append("No variant has a validation score (the runs validated on nothing), so none can be ranked.")
    case .single(let low, let high):
      sentences.append(
        "With one run per variant nothing here can be ranked: another seed moves a network's accuracy by as much as these variants differ. Their best validation accuracies span \(Format.percent(low)) to \(Format.percent(high)); repeats would tell which differences hold."
      )
    case .batchSizes(let batches): if let batches { sentences += batchSizes(batches, facts) }
    case .regularization(let regularization): sentences += self.regularization(regularization, facts)
    case .ranking(let ranking, let race):
      sentences += self.ranking(ranking, facts)
      if let race { sentences.append(self.race(race, over: overRepeats(facts))) }
    }
    if !facts.diverged.isEmpty {
      sentences.append("\(Format.list(facts.diverged)) diverged: the loss became NaN or infinite.")
    }
    return sentences.joined(separator: " ")
  }

  /// The highest mean, said to be chosen after the results were seen.
  static func highest(_ names: [String], _ facts: CompareFacts, what: String = "mean validation accuracy") -> String {
    guard let first = names.first.flatMap(facts.variant) else { return "" }
    let value = "\(Format.percent(first.best)) (± one standard deviation)"
    if names.count > 1 {
      // Tied means may have different spreads: the mean alone is theirs.
      return
        "The highest \(what) over \(overRepeats(facts)), \(Format.percent(first.best.mean)), is shared by \(Words.highest(names)), picked after the results; the tests against \(facts.referenceName) follow."
    }
    if names == [facts.referenceName] {
      return
        "The highest \(what) over \(overRepeats(facts)) is the reference's, \(Words.highest(names)), \(value)."
    }
    return
      "The highest \(what) over \(overRepeats(facts)) is \(Words.highest(names))'s, \(value), picked after the results; the tests against \(facts.referenceName) follow."
  }

  /// "3 repeats", or with adaptive repeats "3 to 12 repeats" (each variant its own).
  static func overRepeats(_ facts: CompareFacts) -> String {
    let counts = facts.variants.map(\.bestScores.count)
    guard facts.sequential != nil, let low = counts.min(), let high = counts.max(), low < high else {
      return Words.repeats(facts.repeats)
    }
    return "\(low) to \(high) repeats"
  }

  /// How adaptive repeats were added: "repeats added where undecided, looks at 3, 6, 9 and
  /// 12 repeats, each at its share of 5% by Pocock's spending".
  static func looks(_ plan: SequentialDesign) -> String {
    let spending = plan.spending == .pocock ? "Pocock's" : "O'Brien and Fleming's"
    return
      "repeats added to the comparisons still undecided at looks after \(Format.list(plan.looks.map(String.init))) repeats, each look testing at its share of \(Format.percent(plan.alpha, decimals: 0)) by \(spending) spending"
  }

  /// What the comparisons with the reference say, verdict by verdict, each with its numbers;
  /// and for the indistinguishable ones, what difference the repeats could have found.
  static func verdicts(_ facts: CompareFacts) -> [String] {
    let reference = facts.reference
    let compared = facts.variants.filter { $0.comparison != nil }
    guard let family = compared.first?.comparison?.family else {
      return ["No variant could be compared with \(reference.name)."]
    }
    let name = facts.referenceIsUnchanged ? "\(reference.name), the cell's settings" : reference.name
    let designs = Set(compared.map { $0.comparison!.design })
    let how =
      designs.count == 1
      ? Words.test(designs.first!) : "paired by seed where the variants draw the same random numbers, else by Welch's t"
    var correction = Words.correction(family)
    if let plan = facts.sequential {
      correction = ", with Holm's correction among the comparisons open at each look; \(looks(plan))"
    }
    if case .batchSizes(let sizes?) = facts.story, sizes.drop != nil, family > 1 {
      correction += " (these \(compared.count) and the largest batch against the highest, below)"
    }
    var clauses: [String] = []
    for verdict in [Comparison.Verdict.better, .worse, .equivalent, .indistinguishable] {
      let group = facts.variants(verdict)
      guard !group.isEmpty else { continue }
      let listed = group.map { v in
        // With adaptive repeats, the look's repeats and the level it tested at, which the p
        // value is read against.
        let look = v.stoppedAt.map {
          "after \($0) repeats, at α = \(Format.fixed(v.comparison!.level, decimals: 3, beside: 0)): "
        }
        return "\(v.name) (\(look ?? "")\(Words.evidence(v.comparison!)))"
      }
      clauses.append("\(Format.list(listed)) \(Words.be(group.count)) \(Words.verdict(group[0].comparison!))")
    }
    var sentences = [
      "Against \(name) over \(overRepeats(facts)), tested \(how)\(correction): \(clauses.joined(separator: "; "))."
    ]
    let unresolved = facts.variants(.indistinguishable)
    if let largest = unresolved.compactMap({ $0.comparison?.detectable }).max() {
      sentences.append(
        "With the undecided ones' repeats \(Words.detectable(largest)), at the level the correction asks; smaller ones are found less often."
      )
    }
    // A difference decided although smaller than the design finds 80% of the time: true to
    // its test, but another draw of seeds could well have missed it.
    let faint = (facts.variants(.better) + facts.variants(.worse)).filter { v in
      guard let c = v.comparison, let detectable = c.detectable else { return false }
      return abs(c.difference.value) < detectable
    }
    if !faint.isEmpty {
      let listed = faint.map {
        "\($0.name) (\(Words.margin($0.comparison!.difference.value)) against \(Words.margin($0.comparison!.detectable!)) with \(Words.repeats($0.bestScores.count)))"
      }
      sentences.append(
        "Decided although smaller than the difference its own repeats find \(Format.percent(Comparison.power, decimals: 0)) of the time: \(Format.list(listed)); another draw of seeds could well have missed \(faint.count == 1 ? "it" : "them")."
      )
    }
    return sentences
  }

  private static func ranking(_ ranking: CompareFacts.Ranking, _ facts: CompareFacts) -> [String] {
    var sentences = [highest(ranking.highest, facts)]
    sentences += verdicts(facts)
    switch ranking.cost {
    case .differs(let fastest, let slowest)?:
      let (fast, slow) = (facts.variant(fastest)!, facts.variant(slowest)!)
      sentences.append(
        "The cost differs too: an epoch takes \(Format.seconds(fast.secondsPerEpoch!)) with \(fast.name) and \(Format.seconds(slow.secondsPerEpoch!)) with \(slow.name)."
      )
    case .same(let mean)?:
      let timed = facts.variants.filter { $0.secondsPerEpoch != nil }.map(\.name)
      let untimed = facts.variants.filter { $0.secondsPerEpoch == nil }.map(\.name)
      let within = Format.percent(CompareFacts.Ranking.costDifference - 1, decimals: 0)
      sentences.append(
        (untimed.isEmpty ? "They" : "Those timed in this cell, \(Format.list(timed)),")
          + " cost about the same per epoch (\(Format.seconds(mean)) on average; the slowest within \(within) of the fastest)"
          + (untimed.isEmpty ? "." : "; \(Format.list(untimed)) \(Words.be(untimed.count)) not timed here.")
      )
    case nil: break
    }
    return sentences
  }

  /// Which variant's mean curve first reaches a common bar of accuracy, and in which epoch.
  private static func race(_ race: CompareFacts.Race, over repeats: String) -> String {
    let first = race.first
    var text =
      "On the mean of \(repeats), \(Format.list(first)) \(Words.be(first.count)) the first to reach \(Format.percent(race.bar, decimals: 1)) (epoch \(race.firstEpoch))"
    if let last = race.last { text += "; \(last.name) needs \(last.epoch) epochs" }
    if !race.never.isEmpty {
      text += "; \(Format.list(race.never)) never get\(race.never.count == 1 ? "s" : "") there"
    }
    return text + "."
  }

  private static func batchSizes(_ sizes: CompareFacts.BatchSizes, _ facts: CompareFacts) -> [String] {
    let size = { (name: String) in facts.variant(name).map { "\($0.batchSize)" } ?? name }
    var sentences: [String] = []
    if !sizes.steps.isEmpty {
      let rule = String(format: "%.2f", CompareFacts.BatchSizes.payoffRatio)
      let threshold = CompareFacts.BatchSizes.payoffRatio
      let steps = sizes.steps.map { step -> String in
        let (small, large) = (facts.variant(step.small)!, facts.variant(step.large)!)
        let times = "\(Format.seconds(small.secondsPerEpoch!)) → \(Format.seconds(large.secondsPerEpoch!))"
        var ratio = Format.fixed(step.perDoubling, decimals: 2, beside: threshold)
        if let low = step.perDoublingLow, let high = step.perDoublingHigh {
          ratio +=
            " [\(Format.fixed(low, decimals: 2, beside: threshold)), \(Format.fixed(high, decimals: 2, beside: threshold))]"
        }
        let verdict: String
        switch step.pays {
        case .pays: verdict = "it does"
        case .doesNotPay: verdict = "it does not"
        case .undecided: verdict = "the repeats cannot tell"
        }
        return "from \(small.batchSize) to \(large.batchSize) \(verdict) (\(ratio) times per doubling: \(times))"
      }
      let interval =
        sizes.steps.contains { $0.perDoublingLow != nil } ? ", with its 95% interval, over the mean times" : ""
      var text =
        "A larger batch pays while each doubling makes an epoch at least \(rule) times faster (the ratio per doubling\(interval)): \(steps.joined(separator: "; "))"
      if !sizes.untimed.isEmpty {
        text +=
          ". \(Format.list(sizes.untimed.map(size))) \(sizes.untimed.count == 1 ? "was" : "were") not timed by this cell (another cell trained \(sizes.untimed.count == 1 ? "it" : "them"), or \(sizes.untimed.count == 1 ? "it was" : "they were") read off a longer run), so the steps go over \(sizes.untimed.count == 1 ? "it" : "them")"
      }
      if let payoff = sizes.payoff {
        let next = sizes.steps.first { $0.small == payoff }
        // No step paid when the payoff is where the steps start.
        let none = sizes.steps.first?.small == payoff
        switch (next?.pays, none) {
        case (.undecided?, true):
          text +=
            ". By that rule no larger batch is shown to pay; whether \(size(next!.large)) does, the repeats cannot tell"
        case (.undecided?, false):
          text +=
            ". By that rule batches up to \(size(payoff)) pay; whether \(size(next!.large)) still does, the repeats cannot tell"
        case (_, true): text += ". By that rule, no batch larger than \(size(payoff)) pays in time"
        case (_, false): text += ". By that rule, batches larger than \(size(payoff)) stop paying in time"
        }
      }
      sentences.append(text + ".")
    }
    guard facts.repeats > 1 else {
      let low = sizes.largest
      sentences.append(
        "With one run per batch size, their accuracies (\(Format.percent(facts.variant(low)!.best)) at \(size(low)) to \(Format.percent(facts.variant(sizes.highest[0])!.best)) at \(size(sizes.highest[0]))) cannot be ranked."
      )
      return sentences
    }
    let top = facts.variant(sizes.highest[0])!
    sentences.append(
      "The highest mean validation accuracy, \(Format.percent(top.best)), comes with batches of \(Format.list(sizes.highest.map(size)))\(sizes.highest.count > 1 ? " (tied)" : "") (picked after the results)."
    )
    sentences += verdicts(facts)
    if let drop = sizes.drop {
      sentences.append(
        "Against the highest, \(size(sizes.highest[0])) (picked after the results), batches of \(size(sizes.largest)) are \(Words.verdict(drop)) (\(Words.evidence(drop)))\(drop.verdict == .worse ? ": with the same epochs and learning rate, they take fewer steps" : "")."
      )
    }
    return sentences
  }

  /// The gaps (nil: no variant has one) and then the accuracies.
  private static func regularization(_ r: CompareFacts.Regularization?, _ facts: CompareFacts) -> [String] {
    var sentences: [String] = []
    if let r, let reference = r.reference {
      sentences.append(
        "Without any regularization (\(reference.name)) the kept weights score \(Format.points(reference.gap)) higher on the training sample than on validation (evaluated without dropout, as Keras's evaluate)."
      )
      let others = r.others.map { other -> String in
        let change: String
        switch other.change {
        case .narrows?: change = "narrows it"
        case .reverses?: change = "reverses it: validation scores above the training sample"
        case .widens?: change = "widens it"
        case .unchanged?:
          change = "leaves it unchanged, within ±\(Words.margin(other.comparison?.margin ?? 0))"
        case .undecided?:
          let count = facts.variant(other.name)?.bestScores.count ?? facts.repeats
          change = "changes it by an amount its \(Words.repeats(count)) cannot tell from none"
        case .single?, nil: change = "was not compared"
        }
        let evidence = other.comparison.map { "; change \(Words.evidence($0, wins: "P(larger gap)"))" } ?? ""
        return "\(other.name) \(change) (\(Format.points(other.gap))\(evidence))"
      }
      let family = r.others.compactMap(\.comparison).first?.family ?? 1
      if !others.isEmpty {
        sentences.append(
          "Each regularizer's gap against it\(Words.correction(family)): \(others.joined(separator: "; "))."
        )
      }
    } else if let r {
      sentences.append(
        "Training-sample minus validation accuracy: "
          + r.others.map { "\($0.name) \(Format.points($0.gap))" }.joined(separator: ", ") + ".")
    }
    if facts.repeats > 1 {
      sentences.append(highest(facts.highestNames, facts))
      sentences += verdicts(facts)
    } else {
      sentences.append("With one run per variant, their validation accuracies cannot be ranked.")
    }
    return sentences
  }
}
