import Charts
import Foundation

/// Figures like the study's, for tests and for looking at (set MNIST_REPORT_GALLERY to a
/// folder to have the tests write them there).
enum Samples {
  static let epochs = (1...25).map(Double.init)

  static var curves: Figure {
    let train = epochs.map { 0.9 * exp(-$0 / 5) + 0.05 }
    let validation = epochs.map { 0.8 * exp(-$0 / 6) + 0.07 + 0.002 * max(0, $0 - 15) }
    return Figure(
      title: "Loss per epoch", subtitle: "784-512-256-128-10, ReLU, dropout 0.4/0.3/0.3, Adam 5e-4",
      chart: .line(
        LineChart(
          series: [
            LineSeries("train", x: epochs, y: train), LineSeries("validation", x: epochs, y: validation, markers: true),
          ],
          x: Axis("epoch"), y: Axis("cross-entropy loss"),
          annotations: [Annotation(x: 15, y: validation[14], label: "best: epoch 15")])))
  }

  static var optimizers: Figure {
    let names = ["SGD", "SGD + momentum", "Nesterov", "RMSprop", "Adam", "AdamW"]
    let series = names.enumerated().map { i, name in
      LineSeries(name, x: epochs, y: epochs.map { 0.9 + 0.08 * (1 - exp(-$0 / Double(2 + i * 2))) })
    }
    return Figure(
      title: "Validation accuracy by optimizer",
      chart: .line(LineChart(series: series, x: Axis("epoch"), y: Axis("validation accuracy", format: .percent))))
  }

  static var learningRate: Figure {
    let rate = epochs.map { 5e-4 * pow(0.5, Double(Int($0 - 1) / 6)) }
    return Figure(
      title: "Learning rate", width: 520, height: 300,
      chart: .line(
        LineChart(series: [LineSeries("", x: epochs, y: rate)], x: Axis("epoch"), y: Axis("rate", scale: .log))))
  }

  static var batchSizes: Figure {
    let sizes = ["16", "32", "64", "128", "256", "512", "1024"]
    return Figure(
      title: "Batch size: accuracy and cost",
      chart: .bar(
        BarChart(
          categories: sizes,
          groups: [
            BarGroup(
              "validation accuracy", values: [0.9781, 0.9805, 0.9818, 0.9822, 0.9801, 0.9770, 0.9711],
              errors: [0.001, 0.0012, 0.0008, 0.0009, 0.0011, 0.0015, 0.002])
          ], categoryTitle: "batch size", y: Axis("validation accuracy", range: 0.95...0.99, format: .percent))))
  }

  static var regularization: Figure {
    Figure(
      title: "Regularization: train vs validation",
      chart: .bar(
        BarChart(
          categories: ["none", "dropout", "batch norm", "both", "weight decay"],
          groups: [
            BarGroup("train", values: [0.9991, 0.9952, 0.9987, 0.9950, 0.9979]),
            BarGroup("validation", values: [0.9801, 0.9832, 0.9815, 0.9838, 0.9808]),
          ], categoryTitle: "", y: Axis("accuracy", range: 0.97...1.0, format: .percent))))
  }

  static var confusion: Figure {
    var counts = [[Double]](repeating: [Double](repeating: 0, count: 10), count: 10)
    for r in 0..<10 {
      for c in 0..<10 { counts[r][c] = r == c ? Double(960 + r * 7) : Double((r * 7 + c * 3) % 5) }
    }
    counts[4][9] = 17
    counts[7][2] = 12
    return Figure(
      title: "Confusion matrix (test set)", width: 680, height: 620,
      chart: .heatmap(
        Heatmap(
          values: counts, rowLabels: (0...9).map(String.init), columnLabels: (0...9).map(String.init),
          rowTitle: "true digit", columnTitle: "predicted digit", cellText: .countAndRowShare, colorsByRowShare: true,
          colorbarTitle: "share of the true digit")))
  }

  static var grid: Figure {
    let accuracy = [
      [0.9771, 0.9802, 0.9811, 0.9805], [0.9789, 0.9823, 0.9831, 0.9829], [0.9774, 0.9817, 0.9830, 0.9836],
    ]
    return Figure(
      title: "Validation accuracy: layers × neurons", width: 600, height: 360,
      chart: .heatmap(
        Heatmap(
          values: accuracy, rowLabels: ["1", "2", "3"], columnLabels: ["64", "128", "256", "512"],
          rowTitle: "hidden layers", columnTitle: "neurons per layer", cellText: .value(.percent),
          colorbarTitle: "accuracy")))
  }

  static func digit(_ seed: Int) -> [Float] {
    (0..<784).map { i in
      let (r, c) = (Double(i / 28) - 14, Double(i % 28) - 14)
      let ring = abs((r * r + c * c).squareRoot() - Double(6 + seed % 4))
      return Float(max(0, 1 - ring / 2.5))
    }
  }

  static var mistakes: Figure {
    let tiles = (0..<12).map { i in
      ImageTile(
        pixels: digit(i), rows: 28, columns: 28, caption: "true \(i % 10) → \((i + 3) % 10), p = 0.9\(i % 10)",
        highlighted: i % 5 == 0)
    }
    return Figure(
      title: "Most confident mistakes", width: 760, height: 440, chart: .images(ImageGrid(images: tiles, columns: 6)))
  }

  static var search: Figure {
    let points = (0..<24).map { i in
      ScatterPoint(x: 1e-4 * pow(10, Double(i % 12) / 4), y: 0.95 + 0.03 * sin(Double(i)) * 0.5 + 0.01 * Double(i % 3))
    }
    return Figure(
      title: "Search: learning rate vs cross-validation accuracy",
      chart: .scatter(
        ScatterChart(
          points: points, x: Axis("learning rate", scale: .log), y: Axis("mean CV accuracy", format: .percent),
          highlighted: 7, highlightLabel: "best: 98.1%")))
  }

  static var all: [(String, Figure)] {
    [
      ("curves", curves), ("optimizers", optimizers), ("learning-rate", learningRate), ("batch-sizes", batchSizes),
      ("regularization", regularization), ("confusion", confusion), ("grid", grid), ("mistakes", mistakes),
      ("search", search),
    ]
  }
}
