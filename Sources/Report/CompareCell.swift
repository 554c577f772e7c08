import Charts
import NN
import Study

/// The outputs of a compare cell.
struct CompareView {
  let summary: TableView
  let figures: [FigureView]
}

/// A compare cell: variants of one setting trained side by side.
enum CompareCell {
  /// A variant's numbers, read once.
  struct Entry {
    let name: String
    let run: RunRecord
    let changes: [(key: String, text: String)]
    var best: Double { run.bestEpoch?.validationAccuracy ?? -1 }
    var bestEpoch: Int { run.bestEpoch?.epoch ?? 0 }
    var last: EpochRecord? { run.history.epochs.last }
    var gap: Double? { last.flatMap { l in l.validationAccuracy.map { l.trainAccuracy - $0 } } }
    var secondsPerEpoch: Double {
      run.history.epochs.reduce(0) { $0 + $1.seconds } / Double(max(run.history.epochs.count, 1))
    }
    var diverged: Bool { run.status == .diverged }
  }

  static func entries(_ cell: Cell, _ result: CellResult) -> [Entry] {
    result.runs.map { named in
      let base = cell.variants.first { $0.name == named.name }?.settings ?? cell.settings
      return Entry(name: named.name, run: named.run, changes: SettingsText.changes(from: cell.settings, to: base))
    }
  }

  static func figures(_ cell: Cell, _ result: CellResult) -> [FigureSpec] {
    let entries = entries(cell, result)
    let subtitle = "from \(SettingsText.summary(cell.settings))"
    let runs = result.runs
    var specs = [
      Curves.compare(
        runs, metric: .validationAccuracy, id: "\(cell.id)-accuracy", title: "Validation accuracy per epoch",
        subtitle: subtitle, caption: "Validation accuracy of each variant after every epoch."),
      Curves.compare(
        runs, metric: .validationLoss, id: "\(cell.id)-loss", title: "Validation loss per epoch", subtitle: subtitle,
        caption: "Validation loss of each variant after every epoch."),
    ]
    let finished = entries.filter { !$0.diverged && $0.last?.validationAccuracy != nil }
    if !finished.isEmpty {
      let train = finished.map { $0.last!.trainAccuracy }
      let validation = finished.map { $0.last!.validationAccuracy! }
      let low = max(0, ((min(train.min()!, validation.min()!) - 0.005) * 200).rounded(.down) / 200)
      let high = min(1, ((max(train.max()!, validation.max()!) + 0.002) * 200).rounded(.up) / 200)
      specs.append(
        FigureSpec(
          id: "\(cell.id)-gap",
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
        ))
      specs.append(
        FigureSpec(
          id: "\(cell.id)-time",
          figure: Figure(
            title: "Seconds per epoch",
            subtitle: cell.sequential
              ? "on this machine, each run alone on every core"
              : "on this machine, two runs side by side, one core each",
            width: 560, height: 380,
            chart: .bar(
              BarChart(
                categories: finished.map(\.name),
                groups: [BarGroup("seconds per epoch", values: finished.map(\.secondsPerEpoch))],
                categoryTitle: "", y: Axis("seconds", includesZero: true)))),
          alt: "Bars of each variant's mean time per epoch.",
          caption: "Mean wall time of an epoch, validation included."))
    }
    return specs
  }

  static func view(_ cell: Cell, _ result: CellResult, _ context: ReportContext) -> CompareView {
    let entries = entries(cell, result)
    let bestName = entries.filter { !$0.diverged }.max { $0.best < $1.best }?.name
    var table = TableBuilder(
      "Variants",
      columns: [
        ("Variant", .left), ("Changes", .left), ("Best val. accuracy", .right), ("Epoch", .right),
        ("Final val. loss", .right), ("Train accuracy", .right), ("Gap", .right), ("s / epoch", .right),
      ])
    for entry in entries {
      table.add(
        [
          entry.name,
          entry.changes.isEmpty ? "— (the cell's settings)" : entry.changes.map(\.text).joined(separator: ", "),
          entry.diverged ? "diverged" : Format.percent(entry.best), "\(entry.bestEpoch)",
          Format.loss(entry.run.validationLoss), Format.percent(entry.last?.trainAccuracy),
          entry.gap.map { Format.points($0) } ?? "–", Format.number(entry.secondsPerEpoch, decimals: 2),
        ], emphasis: entry.name == bestName)
    }
    return CompareView(
      summary: table.table,
      figures: ["accuracy", "loss", "gap", "time"].compactMap { context.figure("\(cell.id)-\($0)") })
  }

  static func finding(_ cell: Cell, _ result: CellResult) -> String {
    let entries = entries(cell, result)
    let diverged = entries.filter(\.diverged)
    let ranked = entries.filter { !$0.diverged }.sorted { $0.best > $1.best }
    guard let winner = ranked.first else { return "Every variant diverged." }
    let keys = Set(entries.flatMap { $0.changes.map(\.key) })
    var sentences: [String] = []
    if keys == ["batch_size"] {
      sentences += batchSizes(entries)
    } else if !keys.isEmpty,
      keys.isSubset(of: ["dropout", "batch_norm", "weight_decay", "optimizer", "input_dropout"]),
      keys.contains("dropout") || keys.contains("batch_norm")
    {
      sentences += regularization(entries, winner: winner)
    } else {
      sentences += ranking(ranked)
      if keys.contains("optimizer") || keys.contains("activation") { sentences += speed(ranked) }
    }
    if !diverged.isEmpty {
      sentences.append("\(Format.list(diverged.map(\.name))) diverged: the loss became NaN or infinite.")
    }
    return sentences.joined(separator: " ")
  }

