import Charts
import Study

/// The outputs of a grid cell.
struct GridView {
  let table: TableView
  let figures: [FigureView]
}

/// A grid cell: every combination of two settings, for example hidden layers × neurons.
struct GridPresenter: Presenter {
  enum FigureKind: String, FigureName, CaseIterable {
    case heatmap, parameters
  }

  let cell: Cell
  let body: GridCell
  let grid: GridResult
  let runs: [NamedRun]
  let context: PresentationContext

  var facts: GridFacts { GridFacts(grid) }

  func figures() -> [(FigureKind, FigureSpec)] {
    let (rowLabel, columnLabel) = (grid.rowKey.label, grid.columnKey.label)
    let heatmap = Heatmap(
      values: grid.accuracy, rowLabels: grid.rowValues, columnLabels: grid.columnValues,
      rowTitle: rowLabel, columnTitle: columnLabel, cellText: .value(.percent),
      colorbarTitle: "best validation accuracy")
    let points = zip(grid.parameters.joined(), grid.accuracy.joined()).map {
      ScatterPoint(x: Double($0), y: $1)
    }
    let best = facts.best
    let scatter = ScatterChart(
      points: points, x: Axis("trainable parameters", scale: .log),
      y: Axis("best validation accuracy", format: .percent),
      highlighted: best.row * grid.columnValues.count + best.column,
      highlightLabel: "\(grid.rowValues[best.row]) × \(grid.columnValues[best.column])")
    let subtitle =
      "each trained \(cell.settings.epochs) epochs: \(SettingsText.summary(cell.settings, context.shape, network: false))"
    return [
      (
        .heatmap,
        FigureSpec(
          figure: Figure(
            title: "Best validation accuracy: \(rowLabel) × \(columnLabel)", subtitle: subtitle,
            width: 640, height: 120 + 56 * Double(grid.rowValues.count), chart: .heatmap(heatmap)),
          alt:
            "A grid of validation accuracies, one per combination of \(rowLabel) and \(columnLabel); the best is \(Format.percent(grid.accuracy[best.row][best.column])) at \(grid.rowValues[best.row]) × \(grid.columnValues[best.column]).",
          caption: "Best validation accuracy of each network (darker is better).")
      ),
      (
        .parameters,
        FigureSpec(
          figure: Figure(
            title: "Accuracy against size", subtitle: subtitle, width: 560, height: 380, chart: .scatter(scatter)),
          alt: "Each network's best validation accuracy against its number of parameters, on a log scale.",
          caption: "Each point is one network of the grid; more parameters help only up to a point.")
      ),
    ]
  }

  func outputs(_ figures: Figures<FigureKind>) -> CellOutputs {
    var table = TableBuilder(
      "Every network of the grid",
      columns: [
        (grid.rowKey.label.capitalizedFirst, .right), (grid.columnKey.label.capitalizedFirst, .right),
        ("Parameters", .right), ("Best val. accuracy", .right), ("s / epoch", .right),
      ])
    let best = facts.best
    for (r, row) in grid.rowValues.enumerated() {
      for (c, column) in grid.columnValues.enumerated() {
        let epochs = max(1, runs[r * grid.columnValues.count + c].run.history.epochs.count)
        table.add(
          [
            row, column, Format.count(grid.parameters[r][c]), Format.percent(grid.accuracy[r][c]),
            Format.number(grid.seconds[r][c] / Double(epochs), decimals: 2),
          ], emphasis: r == best.row && c == best.column)
      }
    }
    return .grid(GridView(table: table.table, figures: figures.list(FigureKind.allCases)))
  }

  func finding() -> String { Self.finding(facts, grid) }

  static func finding(_ facts: GridFacts, _ grid: GridResult) -> String {
    let (rowLabel, columnLabel) = (grid.rowKey.label, grid.columnKey.label)
    let best = facts.best
    var sentences = [
      "The best network has \(grid.rowValues[best.row]) \(rowLabel) and \(grid.columnValues[best.column]) \(columnLabel): \(Format.percent(facts.bestAccuracy)) with \(Format.count(facts.bestParameters)) parameters."
    ]
    if let smallest = facts.smallestClose, let ratio = facts.sizeRatio {
      sentences.append(
        "Within \(Format.number(GridFacts.tolerance * 100, decimals: 2)) point of it, \(grid.rowValues[smallest.row]) × \(grid.columnValues[smallest.column]) reaches \(Format.percent(grid.accuracy[smallest.row][smallest.column])) with \(String(format: "%.1f", ratio)) times fewer parameters."
      )
    }
    if let effect = facts.rowEffect, let first = grid.rowValues.first, let last = grid.rowValues.last {
      sentences.append(
        "At \(grid.columnValues[best.column]) \(columnLabel), going from \(first) to \(last) \(rowLabel) changes accuracy by \(Format.points(effect))."
      )
    }
    sentences.append(
      "The whole grid spans \(ComparePresenter.margin(facts.bestAccuracy - facts.worst)), from \(Format.percent(facts.worst)) to \(Format.percent(facts.bestAccuracy))."
    )
    return sentences.joined(separator: " ")
  }
}
