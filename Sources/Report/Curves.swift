import Charts
import NN
import Study

/// Learning curves: loss and accuracy per epoch, for one run or several side by side.
enum Curves {
  /// Train (dashed) and validation loss of one run, the best epoch marked.
  static func loss(_ run: RunRecord, id: String, subtitle: String) -> FigureSpec {
    let epochs = run.history.epochs
    let x = epochs.map { Double($0.epoch) }
    var series = [LineSeries("train", x: x, y: epochs.map(\.trainLoss), dashed: true)]
    let validation = epochs.compactMap(\.validationLoss)
    if validation.count == epochs.count { series.append(LineSeries("validation", x: x, y: validation)) }
    var annotations: [Annotation] = []
    if let best = epochs.filter({ $0.validationLoss?.isFinite == true }).min(by: {
      $0.validationLoss! < $1.validationLoss!
    }) {
      annotations.append(
        Annotation(x: Double(best.epoch), y: best.validationLoss!, label: "lowest: epoch \(best.epoch)"))
    }
    let chart = LineChart(
      series: series, x: Axis("epoch", format: .integer), y: Axis("cross-entropy loss"), annotations: annotations)
    return FigureSpec(
      id: id, figure: Figure(title: "Loss per epoch", subtitle: subtitle, width: 560, height: 380, chart: .line(chart)),
      alt: "Training and validation loss over \(epochs.count) epochs"
        + (annotations.first.map { "; the validation loss is lowest at \($0.label.dropFirst(8))" } ?? "") + ".",
      caption: "Training loss (dashed, measured with dropout on, as Keras reports it) and validation loss.")
  }

  /// Train (dashed) and validation accuracy of one run, the best epoch marked.
  static func accuracy(_ run: RunRecord, id: String, subtitle: String) -> FigureSpec {
    let epochs = run.history.epochs
    let x = epochs.map { Double($0.epoch) }
    var series = [LineSeries("train", x: x, y: epochs.map(\.trainAccuracy), dashed: true)]
    let validation = epochs.compactMap(\.validationAccuracy)
    if validation.count == epochs.count { series.append(LineSeries("validation", x: x, y: validation)) }
    var annotations: [Annotation] = []
    if let best = run.bestEpoch, let value = best.validationAccuracy {
      annotations.append(
        Annotation(x: Double(best.epoch), y: value, label: "best: \(Format.percent(value)) at epoch \(best.epoch)"))
    }
    let chart = LineChart(
      series: series, x: Axis("epoch", format: .integer), y: Axis("accuracy", format: .percent),
      annotations: annotations)
    return FigureSpec(
      id: id,
      figure: Figure(title: "Accuracy per epoch", subtitle: subtitle, width: 560, height: 380, chart: .line(chart)),
      alt: "Training and validation accuracy over \(epochs.count) epochs"
        + (annotations.first.map { "; \($0.label)" } ?? "") + ".",
      caption: "Training accuracy (dashed) and validation accuracy; the marker is the best validation epoch.")
  }

  /// The learning rate per epoch, on a log scale, when a schedule changed it.
  static func learningRate(_ run: RunRecord, id: String, subtitle: String) -> FigureSpec? {
    let epochs = run.history.epochs
    guard Set(epochs.map(\.learningRate)).count > 1 else { return nil }
    let chart = LineChart(
      series: [LineSeries("learning rate", x: epochs.map { Double($0.epoch) }, y: epochs.map(\.learningRate))],
      x: Axis("epoch", format: .integer), y: Axis("learning rate", scale: .log))
    let changes = zip(epochs, epochs.dropFirst()).filter { $0.learningRate != $1.learningRate }.count
    return FigureSpec(
      id: id,
      figure: Figure(
        title: "Learning rate per epoch", subtitle: subtitle, width: 560, height: 300, chart: .line(chart)),
      alt: "The learning rate per epoch: it changed \(changes) times.",
      caption: "The learning rate the schedule set for each epoch.")
  }

  /// One validation metric of several named runs on one chart.
  static func compare(
    _ runs: [NamedRun], metric: Metric, id: String, title: String, subtitle: String, caption: String
  ) -> FigureSpec {
    let series = runs.map { named in
      LineSeries(
        named.name, x: named.run.history.epochs.map { Double($0.epoch) },
        y: named.run.history.epochs.map { metric.value(in: $0) ?? .nan })
    }
    let accuracy = metric == .accuracy || metric == .validationAccuracy
    let axis = accuracy ? Axis(metric.label, format: .percent) : Axis(metric.label)
    let chart = LineChart(series: series, x: Axis("epoch", format: .integer), y: axis)
    return FigureSpec(
      id: id, figure: Figure(title: title, subtitle: subtitle, width: 560, height: 380, chart: .line(chart)),
      alt: "\(metric.label.capitalizedFirst) per epoch of \(Format.list(runs.map(\.name))).", caption: caption)
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
