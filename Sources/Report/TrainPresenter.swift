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

  /// The curves of `named` over its repeats (`curves`: their means, with bands), each titled
  /// with `subtitle`; repeat 0's learning rate when its schedule changed it.
  static func specs(_ named: NamedRun, curves: EpochCurves, subtitle: String) -> [(CurveFigure, FigureSpec)] {
    var specs = [
      (CurveFigure.loss, Curves.loss(curves, subtitle: subtitle)),
      (.accuracy, Curves.accuracy(curves, subtitle: subtitle)),
    ]
    if let rate = Curves.learningRate(named.run, repeated: curves.runs > 1, subtitle: subtitle) {
      specs.append((.learningRate, rate))
    }
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

  func finding() -> String { Self.finding(facts, schedule: run.settings.schedule) }

  /// A run's results, row by row named for what they are of: repeat 0's epochs and best
  /// epoch; the kept weights' validation and training-sample accuracy and their gap, all of
  /// one epoch; time; the test evaluation; and over every repeat, the means.
  static func summary(_ named: NamedRun, _ facts: TrainFacts) -> TableView {
    let run = named.run
    let repeats = facts.repeats
    let repeated = repeats.n > 1
    let zero = repeated ? ", repeat 0" : ""
    var table = TableBuilder(
      repeated
        ? "Results: repeat 0's, then over all \(repeats.n) repeats (the mean ± one standard deviation, and its 95% t interval)"
        : "Results",
      columns: [("Measure", .left), ("Value", .right)])
    let epochs = run.history.epochs
    table.add(["Epochs trained\(zero)", "\(epochs.count) of \(run.settings.epochs)" + stopNote(run)])
    if let best = facts.run.best {
      table.add(["Best validation accuracy\(zero)", "\(Format.percent(best.value)) (epoch \(best.epoch))"])
    }
    if let kept = facts.run.kept {
      let at = "epoch \(kept.epoch)"
      table.add([
        "Weights kept\(zero)", kept.restored ? "\(at), restored by early stopping" : "\(at), the last",
      ])
      table.add(["Validation accuracy, \(at)", Format.percent(kept.validationAccuracy)])
      table.add(["Validation loss, \(at)", Format.loss(kept.validationLoss)])
      if let train = kept.trainAccuracy, let gap = kept.gap {
        table.add(["Training-sample accuracy, \(at) (no dropout)", Format.percent(train)])
        table.add(["Gap (training sample − validation), \(at)", Format.points(gap)])
      }
    }
    table.add([
      "Training time\(zero)",
      "\(Format.seconds(facts.run.trainingSeconds)) (\(Format.seconds(facts.run.secondsPerEpoch)) per epoch)",
    ])
    if let test = run.test {
      table.add(["Test accuracy\(zero)", Format.percent(test.accuracy)], emphasis: !repeated)
      table.add(["Test loss\(zero)", Format.loss(test.loss)], emphasis: !repeated)
    }
    if repeated {
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

  /// The finding of a trained model: over its repeats first, then repeat 0's curve, gap and
  /// schedule; `schedule` is the one it trained with.
  static func finding(_ facts: TrainFacts, schedule: ScheduleSettings = .none) -> String {
    let run = facts.run
    if let epoch = run.divergedEpoch {
      return "The loss became NaN or infinite in epoch \(epoch): the run diverged and stopped there."
    }
    guard let best = run.best else { return "" }
    let repeats = facts.repeats
    var sentences: [String] = []
    if repeats.n > 1 {
      var text =
        "Over \(repeats.n) repeats the best validation accuracy is \(Format.percent(repeats.best)) (95% interval \(interval(repeats.best)))"
      if let accuracy = repeats.testAccuracy {
        text += " and the test accuracy \(Format.percent(accuracy)) (\(interval(accuracy)))"
      }
      sentences.append(text + ".")
    }
    let zero = repeats.n > 1 ? "In repeat 0, v" : "V"
    sentences.append(
      "\(zero)alidation accuracy peaks at \(Format.percent(best.value)) in epoch \(best.epoch) of \(run.epochs).")
    if let turn = run.lossTurn {
      sentences.append(
        "The validation loss is lowest in epoch \(turn.epoch) (\(Format.loss(turn.lowest))) and ends at \(Format.loss(turn.final)): later epochs grow more confident without getting more images right."
      )
    }
    if let kept = run.kept, let gap = kept.gap {
      let side = gap >= 0 ? "higher" : "lower"
      sentences.append(
        "The weights it kept (epoch \(kept.epoch)) score \(Words.margin(gap)) \(side) on a sample of the training images than on validation, evaluated without dropout."
      )
    }
    if let cuts = run.rateCuts {
      sentences.append(
        "The schedule lowered the learning rate \(cuts.count == 1 ? "once" : "\(cuts.count) times"), first after epoch \(cuts.firstAfter), to \(Format.scale(cuts.finalRate)) at the end\(repeats.n > 1 ? " (in \(facts.rateCutRepeats) of \(repeats.n) repeats it lowered it at all)" : "")."
      )
    } else if schedule != .none {
      sentences.append(
        facts.rateCutRepeats == 0
          ? "The schedule never lowered the learning rate\(repeats.n > 1 ? " in any of the \(repeats.n) repeats" : "")."
          : "The schedule did not lower the learning rate here, and did in \(facts.rateCutRepeats) of the \(repeats.n) repeats."
      )
    }
    if let test = run.test, repeats.n == 1 {
      sentences.append("On the test set: \(Format.percent(test.accuracy)) accuracy, loss \(Format.loss(test.loss)).")
    }
    return sentences.joined(separator: " ")
  }
}