  private static func ranking(_ ranked: [Entry]) -> [String] {
    let winner = ranked[0]
    var text =
      "**\(winner.name)** reaches the best validation accuracy, \(Format.percent(winner.best)) (epoch \(winner.bestEpoch))"
    if ranked.count > 1 {
      let second = ranked[1]
      text +=
        ", \(Format.points(winner.best - second.best).replacingOccurrences(of: "+", with: "")) ahead of \(second.name)"
      if ranked.count > 2, let last = ranked.last {
        text +=
          " and \(Format.points(winner.best - last.best).replacingOccurrences(of: "+", with: "")) ahead of the last, \(last.name)"
      }
    }
    var sentences = [text + "."]
    let times = ranked.map(\.secondsPerEpoch)
    if let fast = ranked.min(by: { $0.secondsPerEpoch < $1.secondsPerEpoch }),
      let slow = ranked.max(by: { $0.secondsPerEpoch < $1.secondsPerEpoch }),
      slow.secondsPerEpoch > 1.15 * fast.secondsPerEpoch
    {
      sentences.append(
        "The cost differs too: an epoch takes \(Format.seconds(fast.secondsPerEpoch)) with \(fast.name) and \(Format.seconds(slow.secondsPerEpoch)) with \(slow.name)."
      )
    } else if !times.isEmpty {
      sentences.append(
        "They cost about the same per epoch (\(Format.seconds(times.reduce(0, +) / Double(times.count)))).")
    }
    return sentences
  }

  /// Which variant first reaches a common bar of accuracy, and in which epoch.
  private static func speed(_ ranked: [Entry]) -> [String] {
    guard ranked.count > 1 else { return [] }
    let bar = (ranked[1].best * 200).rounded(.down) / 200 - 0.005
    guard bar > 0.5 else { return [] }
    let reached = ranked.compactMap { entry -> (String, Int)? in
      entry.run.history.epochs.first { ($0.validationAccuracy ?? 0) >= bar }.map { (entry.name, $0.epoch) }
    }.sorted { $0.1 < $1.1 }
    guard let first = reached.first else { return [] }
    let never = ranked.filter { entry in !reached.contains { $0.0 == entry.name } }.map(\.name)
    var text = "\(first.0) is the first to reach \(Format.percent(bar, decimals: 1)) (epoch \(first.1))"
    if reached.count > 1, let last = reached.last { text += "; \(last.0) needs \(last.1) epochs" }
    if !never.isEmpty { text += "; \(Format.list(never)) never get\(never.count == 1 ? "s" : "") there" }
    return [text + "."]
  }

  private static func batchSizes(_ entries: [Entry]) -> [String] {
    let sorted = entries.filter { !$0.diverged }.sorted { $0.run.settings.batchSize < $1.run.settings.batchSize }
    guard sorted.count > 1, let best = sorted.max(by: { $0.best < $1.best }) else { return [] }
    var sentences = [
      "The best validation accuracy, \(Format.percent(best.best)), comes with batches of \(best.run.settings.batchSize)."
    ]
    // Where doubling the batch stops buying at least a fifth of the epoch's time.
    var payoff = sorted[0]
    for (small, large) in zip(sorted, sorted.dropFirst()) {
      if small.secondsPerEpoch / large.secondsPerEpoch < 1.25 { break }
      payoff = large
    }
    let smallest = sorted[0]
    let largest = sorted[sorted.count - 1]
    sentences.append(
      "Larger batches make an epoch cheaper, from \(Format.seconds(smallest.secondsPerEpoch)) at \(smallest.run.settings.batchSize) to \(Format.seconds(payoff.secondsPerEpoch)) at \(payoff.run.settings.batchSize); beyond \(payoff.run.settings.batchSize) a larger batch saves less than a fifth of the time (\(Format.seconds(largest.secondsPerEpoch)) at \(largest.run.settings.batchSize))."
    )
    let drop = best.best - largest.best
    if drop > 0.001 {
      sentences.append(
        "Meanwhile accuracy falls: with the same epochs and learning rate, batches of \(largest.run.settings.batchSize) take fewer steps and end \(Format.points(drop).replacingOccurrences(of: "+", with: "")) below the best. The batch size stops paying off at about \(payoff.run.settings.batchSize)."
      )
    }
    return sentences
  }

  private static func regularization(_ entries: [Entry], winner: Entry) -> [String] {
    let valid = entries.filter { !$0.diverged && $0.gap != nil }
    guard !valid.isEmpty else { return [] }
    let none = valid.first { e in
      !e.run.settings.dropoutRates.contains { $0 > 0 } && !e.run.settings.batchNorm && e.run.settings.weightDecay == 0
        && e.run.settings.inputDropout == 0
    }
    var sentences: [String] = []
    if let none, let reference = none.gap {
      sentences.append(
        "Without any regularization (\(none.name)) training accuracy ends \(Format.points(reference)) above validation accuracy."
      )
      let others = valid.filter { $0.name != none.name }.map { entry -> String in
        let gap = entry.gap!
        let verdict =
          abs(gap) < reference / 2 ? "closes most of it" : abs(gap) < reference ? "narrows it" : "does not narrow it"
        return "\(entry.name) \(verdict) (\(Format.points(gap)))"
      }
      if !others.isEmpty { sentences.append(Format.list(others).capitalizedFirst + ".") }
    } else {
      sentences.append(
        "Training minus validation accuracy: "
          + valid.map { "\($0.name) \(Format.points($0.gap!))" }.joined(separator: ", ") + ".")
    }
    sentences.append(
      "The best validation accuracy comes from \(winner.name), \(Format.percent(winner.best)). A negative gap means that dropout, active only in training, handicaps the training measurement."
    )
    return sentences
  }
}
