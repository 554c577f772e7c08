import Charts
import NN
import Study

/// The outputs of a compare cell.
struct CompareView {
  let summary: TableView
  let figures: [FigureView]
}

/// A compare cell: variants of one setting trained side by side.
struct ComparePresenter: Presenter {
  enum FigureKind: String, FigureName, CaseIterable {
    case accuracy, loss, gap, time
  }

  let cell: Cell
  let body: CompareCell
  let runs: [NamedRun]
  let context: PresentationContext
  let facts: CompareFacts

  init(cell: Cell, body: CompareCell, runs: [NamedRun], context: PresentationContext) {
    self.cell = cell
    self.body = body
    self.runs = runs
    self.context = context
    facts = CompareFacts(body, runs: runs, settings: cell.settings)
  }

  func figures() -> [(FigureKind, FigureSpec)] {
    let subtitle = "from \(SettingsText.summary(cell.settings, context.shape))"
    var specs: [(FigureKind, FigureSpec)] = [
      (
        .accuracy,
        Curves.compare(
          runs, metric: .validationAccuracy, title: "Validation accuracy per epoch", subtitle: subtitle,
          caption: "Validation accuracy of each variant after every epoch.")
      ),
      (
        .loss,
        Curves.compare(
          runs, metric: .validationLoss, title: "Validation loss per epoch", subtitle: subtitle,
          caption: "Validation loss of each variant after every epoch.")
      ),
    ]
    let finished = facts.variants.filter { !$0.diverged && $0.run.history.epochs.last?.validationAccuracy != nil }
    if !finished.isEmpty {
      let train = finished.map { $0.run.history.epochs.last!.trainAccuracy }
      let validation = finished.map { $0.run.history.epochs.last!.validationAccuracy! }
      let low = max(0, ((min(train.min()!, validation.min()!) - 0.005) * 200).rounded(.down) / 200)
      let high = min(1, ((max(train.max()!, validation.max()!) + 0.002) * 200).rounded(.up) / 200)
      specs.append(
        (
          .gap,
          FigureSpec(
            figure: Figure(
              title: "Training and validation accuracy, last epoch", subtitle: subtitle, width: 560, height: 380,
              chart: .bar(
                BarChart(
                  categories: finished.map(\.name),
                  groups: [BarGroup("training", values: train), BarGroup("validation", values: validation)],
                  categoryTitle: "", y: Axis("accuracy", range: low...max(high, low + 0.005), format: .percent)))),
            alt: "Bars of the last epoch's training and validation accuracy of each variant.",
            caption:
              "The gap between the two bars is how much each variant fits the training images better than new ones."
          )
        ))
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
                  categories: finished.map(\.name),
                  groups: [BarGroup("seconds per epoch", values: finished.map(\.secondsPerEpoch))],
                  categoryTitle: "", y: Axis("seconds", includesZero: true)))),
            alt: "Bars of each variant's mean time per epoch.",
            caption: "Mean wall time of an epoch, validation included.")
        ))
    }
    return specs
  }

  func outputs(_ figures: Figures<FigureKind>) -> CellOutputs {
    var table = TableBuilder(
      "Variants",
      columns: [
        ("Variant", .left), ("Changes", .left), ("Best val. accuracy", .right), ("Epoch", .right),
        ("Final val. loss", .right), ("Train accuracy", .right), ("Gap", .right), ("s / epoch", .right),
      ])
    for (entry, variant) in zip(facts.variants, body.variants) {
      let changes = SettingsText.changes(from: cell.settings, to: variant.settings, context.shape)
      table.add(
        [
          entry.name,
          changes.isEmpty ? "— (the cell's settings)" : changes.joined(separator: ", "),
          entry.diverged ? "diverged" : Format.percent(entry.best), "\(entry.bestEpoch)",
          Format.loss(entry.run.validationLoss), Format.percent(entry.run.history.epochs.last?.trainAccuracy),
          entry.gap.map { Format.points($0) } ?? "–", Format.number(entry.secondsPerEpoch, decimals: 2),
        ], emphasis: entry.name == facts.winner?.name)
    }
    return .compare(CompareView(summary: table.table, figures: figures.list(FigureKind.allCases)))
  }

  func finding() -> String { Self.finding(facts) }

  static func finding(_ facts: CompareFacts) -> String {
    var sentences: [String] = []
    switch facts.story {
    case .allDiverged: return "Every variant diverged."
    case .batchSizes(let batches): if let batches { sentences += batchSizes(batches) }
    case .regularization(let regularization):
      if let regularization, let winner = facts.winner { sentences += self.regularization(regularization, winner) }
    case .ranking(let ranking, let race):
      sentences += self.ranking(ranking)
      if let race { sentences.append(self.race(race)) }
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

  private static func ranking(_ ranking: CompareFacts.Ranking) -> [String] {
    let winner = ranking.winner
    var text =
      "**\(winner.name)** reaches the best validation accuracy, \(Format.percent(winner.best)) (epoch \(winner.bestEpoch))"
    if let second = ranking.runnerUp {
      text += ", \(margin(second.margin)) ahead of \(second.name)"
      if let last = ranking.last { text += " and \(margin(last.margin)) ahead of the last, \(last.name)" }
    }
    var sentences = [text + "."]
    switch ranking.cost {
    case .differs(let fast, let slow):
      sentences.append(
        "The cost differs too: an epoch takes \(Format.seconds(fast.secondsPerEpoch)) with \(fast.name) and \(Format.seconds(slow.secondsPerEpoch)) with \(slow.name)."
      )
    case .same(let mean):
      sentences.append("They cost about the same per epoch (\(Format.seconds(mean))).")
    }
    return sentences
  }

  /// Which variant first reaches a common bar of accuracy, and in which epoch.
  private static func race(_ race: CompareFacts.Race) -> String {
    var text =
      "\(race.first.name) is the first to reach \(Format.percent(race.bar, decimals: 1)) (epoch \(race.first.epoch))"
    if let last = race.last { text += "; \(last.name) needs \(last.epoch) epochs" }
    if !race.never.isEmpty {
      text += "; \(Format.list(race.never)) never get\(race.never.count == 1 ? "s" : "") there"
    }
    return text + "."
  }

  private static func batchSizes(_ b: CompareFacts.BatchSizes) -> [String] {
    let (best, smallest, payoff, largest) = (b.best, b.smallest, b.payoff, b.largest)
    var sentences = [
      "The best validation accuracy, \(Format.percent(best.best)), comes with batches of \(best.run.settings.batchSize)."
    ]
    sentences.append(
      "Larger batches make an epoch cheaper, from \(Format.seconds(smallest.secondsPerEpoch)) at \(smallest.run.settings.batchSize) to \(Format.seconds(payoff.secondsPerEpoch)) at \(payoff.run.settings.batchSize); beyond \(payoff.run.settings.batchSize) a larger batch saves less than a fifth of the time (\(Format.seconds(largest.secondsPerEpoch)) at \(largest.run.settings.batchSize))."
    )
    if let drop = b.drop {
      sentences.append(
        "Meanwhile accuracy falls: with the same epochs and learning rate, batches of \(largest.run.settings.batchSize) take fewer steps and end \(margin(drop)) below the best. The batch size stops paying off at about \(payoff.run.settings.batchSize)."
      )
    }
    return sentences
  }

  private static func regularization(_ r: CompareFacts.Regularization, _ winner: CompareFacts.Variant) -> [String] {
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
    sentences.append(
      "The best validation accuracy comes from \(winner.name), \(Format.percent(winner.best)). A negative gap means that dropout, active only in training, handicaps the training measurement."
    )
    return sentences
  }
}
