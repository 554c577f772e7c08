import Charts
import Statistics
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
  let facts: GridFacts
  let context: PresentationContext

  /// Repeats per point.
  var repeats: Int { facts.repeats }

  /// A point's name: "2 × 512".
  func name(_ p: GridFacts.Point) -> String { Self.name(p, grid) }

  static func name(_ p: GridFacts.Point, _ grid: GridResult) -> String {
    "\(grid.rowValues[p.row]) × \(grid.columnValues[p.column])"
  }

  func figures() -> [(FigureKind, FigureSpec)] {
    let (rowLabel, columnLabel) = (grid.rowKey.label, grid.columnKey.label)
    let heatmap = Heatmap(
      values: grid.accuracy, rowLabels: grid.rowValues.map(\.description),
      columnLabels: grid.columnValues.map(\.description),
      rowTitle: rowLabel, columnTitle: columnLabel,
      cellText: grid.accuracySD == nil ? .value(.percent) : .valueAndSpread(.percent),
      colorbarTitle: repeats > 1 ? "mean best validation accuracy" : "best validation accuracy",
      spreads: grid.accuracySD)
    let points = zip(grid.parameters.joined(), grid.accuracy.joined()).map {
      ScatterPoint(x: Double($0), y: $1)
    }
    let best = facts.best
    let highestNames = facts.highest.map(name)
    let scatter = ScatterChart(
      points: points, x: Axis("trainable parameters", scale: .log),
      y: Axis("best validation accuracy", format: .percent),
      highlighted: best.row * grid.columnValues.count + best.column,
      highlightLabel: facts.highest.count > 1 ? "\(name(best)) (tied)" : name(best))
    let subtitle =
      "each trained \(cell.settings.epochs) epochs: \(SettingsText.summary(cell.settings, context.shape, network: false))"
    return [
      (
        .heatmap,
        FigureSpec(
          figure: Figure(
            title: "\(repeats > 1 ? "Mean best" : "Best") validation accuracy: \(rowLabel) × \(columnLabel)",
            subtitle: repeats > 1 ? subtitle + "; \(repeats) repeats, ± one standard deviation" : subtitle,
            width: 640, height: 120 + 56 * Double(grid.rowValues.count), chart: .heatmap(heatmap)),
          alt:
            "A grid of validation accuracies, one per combination of \(rowLabel) and \(columnLabel); the highest, \(Format.percent(grid.accuracy[best.row][best.column])), at \(Format.list(highestNames))\(highestNames.count > 1 ? " (tied)" : "").",
          caption: repeats > 1
            ? "Mean best validation accuracy of each network over \(repeats) repeats, ± one standard deviation; the colour bar gives the scale, from the lowest to the highest."
            : "Best validation accuracy of each network; the colour bar gives the scale, from the lowest to the highest."
        )
      ),
      (
        .parameters,
        FigureSpec(
          figure: Figure(
            title: "Accuracy against size", subtitle: subtitle, width: 560, height: 380, chart: .scatter(scatter)),
          alt: "Each network's best validation accuracy against its number of parameters, on a log scale.",
          caption:
            "Each point is one network of the grid: its \(repeats > 1 ? "mean best" : "best") validation accuracy against its parameters."
        )
      ),
    ]
  }

  func outputs(_ figures: Figures<FigureKind>) -> CellOutputs {
    let best = facts.best
    let bestName = Self.name(best, grid)
    let compared = facts.networks.joined().compactMap(\.comparison)
    var caption =
      (repeats > 1
        ? "Every network of the grid (± one standard deviation over \(repeats) repeats)" : "Every network of the grid")
      + ". Bold: the highest mean\(facts.highest.count > 1 ? "s (tied)" : ""), picked after the results."
    var columns: [(String, TableBuilder.Alignment)] = [
      (grid.rowKey.label.capitalizedFirst, .right), (grid.columnKey.label.capitalizedFirst, .right),
      ("Parameters", .right), ("Best val. accuracy", .right),
    ]
    if !compared.isEmpty {
      caption +=
        " Against \(bestName), for each network with fewer parameters: the difference of mean best validation accuracies, with its interval at the level its test decides at, and the p value of \(compared.first!.design == .paired ? "the paired t-test" : "Welch's t")\(Words.correction(compared.first!.family)) (the last row against the first at the best column is one of them); larger networks are not tested, the question being how small a network can be."
      columns += [("Against \(bestName)", .right), ("p", .right)]
    }
    columns.append(("s / epoch", .right))
    var table = TableBuilder(caption, columns: columns)
    for (r, row) in grid.rowValues.enumerated() {
      for (c, column) in grid.columnValues.enumerated() {
        let network = facts.networks[r][c]
        var cells = [
          row.description, column.description, Format.count(network.parameters),
          network.accuracy.n == 0 ? "diverged" : Format.percent(network.accuracy),
        ]
        if !compared.isEmpty {
          if let comparison = network.comparison {
            cells += [Format.difference(comparison.difference), Format.pValue(comparison, noting: false)]
          } else {
            cells += [GridFacts.Point(row: r, column: c) == best ? "reference" : "–", ""]
          }
        }
        cells.append(network.secondsPerEpoch.map { Format.spread($0) { String(format: "%.2f", $0) } } ?? "–")
        table.add(cells, emphasis: facts.highest.contains(GridFacts.Point(row: r, column: c)))
      }
    }
    return .grid(GridView(table: table.table, figures: figures.list(FigureKind.allCases)))
  }

  func finding() -> String { Self.finding(facts, grid) }

  static func finding(_ facts: GridFacts, _ grid: GridResult) -> String {
    let (rowLabel, columnLabel) = (grid.rowKey.label, grid.columnKey.label)
    let best = facts.best
    let name = { (p: GridFacts.Point) in Self.name(p, grid) }
    guard facts.repeats > 1 else {
      return
        "With one run per network nothing here can be ranked: the grid's best validation accuracies span \(Format.percent(facts.worst)) to \(Format.percent(facts.bestAccuracy)), and another seed moves a network by about as much as its neighbours differ. Repeats would tell which differences hold."
    }
    let tied = facts.highest.count > 1
    var sentences = [
      tied
        ? "The highest mean accuracy, \(Format.percent(facts.bestAccuracy)) over \(Words.repeats(facts.repeats)), is a tie of \(Format.list(facts.highest.map(name))) (\(rowLabel) × \(columnLabel)); of them, \(name(best)) has the fewest parameters, \(Format.count(facts.bestParameters)), and is the one the others are compared with."
        : "The highest mean accuracy comes with \(grid.rowValues[best.row]) \(rowLabel) and \(grid.columnValues[best.column]) \(columnLabel): \(Format.percent(facts.bestAccuracy)) over \(Words.repeats(facts.repeats)), with \(Format.count(facts.bestParameters)) parameters (picked after the results)."
    ]
    let family = (facts.smallestComparison ?? facts.rowComparison)?.family ?? 1
    if let smallest = facts.smallestClose, let ratio = facts.sizeRatio, let comparison = facts.smallestComparison {
      sentences.append(
        "Tested by Welch's t\(Words.correction(family)), \(name(smallest)), with \(String(format: "%.1f", ratio)) times fewer parameters, is the smallest network its test does not find worse: \(Words.verdict(comparison)) (\(Words.evidence(comparison)))\(Words.detectable(comparison).map { "; \($0)" } ?? "")."
      )
    } else {
      sentences.append(
        "Every smaller network is worse, tested by Welch's t\(Words.correction(family)).")
    }
    if let effect = facts.rowEffect, let first = grid.rowValues.first, let last = grid.rowValues.last {
      var text =
        "At \(grid.columnValues[best.column]) \(columnLabel), going from \(first) to \(last) \(rowLabel) changes accuracy by \(Format.points(effect))"
      if let comparison = facts.rowComparison {
        text += ": \(last) \(rowLabel) \(Words.be(1)) \(Words.verdict(comparison)) (\(Words.evidence(comparison)))"
      }
      sentences.append(text + ".")
    }
    sentences.append(
      "The whole grid spans \(Words.margin(facts.bestAccuracy - facts.worst)), from \(Format.percent(facts.worst)) to \(Format.percent(facts.bestAccuracy))."
    )
    return sentences.joined(separator: " ")
  }
}
