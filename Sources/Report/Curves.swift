import Charts
import NN
import Study

/// Learning curves: loss and accuracy per epoch, for one run or several side by side.
enum Curves {
  /// Train (dashed) and validation loss per epoch, the lowest validation loss marked: of one
  /// run, or with repeats their means, the validation's with its band.
  static func loss(_ curves: EpochCurves, subtitle: String) -> FigureSpec {
    single(
      curves, train: curves.trainLoss, validation: curves.validationLoss, best: curves.lowestValidationLoss,
      title: "Loss per epoch", subtitle: subtitle, axis: Axis("cross-entropy loss"),
      caption:
        "Training loss (dashed, measured with dropout on while training, as Keras reports it) and validation loss; the marker is the validation line's lowest point"
        + (curves.runs > 1 ? ", the mean curve's." : "."),
      label: { value, epoch in "lowest: epoch \(epoch)" })
  }

  /// Train (dashed) and validation accuracy per epoch, the best validation epoch marked.
  static func accuracy(_ curves: EpochCurves, subtitle: String) -> FigureSpec {
    single(
      curves, train: curves.trainAccuracy, validation: curves.validationAccuracy,
      best: curves.highestValidationAccuracy,
      title: "Accuracy per epoch", subtitle: subtitle, axis: Axis("accuracy", format: .percent),
      caption:
        "Training accuracy (dashed, with dropout on while training) and validation accuracy; the marker is the validation line's highest point"
        // The highest mean is never above the mean of the highest: a fact of maxima.
        + (curves.runs > 1
          ? ", the mean curve's: the repeats peak in different epochs, so it is at or below the mean of each repeat's best validation accuracy (the results table's)."
          : "."),
      label: { value, epoch in
        "\(curves.runs > 1 ? "mean's best" : "best"): \(Format.percent(value)) at epoch \(epoch)"
      })
  }

  /// One quantity per epoch: training (dashed) and validation, the best validation epoch
  /// marked; with repeats the lines are their means and the validation line carries its band
  /// of ± one standard deviation.
  private static func single(
    _ curves: EpochCurves, train: EpochCurves.Curve, validation: EpochCurves.Curve, best: EpochValue?, title: String,
    subtitle: String, axis: Axis, caption: String, label: (Double, Int) -> String
  ) -> FigureSpec {
    let x = curves.epochs.map(Double.init)
    let repeated = curves.runs > 1
    var series = [LineSeries(repeated ? "train, mean" : "train", x: x, y: train.mean, dashed: true)]
    let finite = validation.mean.allSatisfy(\.isFinite)
    if finite {
      series.append(
        LineSeries(
          repeated ? "validation, mean" : "validation", x: x, y: validation.mean,
          band: repeated ? bandOf(validation) : nil))
    }
    var annotations: [Annotation] = []
    if let best {
      annotations.append(Annotation(x: Double(best.epoch), y: best.value, label: label(best.value, best.epoch)))
    }
    let chart = LineChart(series: series, x: Axis("epoch", format: .integer), y: axis, annotations: annotations)
    return FigureSpec(
      figure: Figure(title: title, subtitle: subtitle, width: 560, height: 380, chart: .line(chart)),
      alt:
        "\(title.replacingOccurrences(of: " per epoch", with: "")) in training and validation over \(curves.epochs.count) epochs"
        + (repeated ? ", the mean of \(curves.runs) repeats" : "") + (annotations.first.map { "; \($0.label)" } ?? "")
        + ".",
      caption: repeated
        ? caption
          + " The lines are the means of \(curves.runs) repeats; the band spans ± one standard deviation of their validation."
        : caption)
  }

  /// The learning rate per epoch, on a log scale, when a schedule changed it.
  static func learningRate(_ run: RunRecord, repeated: Bool = false, subtitle: String) -> FigureSpec? {
    let epochs = run.history.epochs
    guard Set(epochs.map(\.learningRate)).count > 1 else { return nil }
    let chart = LineChart(
      series: [LineSeries("learning rate", x: epochs.map { Double($0.epoch) }, y: epochs.map(\.learningRate))],
      x: Axis("epoch", format: .integer), y: Axis("learning rate", scale: .log))
    let changes = zip(epochs, epochs.dropFirst()).filter { $0.learningRate != $1.learningRate }.count
    return FigureSpec(
      figure: Figure(
        title: "Learning rate per epoch", subtitle: subtitle, width: 560, height: 300, chart: .line(chart)),
      alt: "The learning rate per epoch: it changed \(changes == 1 ? "once" : "\(changes) times").",
      caption: "The learning rate the schedule set for each epoch\(repeated ? " of repeat 0" : "").")
  }

  /// One validation metric of several named runs on one chart: with repeats, each line is
  /// the mean over them and its band spans ± one standard deviation.
  static func compare(
    _ runs: [(name: String, curves: EpochCurves)], metric: Metric, title: String, subtitle: String, caption: String
  ) -> FigureSpec {
    let series = runs.map { name, curves in
      let curve = metric == .validationLoss ? curves.validationLoss : curves.validationAccuracy
      let repeated = curves.runs > 1
      return LineSeries(
        name, x: curves.epochs.map(Double.init), y: curve.mean, band: repeated ? bandOf(curve) : nil)
    }
    let accuracy = metric == .accuracy || metric == .validationAccuracy
    let axis = accuracy ? Axis(metric.label, format: .percent) : Axis(metric.label)
    let chart = LineChart(series: series, x: Axis("epoch", format: .integer), y: axis)
    let counts = runs.map(\.curves.runs)
    let repeats = counts.min() ?? 1
    // With adaptive repeats each line has its own count.
    let how = repeats == (counts.max() ?? 1) ? "\(repeats) repeats" : "its own repeats (\(repeats) to \(counts.max()!))"
    return FigureSpec(
      figure: Figure(title: title, subtitle: subtitle, width: 560, height: 380, chart: .line(chart)),
      alt: "\(metric.label.capitalizedFirst) per epoch of \(Format.list(runs.map(\.name)))"
        + (repeats > 1 ? ", each the mean of \(how)." : "."),
      caption: repeats > 1
        ? caption + " Each line is the mean of \(how); its band spans ± one standard deviation."
        : caption)
  }

  /// The band of ± one sample standard deviation around a mean curve.
  static func bandOf(_ curve: EpochCurves.Curve) -> [(low: Double, high: Double)] {
    zip(curve.mean, curve.sd).map { (low: $0 - $1, high: $0 + $1) }
  }
}

extension Metric {
  var label: String {
    switch self {
    case .loss: return "training loss"
    case .accuracy: return "training accuracy"
    case .validationLoss: return "validation loss"
    case .validationAccuracy: return "validation accuracy"
    }
  }
}

extension String {
  var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
