import Study

/// The outputs of a train cell: one run.
struct TrainView {
  let configuration: TableView
  let summary: TableView
  let figures: [FigureView]
}

/// A run's curves: loss, accuracy and (when a schedule changed it) the learning rate.
enum CurveFigure: String, FigureName, CaseIterable {
  case loss, accuracy
  case learningRate = "learning-rate"

  /// The curves of `run`, each titled with `subtitle`.
  static func specs(_ run: RunRecord, subtitle: String) -> [(CurveFigure, FigureSpec)] {
    var specs = [
      (CurveFigure.loss, Curves.loss(run, subtitle: subtitle)),
      (.accuracy, Curves.accuracy(run, subtitle: subtitle)),
    ]
    if let rate = Curves.learningRate(run, subtitle: subtitle) { specs.append((.learningRate, rate)) }
    return specs
  }
}

/// A train cell: one run, its configuration, curves and summary.
struct TrainPresenter: Presenter {
  let cell: Cell
  let run: RunRecord
  let context: PresentationContext

  func figures() -> [(CurveFigure, FigureSpec)] {
    CurveFigure.specs(run, subtitle: SettingsText.summary(run.settings, context.shape))
  }

  func outputs(_ figures: Figures<CurveFigure>) -> CellOutputs {
    .train(
      TrainView(
        configuration: SettingsText.table(
          run.settings, context.shape, caption: "Configuration", parameters: run.parameterCount),
        summary: Self.summary(run), figures: figures.list(CurveFigure.allCases)))
  }

  func finding() -> String { Self.finding(RunFacts(run)) }

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

  static func finding(_ facts: RunFacts) -> String {
    if let epoch = facts.divergedEpoch {
      return "The loss became NaN or infinite in epoch \(epoch): the run diverged and stopped there."
    }
    guard let best = facts.best else { return "" }
    var sentences = [
      "Validation accuracy peaks at \(Format.percent(best.value)) in epoch \(best.epoch) of \(facts.epochs)."
    ]
    if let turn = facts.lossTurn {
      sentences.append(
        "The validation loss is lowest in epoch \(turn.epoch) (\(Format.loss(turn.lowest))) and ends at \(Format.loss(turn.final)): later epochs grow more confident without getting more digits right."
      )
    }
    if let gap = facts.gap {
      sentences.append(
        gap < 0
          ? "Training accuracy, measured with dropout on, stays below validation accuracy (\(Format.points(gap))): dropout handicaps the network while it trains, not when it is evaluated."
          : "Training accuracy ends \(Format.points(gap)) above validation accuracy.")
    }
    if let cuts = facts.rateCuts {
      sentences.append(
        "The schedule lowered the learning rate \(cuts.count == 1 ? "once" : "\(cuts.count) times"), first after epoch \(cuts.firstAfter), to \(Format.scale(cuts.finalRate)) at the end."
      )
    }
    if let test = facts.test {
      sentences.append("On the test set: \(Format.percent(test.accuracy)) accuracy, loss \(Format.loss(test.loss)).")
    }
    return sentences.joined(separator: " ")
  }
}
