import Charts
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
  let runs: [NamedRun]
  let context: PresentationContext
  let facts: CompareFacts

  init(cell: Cell, body: CompareCell, runs: [NamedRun], facts: CompareFacts, context: PresentationContext) {
    self.cell = cell
    self.body = body
    self.runs = runs
    self.facts = facts
    self.context = context
  }

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
          subtitle: subtitle,
          caption: "Validation loss of each variant after every epoch.")
      ),
    ]
    let repeated = facts.repeats > 1
    let spreadNote = repeated ? " The whiskers span ± one standard deviation over \(facts.repeats) repeats." : ""
    let finished = facts.variants.filter { !$0.diverged && $0.gap != nil }
    if !finished.isEmpty {
      let train = finished.map(\.trainAccuracy)
      let validation = finished.map(\.lastValidationAccuracy)
      let ends = (train + validation).flatMap { s in [s.mean - (s.sd ?? 0), s.mean + (s.sd ?? 0)] }
      let low = max(0, ((ends.min()! - 0.005) * 200).rounded(.down) / 200)
      let high = min(1, ((ends.max()! + 0.002) * 200).rounded(.up) / 200)
      specs.append(
        (
          .gap,
          FigureSpec(
            figure: Figure(
              title: "Training and validation accuracy, last epoch", subtitle: subtitle, width: 560, height: 380,
              chart: .bar(
                BarChart(
                  categories: finished.map(\.name),
                  groups: [
                    BarGroup("training", values: train.map(\.mean), errors: repeated ? train.map { $0.sd ?? 0 } : nil),
                    BarGroup(
                      "validation", values: validation.map(\.mean),
                      errors: repeated ? validation.map { $0.sd ?? 0 } : nil),
                  ],
                  categoryTitle: "", y: Axis("accuracy", range: low...max(high, low + 0.005), format: .percent)))),
            alt: "Bars of the last epoch's training and validation accuracy of each variant.",
            caption:
              "The gap between the two bars is how much each variant fits the training images better than new ones."
              + spreadNote)
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
              title: "Seconds per epoch",
              subtitle: body.sequential
                ? "on this machine, each run alone on every core"
                : "on this machine, two runs side by side, one core each",
              width: 560, height: 380,
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
            caption: "Mean wall time of an epoch, validation included." + spreadNote
              + (untimed.isEmpty
                ? ""
                : " Not shown: \(Format.list(untimed)), trained by another cell (or read off a longer run), so not timed like the others.")
          )
        ))
    }
    return specs
  }

  func outputs(_ figures: Figures<FigureKind>) -> CellOutputs {
    let repeated = facts.repeats > 1
    var columns: [(String, TableBuilder.Alignment)] = [
      ("Variant", .left), ("Changes", .left), ("Best val. accuracy", .right),
    ]
    if repeated {
      columns += [("Against \(facts.reference.name)", .right), ("P(better)", .right)]
    } else {
      columns.append(("Epoch", .right))
    }
    columns += [("Final val. loss", .right), ("Train accuracy", .right), ("Gap", .right), ("s / epoch", .right)]
    let caption =
      repeated
      ? "Variants (± one standard deviation over \(facts.repeats) repeats; against \(facts.reference.name): the mean paired difference with its 95% t interval, and P(better), the share of repeats in which the variant beats it, with its 95% bootstrap interval)"
      : "Variants"
    var table = TableBuilder(caption, columns: columns)
    let untimedNote = "–"
    for (entry, variant) in zip(facts.variants, body.variants) {
      let changes = SettingsText.changes(from: cell.settings, to: variant.settings, context.shape)
      var row = [
        entry.name, changes.isEmpty ? "— (the cell's settings)" : changes.joined(separator: ", "),
        entry.diverged ? "diverged" : Format.percent(entry.best),
      ]
      if repeated {
        if let comparison = entry.comparison {
          row += [Format.difference(comparison.difference), Format.probability(comparison)]
        } else {
          row += [entry.name == facts.referenceName ? "reference" : "–", ""]
        }
      } else {
        row.append("\(entry.bestEpoch)")
      }
      row += [
        Format.spread(entry.finalLoss) { Format.loss($0) }, Format.percent(entry.trainAccuracy),
        entry.gap.map { Format.points($0) } ?? "–",
        entry.secondsPerEpoch.map { Format.spread($0) { Format.number($0, decimals: 2) } } ?? untimedNote,
      ]
      table.add(row, emphasis: entry.name == facts.highest?.name)
    }
    return .compare(CompareView(summary: table.table, figures: figures.list(FigureKind.allCases)))
  }

  func finding() -> String { Self.finding(facts) }

  static func finding(_ facts: CompareFacts) -> String {
    var sentences: [String] = []
    switch facts.story {
    case .allDiverged: return "Every variant diverged."
    case .single(let low, let high):
      sentences.append(
        "With one run per variant nothing here can be ranked: another seed moves a network's accuracy by as much as these variants differ. Their best validation accuracies span \(Format.percent(low)) to \(Format.percent(high)); repeats would tell which differences hold."
      )
    case .batchSizes(let batches): if let batches { sentences += batchSizes(batches, facts) }
    case .regularization(let regularization):
      if let regularization { sentences += self.regularization(regularization, facts) }
    case .ranking(let ranking, let race):
      sentences += self.ranking(ranking, facts)
      if let race { sentences.append(self.race(race, repeats: facts.repeats)) }
    }
    if !facts.diverged.isEmpty {
      sentences.append("\(Format.list(facts.diverged)) diverged: the loss became NaN or infinite.")
    }
    return sentences.joined(separator: " ")
  }

  /// A difference of accuracies without its sign: "0.42 pt".
  static func margin(_ difference: Double) -> String {
    Format.points(difference).replacingOccurrences(of: "+", with: "")
  }

  /// What the comparisons with the reference say: who is better, who worse, and what the
  /// repeats cannot tell apart (and how large a difference they could).
  static func verdicts(_ facts: CompareFacts) -> [String] {
    let reference = facts.reference
    let name = facts.referenceIsUnchanged ? "the cell's settings (\(reference.name))" : reference.name
    var sentences: [String] = []
    let better = facts.variants(.better)
    let worse = facts.variants(.worse)
    let same = facts.variants(.indistinguishable)
    func detail(_ v: CompareFacts.Variant) -> String {
      guard let c = facts.comparison(of: v.name) else { return v.name }
      return "\(v.name) (\(Format.difference(c.difference)), P(better) \(Format.probability(c)))"
    }
    if !better.isEmpty {
      sentences.append(
        "Against \(name), \(Format.list(better.map(detail))) \(better.count == 1 ? "is" : "are") better over \(facts.repeats) repeats."
      )
    }
    if !worse.isEmpty {
      sentences.append(
        "\(better.isEmpty ? "Against \(name), " : "")\(Format.list(worse.map(\.name))) \(worse.count == 1 ? "is" : "are") worse."
      )
    }
    if !same.isEmpty {
      let resolvable = same.compactMap { facts.comparison(of: $0.name)?.resolvable }.max()
      sentences.append(
        "\(Format.list(same.map(\.name) + [reference.name]).capitalizedFirst) are indistinguishable with \(facts.repeats) repeats"
          + (resolvable.map { ": they resolve differences of about \(margin($0)) and no more" } ?? "") + ".")
    }
    if better.isEmpty && worse.isEmpty && same.isEmpty {
      sentences.append("No variant could be compared with \(reference.name).")
    }
    return sentences
  }

  private static func ranking(_ ranking: CompareFacts.Ranking, _ facts: CompareFacts) -> [String] {
    let highest = facts.variant(ranking.highest)!
    var sentences = [
      "**\(highest.name)** has the highest mean validation accuracy, \(Format.percent(highest.best)) over \(facts.repeats) repeats (± one standard deviation)."
    ]
    sentences += verdicts(facts)
    switch ranking.cost {
    case .differs(let fastest, let slowest)?:
      let (fast, slow) = (facts.variant(fastest)!, facts.variant(slowest)!)
      sentences.append(
        "The cost differs too: an epoch takes \(Format.seconds(fast.secondsPerEpoch!.mean)) with \(fast.name) and \(Format.seconds(slow.secondsPerEpoch!.mean)) with \(slow.name)."
      )
    case .same(let mean)?:
      sentences.append("They cost about the same per epoch (\(Format.seconds(mean))).")
    case nil: break
    }
    return sentences
  }

  /// Which variant's mean curve first reaches a common bar of accuracy, and in which epoch.
  private static func race(_ race: CompareFacts.Race, repeats: Int) -> String {
    let first = race.first
    var text =
      "On the mean of \(repeats) repeats, \(Format.list(first)) \(first.count == 1 ? "is" : "are") the first to reach \(Format.percent(race.bar, decimals: 1)) (epoch \(race.firstEpoch))"
    if let last = race.last { text += "; \(last.name) needs \(last.epoch) epochs" }
    if !race.never.isEmpty {
      text += "; \(Format.list(race.never)) never get\(race.never.count == 1 ? "s" : "") there"
    }
    return text + "."
  }

  private static func batchSizes(_ sizes: CompareFacts.BatchSizes, _ facts: CompareFacts) -> [String] {
    let repeats = facts.repeats
    let b = (
      highest: facts.variant(sizes.highest)!, smallest: facts.variant(sizes.smallest)!,
      payoff: sizes.payoff.flatMap(facts.variant), largest: facts.variant(sizes.largest)!, drop: sizes.drop
    )
    var sentences: [String] = []
    if let payoff = b.payoff, let small = b.smallest.secondsPerEpoch, let paid = payoff.secondsPerEpoch {
      let largestTime =
        b.largest.secondsPerEpoch.map { " (\(Format.seconds($0.mean)) at \(b.largest.batchSize))" } ?? ""
      sentences.append(
        "Larger batches make an epoch cheaper, from \(Format.seconds(small.mean)) at \(b.smallest.batchSize) to \(Format.seconds(paid.mean)) at \(payoff.batchSize); beyond \(payoff.batchSize) a larger batch saves less than a fifth of the time\(largestTime)."
      )
    }
    guard repeats > 1 else {
      sentences.append(
        "With one run per batch size, their accuracies (\(Format.percent(b.largest.best)) at \(b.largest.batchSize) to \(Format.percent(b.highest.best)) at \(b.highest.batchSize)) cannot be ranked."
      )
      return sentences
    }
    sentences.append(
      "The highest mean validation accuracy, \(Format.percent(b.highest.best)), comes with batches of \(b.highest.batchSize)."
    )
    if let drop = b.drop {
      switch drop.verdict {
      case .worse:
        sentences.append(
          "With the same epochs and learning rate, batches of \(b.largest.batchSize) take fewer steps and end \(margin(-drop.difference.mean)) below it, beyond what \(repeats) repeats leave in doubt (P(better) \(Format.probability(drop)))."
        )
      case .better, .indistinguishable, .single:
        sentences.append(
          "Batches of \(b.largest.batchSize) end \(Format.points(drop.difference.mean)) from it, which \(repeats) repeats cannot tell from noise (P(better) \(Format.probability(drop)))."
        )
      }
    }
    if let payoff = b.payoff {
      sentences.append("In time, the batch size stops paying off at about \(payoff.batchSize).")
    }
    return sentences
  }

  private static func regularization(_ r: CompareFacts.Regularization, _ facts: CompareFacts) -> [String] {
    var sentences: [String] = []
    if let reference = r.reference {
      sentences.append(
        "Without any regularization (\(reference.name)) training accuracy ends \(Format.points(reference.gap)) above validation accuracy."
      )
      let others = r.others.map { other -> String in
        let verdict: String
        switch other.verdict {
        case .closesMost?: verdict = "closes most of it"
        case .narrows?: verdict = "narrows it"
        case .unchanged?: verdict = "leaves it as it is, as far as \(facts.repeats) repeats tell"
        case .doesNotNarrow?, nil: verdict = "does not narrow it"
        }
        return "\(other.name) \(verdict) (\(Format.points(other.gap)))"
      }
      if !others.isEmpty { sentences.append(Format.list(others).capitalizedFirst + ".") }
    } else {
      sentences.append(
        "Training minus validation accuracy: "
          + r.others.map { "\($0.name) \(Format.points($0.gap))" }.joined(separator: ", ") + ".")
    }
    if facts.repeats > 1, let highest = facts.highest {
      sentences.append(
        "The highest mean validation accuracy comes from \(highest.name), \(Format.percent(highest.best)).")
      sentences += verdicts(facts)
    } else {
      sentences.append("With one run per variant, their validation accuracies cannot be ranked.")
    }
    sentences.append("A negative gap means that dropout, active only in training, handicaps the training measurement.")
    return sentences
  }
}
