import Study

/// A train cell: one run, its configuration, curves and summary.
enum TrainCell {
  static func figures(_ cell: Cell, _ run: RunRecord) -> [FigureSpec] {
    let subtitle = SettingsText.summary(run.settings)
    var specs = [
      Curves.loss(run, id: "\(cell.id)-loss", subtitle: subtitle),
      Curves.accuracy(run, id: "\(cell.id)-accuracy", subtitle: subtitle),
    ]
    if let rate = Curves.learningRate(run, id: "\(cell.id)-learning-rate", subtitle: subtitle) { specs.append(rate) }
    return specs
  }

  static func view(_ cell: Cell, _ run: RunRecord, _ context: ReportContext) -> TrainView {
    TrainView(
      configuration: SettingsText.table(run.settings, caption: "Configuration", parameters: run.parameterCount),
      summary: summary(run),
      figures: ["\(cell.id)-loss", "\(cell.id)-accuracy", "\(cell.id)-learning-rate"].compactMap(context.figure))
  }

  /// A run's results: epochs, best and final validation metrics, the train-validation gap,
  /// time, and the test evaluation when there is one.
  static func summary(_ run: RunRecord) -> TableView {
    var table = TableBuilder("Results", columns: [("Measure", .left), ("Value", .right)])
    let epochs = run.history.epochs
    table.add(["Epochs trained", "\(epochs.count) of \(run.settings.epochs)" + stopNote(run)])
    if let best = run.bestEpoch {
      table.add(["Best validation accuracy", "\(Format.percent(best.validationAccuracy)) (epoch \(best.epoch))"])
    }
    if let restored = run.history.restoredEpoch, restored != epochs.last?.epoch {
      table.add(["Weights kept", "epoch \(restored) (restored by early stopping)"])
    }
    table.add(["Final validation accuracy", Format.percent(run.validationAccuracy)])
    table.add(["Final validation loss", Format.loss(run.validationLoss)])
    if let last = epochs.last {
      table.add(["Last epoch's training accuracy", Format.percent(last.trainAccuracy)])
      if let validation = last.validationAccuracy {
        table.add(["Gap (training − validation)", Format.points(last.trainAccuracy - validation)])
      }
    }
    let seconds = epochs.reduce(0) { $0 + $1.seconds }
    table.add([
      "Training time",
      "\(Format.seconds(seconds)) (\(Format.seconds(seconds / Double(max(epochs.count, 1)))) per epoch)",
    ])
    if let test = run.test {
      table.add(["Test accuracy", Format.percent(test.accuracy)], emphasis: true)
      table.add(["Test loss", Format.loss(test.loss)], emphasis: true)
    }
    return table.table
  }

  static func stopNote(_ run: RunRecord) -> String {
    switch run.history.stopReason {
    case .completed, .cancelled: return ""
    case .earlyStopped(let epoch): return " (early stopping after epoch \(epoch))"
    case .diverged(let epoch, let batch): return " (diverged in epoch \(epoch), batch \(batch + 1))"
    }
  }

  static func finding(_ run: RunRecord) -> String {
    if case .diverged(let epoch, _) = run.history.stopReason {
      return "The loss became NaN or infinite in epoch \(epoch): the run diverged and stopped there."
    }
    let epochs = run.history.epochs
    guard let best = run.bestEpoch, let last = epochs.last, let bestAccuracy = best.validationAccuracy else {
      return ""
    }
    var sentences = [
      "Validation accuracy peaks at \(Format.percent(bestAccuracy)) in epoch \(best.epoch) of \(epochs.count)."
    ]
    if let lowest = epochs.filter({ $0.validationLoss != nil }).min(by: { $0.validationLoss! < $1.validationLoss! }),
      lowest.epoch < last.epoch - 2, let lastLoss = last.validationLoss
    {
      sentences.append(
        "The validation loss is lowest in epoch \(lowest.epoch) (\(Format.loss(lowest.validationLoss))) and ends at \(Format.loss(lastLoss)): later epochs grow more confident without getting more digits right."
      )
    }
    if let validation = last.validationAccuracy {
      let gap = last.trainAccuracy - validation
      sentences.append(
        gap < 0
          ? "Training accuracy, measured with dropout on, stays below validation accuracy (\(Format.points(gap))): dropout handicaps the network while it trains, not when it is evaluated."
          : "Training accuracy ends \(Format.points(gap)) above validation accuracy.")
    }
    let rates = epochs.map(\.learningRate)
    let cuts = zip(rates, rates.dropFirst()).filter { $1 < $0 }.count
    if cuts > 0, let first = zip(epochs, epochs.dropFirst()).first(where: { $1.learningRate < $0.learningRate }) {
      sentences.append(
        "The schedule lowered the learning rate \(cuts == 1 ? "once" : "\(cuts) times"), first after epoch \(first.0.epoch), to \(Format.scale(rates.last!)) at the end."
      )
    }
    if let test = run.test {
      sentences.append(
        "On the test set: \(Format.percent(test.accuracy)) accuracy, loss \(Format.loss(test.loss)).")
    }
    return sentences.joined(separator: " ")
  }
}
