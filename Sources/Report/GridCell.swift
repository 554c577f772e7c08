import Charts
import Study

/// The outputs of a grid cell.
struct GridView {
  let table: TableView
  let figures: [FigureView]
}

/// A grid cell: every combination of two settings, for example hidden layers × neurons.
enum GridCell {
  static func figures(_ cell: Cell, _ grid: GridResult) -> [FigureSpec] {
    let heatmap = Heatmap(
      values: grid.accuracy, rowLabels: grid.rowValues, columnLabels: grid.columnValues,
      rowTitle: label(grid.rowKey), columnTitle: label(grid.columnKey), cellText: .value(.percent),
      colorbarTitle: "best validation accuracy")
    let points = zip(grid.parameters.joined(), grid.accuracy.joined()).map {
      ScatterPoint(x: Double($0), y: $1)
    }
    let best = bestPoint(grid)
    let bestFlat = best.row * grid.columnValues.count + best.column
    let scatter = ScatterChart(
      points: points, x: Axis("trainable parameters", scale: .log),
      y: Axis("best validation accuracy", format: .percent),
      highlighted: bestFlat,
      highlightLabel: "\(grid.rowValues[best.row]) × \(grid.columnValues[best.column])")
    let subtitle = "each trained \(cell.settings.epochs) epochs: \(SettingsText.summary(cell.settings, network: false))"
    return [
      FigureSpec(
        id: "\(cell.id)-heatmap",
        figure: Figure(
          title: "Best validation accuracy: \(label(grid.rowKey)) × \(label(grid.columnKey))", subtitle: subtitle,
          width: 640, height: 120 + 56 * Double(grid.rowValues.count), chart: .heatmap(heatmap)),
        alt:
          "A grid of validation accuracies, one per combination of \(label(grid.rowKey)) and \(label(grid.columnKey)); the best is \(Format.percent(grid.accuracy[best.row][best.column])) at \(grid.rowValues[best.row]) × \(grid.columnValues[best.column]).",
        caption: "Best validation accuracy of each network (darker is better)."),
      FigureSpec(
        id: "\(cell.id)-parameters",
        figure: Figure(
          title: "Accuracy against size", subtitle: subtitle, width: 560, height: 380, chart: .scatter(scatter)),
        alt: "Each network's best validation accuracy against its number of parameters, on a log scale.",
        caption: "Each point is one network of the grid; more parameters help only up to a point."),
    ]
  }

  static func view(_ cell: Cell, _ result: CellResult, _ grid: GridResult, _ context: ReportContext) -> GridView {
    var table = TableBuilder(
      "Every network of the grid",
      columns: [
        (label(grid.rowKey).capitalizedFirst, .right), (label(grid.columnKey).capitalizedFirst, .right),
        ("Parameters", .right), ("Best val. accuracy", .right), ("s / epoch", .right),
      ])
    let best = bestPoint(grid)
    for (r, row) in grid.rowValues.enumerated() {
      for (c, column) in grid.columnValues.enumerated() {
        let epochs = max(1, result.runs[r * grid.columnValues.count + c].run.history.epochs.count)
        table.add(
          [
            row, column, Format.count(grid.parameters[r][c]), Format.percent(grid.accuracy[r][c]),
            Format.number(grid.seconds[r][c] / Double(epochs), decimals: 2),
          ], emphasis: r == best.row && c == best.column)
      }
    }
    return GridView(
      table: table.table, figures: ["heatmap", "parameters"].compactMap { context.figure("\(cell.id)-\($0)") })
  }

  static func finding(_ grid: GridResult) -> String {
    let best = bestPoint(grid)
    let bestAccuracy = grid.accuracy[best.row][best.column]
    let bestParameters = grid.parameters[best.row][best.column]
    var sentences = [
      "The best network has \(grid.rowValues[best.row]) \(label(grid.rowKey)) and \(grid.columnValues[best.column]) \(label(grid.columnKey)): \(Format.percent(bestAccuracy)) with \(Format.count(bestParameters)) parameters."
    ]
    // The smallest network within a tenth of a point of the best.
    var smallest = best
    for r in grid.rowValues.indices {
      for c in grid.columnValues.indices
      where grid.accuracy[r][c] >= bestAccuracy - 0.001
        && grid.parameters[r][c] < grid.parameters[smallest.row][smallest.column]
      {
        smallest = (r, c)
      }
    }
    if smallest != best {
      let ratio = Double(bestParameters) / Double(grid.parameters[smallest.row][smallest.column])
      sentences.append(
        "Within 0.1 point of it, \(grid.rowValues[smallest.row]) × \(grid.columnValues[smallest.column]) reaches \(Format.percent(grid.accuracy[smallest.row][smallest.column])) with \(String(format: "%.1f", ratio)) times fewer parameters."
      )
    }
    // What the row setting does at the best column.
    let column = grid.accuracy.map { $0[best.column] }
    if column.count > 1, let first = column.first, let last = column.last {
      sentences.append(
        "At \(grid.columnValues[best.column]) \(label(grid.columnKey)), going from \(grid.rowValues.first!) to \(grid.rowValues.last!) \(label(grid.rowKey)) changes accuracy by \(Format.points(last - first))."
      )
    }
    let worst = grid.accuracy.joined().min() ?? bestAccuracy
    sentences.append(
      "The whole grid spans \(Format.points(bestAccuracy - worst).replacingOccurrences(of: "+", with: "")), from \(Format.percent(worst)) to \(Format.percent(bestAccuracy))."
    )
    return sentences.joined(separator: " ")
  }

  static func bestPoint(_ grid: GridResult) -> (row: Int, column: Int) {
    var best = (row: 0, column: 0)
    for r in grid.accuracy.indices {
      for c in grid.accuracy[r].indices where grid.accuracy[r][c] > grid.accuracy[best.row][best.column] {
        best = (r, c)
      }
    }
    return best
  }

  /// A settings key as words: `layers` → "hidden layers".
  static func label(_ key: String) -> String {
    switch key {
    case "layers": return "hidden layers"
    case "width": return "neurons per layer"
    case "batch_size": return "batch size"
    case "learning_rate": return "learning rate"
    case "dropout": return "dropout"
    default: return key.replacingOccurrences(of: "_", with: " ")
    }
  }
}
