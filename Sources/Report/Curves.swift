import Charts
import NN
import Study

/// Learning curves: loss and accuracy per epoch, for one run or several side by side.
enum Curves {
  /// Train (dashed) and validation loss of one run, the lowest validation loss marked.
  static func loss(_ run: RunRecord, subtitle: String, curves: EpochCurves? = nil) -> FigureSpec {
    let lowest = run.history.epochs.filter { $0.validationLoss?.isFinite == true }
      .min { $0.validationLoss! < $1.validationLoss! }
    return single(
      run, train: \.trainLoss, validation: \.validationLoss, marked: lowest.map { ($0, "lowest: epoch \($0.epoch)") },
      title: "Loss per epoch", subtitle: subtitle, axis: Axis("cross-entropy loss"),
      caption: "Training loss (dashed, measured with dropout on, as Keras reports it) and validation loss.",
      band: curves.map { ($0.runs, $0.validationLoss) })
  }

  /// Train (dashed) and validation accuracy of one run, the best epoch marked.
  static func accuracy(_ run: RunRecord, subtitle: String, curves: EpochCurves? = nil) -> FigureSpec {
    let best = run.bestEpoch.flatMap { e in
      e.validationAccuracy.map { (e, "best: \(Format.percent($0)) at epoch \(e.epoch)") }
    }
    return single(
      run, train: \.trainAccuracy, validation: \.validationAccuracy, marked: best,
      title: "Accuracy per epoch", subtitle: subtitle, axis: Axis("accuracy", format: .percent),
      caption: "Training accuracy (dashed) and validation accuracy; the marker is the best validation epoch.",
      band: curves.map { ($0.runs, $0.validationAccuracy) })
  }

  /// One quantity of one run per epoch: training (dashed) and validation, one epoch marked;
  /// with repeats (`band`: how many, and their validation curve), the validation line
  /// carries their band of ± one standard deviation.
  private static func single(
    _ run: RunRecord, train: KeyPath<EpochRecord, Double>, validation: KeyPath<EpochRecord, Double?>,
    marked: (EpochRecord, String)?, title: String, subtitle: String, axis: Axis, caption: String,
    band repeated: (count: Int, curve: EpochCurves.Curve)?
  ) -> FigureSpec {
    let epochs = run.history.epochs
    let x = epochs.map { Double($0.epoch) }
    var series = [LineSeries("train", x: x, y: epochs.map { $0[keyPath: train] }, dashed: true)]
    let validated = epochs.compactMap { $0[keyPath: validation] }
    // With repeats, repeat 0's validation curve carries the band of ± one standard
    // deviation of all of them.
    let repeats = repeated?.count ?? 1
    let band = repeated.flatMap { repeats > 1 ? Array(bandOf($0.curve).prefix(epochs.count)) : nil }
    if validated.count == epochs.count {
      series.append(LineSeries("validation", x: x, y: validated, band: band?.count == epochs.count ? band : nil))
    }
    var annotations: [Annotation] = []
    if let (epoch, label) = marked, let value = epoch[keyPath: validation] {
      annotations.append(Annotation(x: Double(epoch.epoch), y: value, label: label))
    }
    let chart = LineChart(series: series, x: Axis("epoch", format: .integer), y: axis, annotations: annotations)
    return FigureSpec(
      figure: Figure(title: title, subtitle: subtitle, width: 560, height: 380, chart: .line(chart)),
      alt:
        "\(title.replacingOccurrences(of: " per epoch", with: "")) in training and validation over \(epochs.count) epochs"
        + (marked.map { "; \($0.1)" } ?? "") + ".",
      caption: repeats > 1
        ? caption
          + " The lines are repeat 0; the band spans ± one standard deviation of the \(repeats) repeats' validation."
        : caption)
  }

  /// The learning rate per epoch, on a log scale, when a schedule changed it.
  static func learningRate(_ run: RunRecord, subtitle: String) -> FigureSpec? {
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
      caption: "The learning rate the schedule set for each epoch.")
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
    let repeats = runs.map(\.curves.runs).min() ?? 1
    return FigureSpec(
      figure: Figure(title: title, subtitle: subtitle, width: 560, height: 380, chart: .line(chart)),
      alt: "\(metric.label.capitalizedFirst) per epoch of \(Format.list(runs.map(\.name)))"
        + (repeats > 1 ? ", the mean of \(repeats) repeats each." : "."),
      caption: repeats > 1
        ? caption + " Each line is the mean of \(repeats) repeats; its band spans ± one standard deviation."
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
