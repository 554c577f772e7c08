import Statistics
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

  /// The curves of repeat 0 of `named`, each titled with `subtitle`; with repeats, the
  /// validation curves carry the band of their spread (`curves`).
  static func specs(_ named: NamedRun, curves: EpochCurves, subtitle: String) -> [(CurveFigure, FigureSpec)] {
    let run = named.run
    var specs = [
      (CurveFigure.loss, Curves.loss(run, subtitle: subtitle, curves: curves)),
      (.accuracy, Curves.accuracy(run, subtitle: subtitle, curves: curves)),
    ]
    if let rate = Curves.learningRate(run, subtitle: subtitle) { specs.append((.learningRate, rate)) }
    return specs
  }
}

/// A train cell: one run, its configuration, curves and summary.
struct TrainPresenter: Presenter {
  let cell: Cell
  let named: NamedRun
  let facts: TrainFacts
  let context: PresentationContext

  var run: RunRecord { named.run }

  func figures() -> [(CurveFigure, FigureSpec)] {
    CurveFigure.specs(named, curves: facts.curves, subtitle: SettingsText.summary(run.settings, context.shape))
  }

  func outputs(_ figures: Figures<CurveFigure>) -> CellOutputs {
    .train(
      TrainView(
        configuration: SettingsText.table(
          run.settings, context.shape, caption: "Configuration", parameters: run.parameterCount),
        summary: Self.summary(named, facts), figures: figures.list(CurveFigure.allCases)))
  }

  func finding() -> String { Self.finding(facts.run, facts.repeats) }

  /// A run's results: epochs, best and final validation metrics, the train-validation gap,
  /// time, and the test evaluation when there is one.
  static func summary(_ named: NamedRun, _ facts: TrainFacts) -> TableView {
    let run = named.run
    let repeats = facts.repeats
    var table = TableBuilder(
      repeats.n > 1
        ? "Results (repeat 0; over all \(repeats.n) repeats: the mean ± one standard deviation, and its 95% t interval)"
        : "Results",
      columns: [("Measure", .left), ("Value", .right)])
    let epochs = run.history.epochs
    table.add(["Epochs trained", "\(epochs.count) of \(run.settings.epochs)" + stopNote(run)])
    if let best = run.bestEpoch {
      table.add(["Best validation accuracy", "\(Format.percent(best.validationAccuracy)) (epoch \(best.epoch))"])
    }
    if let restored = run.history.restoredEpoch, restored != epochs.last?.epoch {
      table.add(["Weights kept (restored by early stopping)", "epoch \(restored)"])
    }
    table.add(["Final validation accuracy", Format.percent(run.validationAccuracy)])
    table.add(["Final validation loss", Format.loss(run.validationLoss)])
    if let last = epochs.last {
      table.add(["Last epoch's training accuracy", Format.percent(last.trainAccuracy)])
      if let gap = facts.run.gap { table.add(["Gap (training − validation)", Format.points(gap)]) }
    }
    table.add([
      "Training time",
      "\(Format.seconds(facts.run.trainingSeconds)) (\(Format.seconds(facts.run.secondsPerEpoch)) per epoch)",
    ])
    if let test = run.test {
      table.add(["Test accuracy", Format.percent(test.accuracy)], emphasis: true)
      table.add(["Test loss", Format.loss(test.loss)], emphasis: true)
    }
    if repeats.n > 1 {
      table.add([
        "Best validation accuracy, \(repeats.n) repeats",
        "\(Format.percent(repeats.best)) \(Self.interval(repeats.best))",
      ])
      if let accuracy = repeats.testAccuracy, let loss = repeats.testLoss {
        table.add(
          ["Test accuracy, \(repeats.n) repeats", "\(Format.percent(accuracy)) \(Self.interval(accuracy))"],
          emphasis: true)
        table.add(["Test loss, \(repeats.n) repeats", Format.spread(loss) { Format.loss($0) }], emphasis: true)
      }
    }
    return table.table
  }

  /// A spread's 95% interval as percentages: "[97.75, 97.87]%".
  static func interval(_ spread: Spread) -> String {
    guard let low = spread.low, let high = spread.high else { return "" }
    return String(format: "[%.2f, %.2f]%%", low * 100, high * 100)
  }

  static func stopNote(_ run: RunRecord) -> String {
    switch run.history.stopReason {
    case .completed, .cancelled: return ""
    case .earlyStopped(let epoch): return " (early stopping after epoch \(epoch))"
    case .diverged(let epoch, let batch): return " (diverged in epoch \(epoch), batch \(batch + 1))"
    }
  }

  static func finding(_ facts: RunFacts, _ repeats: RepeatedRunFacts? = nil) -> String {
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
    if let repeats, repeats.n > 1 {
      var text =
        "That is repeat 0; over \(repeats.n) repeats the best validation accuracy is \(Format.percent(repeats.best)) (95% interval \(interval(repeats.best)))"
      if let accuracy = repeats.testAccuracy {
        text += " and the test accuracy \(Format.percent(accuracy)) (\(interval(accuracy)))"
      }
      sentences.append(text + ".")
    }
    return sentences.joined(separator: " ")
  }
}
