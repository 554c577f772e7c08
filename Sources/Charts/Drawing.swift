/// A rectangle in points.
struct Frame {
  var x, y, width, height: Double
  var maxX: Double { x + width }
  var maxY: Double { y + height }
  var midX: Double { x + width / 2 }
  var midY: Double { y + height / 2 }
  func contains(_ px: Double, _ py: Double) -> Bool { px >= x && px <= maxX && py >= y && py <= maxY }
}

extension Figure {
  /// Checks what would otherwise be drawn wrong or not at all: the canvas, and data whose
  /// shapes disagree. Values that are not finite are not errors: they are skipped, and the
  /// figure says how many.
  func validate() throws(ChartError) {
    guard width.isFinite, height.isFinite, width >= 120, height >= 90 else {
      throw ChartError(title, "the canvas is \(width) × \(height) points; it must be at least 120 × 90")
    }
    switch chart {
    case .line(let c):
      try checkSeriesCount(c.series.count)
      for s in c.series where s.x.count != s.y.count {
        throw ChartError(title, "series '\(s.name)' has \(s.x.count) x values and \(s.y.count) y values")
      }
    case .bar(let c):
      try checkSeriesCount(c.groups.count)
      for g in c.groups {
        if g.values.count != c.categories.count {
          throw ChartError(title, "group '\(g.name)' has \(g.values.count) values for \(c.categories.count) categories")
        }
        if let errors = g.errors, errors.count != g.values.count {
          throw ChartError(title, "group '\(g.name)' has \(errors.count) error bars for \(g.values.count) values")
        }
      }
    case .heatmap(let c):
      let columns = c.values.first?.count ?? 0
      if let ragged = c.values.firstIndex(where: { $0.count != columns }) {
        throw ChartError(title, "heatmap row \(ragged) has \(c.values[ragged].count) values, expected \(columns)")
      }
      if !c.values.isEmpty && (c.rowLabels.count != c.values.count || c.columnLabels.count != columns) {
        throw ChartError(
          title,
          "heatmap of \(c.values.count) × \(columns) cells has \(c.rowLabels.count) row and \(c.columnLabels.count) column labels"
        )
      }
    case .images(let c):
      guard c.columns > 0 else { throw ChartError(title, "an image grid needs at least one column, got \(c.columns)") }
      for (i, tile) in c.images.enumerated()
      where tile.rows <= 0 || tile.columns <= 0 || tile.pixels.count != tile.rows * tile.columns {
        throw ChartError(title, "image \(i) has \(tile.pixels.count) pixels for \(tile.rows) × \(tile.columns)")
      }
    case .scatter:
      break
    case .intervals(let c):
      try checkSeriesCount(c.series.count)
      for s in c.series {
        let counts = [s.values.count, s.low?.count ?? s.values.count, s.high?.count ?? s.values.count]
        if counts.contains(where: { $0 != c.categories.count }) {
          throw ChartError(
            title, "series '\(s.name)' has \(counts) values and ends for \(c.categories.count) categories")
        }
      }
    }
  }

  private func checkSeriesCount(_ count: Int) throws(ChartError) {
    if count > Theme.maximumSeries {
      throw ChartError(title, "\(count) series or groups; at most \(Theme.maximumSeries) can be told apart")
    }
  }

  /// `text` broken at spaces into at most `lines` lines no wider than `width`, the last one
  /// cut short with an ellipsis if the text does not fit.
  func wrapped(_ text: String, width: Double, size: Double, lines: Int, bold: Bool = false, canvas: Canvas) -> [String]
  {
    var result: [String] = []
    var current = ""
    var words = text.split(separator: " ").map(String.init)[...]
    while let word = words.first {
      let candidate = current.isEmpty ? word : current + " " + word
      if canvas.measure(candidate, size: size, bold: bold).width <= width || current.isEmpty {
        current = candidate
        words = words.dropFirst()
        continue
      }
      result.append(current)
      current = ""
      if result.count == lines - 1 {
        current = words.joined(separator: " ")
        break
      }
    }
    if !current.isEmpty { result.append(current) }
    if var last = result.last, canvas.measure(last, size: size, bold: bold).width > width {
      while !last.isEmpty && canvas.measure(last + "…", size: size, bold: bold).width > width { last.removeLast() }
      result[result.count - 1] = last + "…"
    }
    return result
  }

  /// Draws the whole figure: background, title, subtitle, then the chart below them.
  func draw(on canvas: Canvas) {
    canvas.fill(Theme.background)
    var top = Theme.margin
    // A title or subtitle too long for the width takes two lines, or three in a compact
    // figure, before it is cut.
    let lines = width < 400 ? 3 : 2
    for line in wrapped(
      title, width: width - 2 * Theme.margin, size: Theme.titleSize, lines: lines, bold: true, canvas: canvas)
    {
      canvas.text(line, x: Theme.margin, y: top, size: Theme.titleSize, bold: true)
      top += canvas.measure(line, size: Theme.titleSize, bold: true).height
    }
    if let subtitle, !subtitle.isEmpty {
      for line in wrapped(
        subtitle, width: width - 2 * Theme.margin, size: Theme.subtitleSize, lines: lines, canvas: canvas)
      {
        canvas.text(line, x: Theme.margin, y: top + 1, size: Theme.subtitleSize, color: Theme.muted)
        top += canvas.measure(line, size: Theme.subtitleSize).height + 1
      }
    }
    top += 10
    let area = Frame(x: Theme.margin, y: top, width: width - 2 * Theme.margin, height: height - top - Theme.margin)
    let notes: [String]
    switch chart {
    case .line(let c): notes = c.draw(in: area, on: canvas)
    case .bar(let c): notes = c.draw(in: area, on: canvas)
    case .heatmap(let c): notes = c.draw(in: area, on: canvas)
    case .images(let c): notes = c.draw(in: area, on: canvas)
    case .scatter(let c): notes = c.draw(in: area, on: canvas)
    case .intervals(let c): notes = c.draw(in: area, on: canvas)
    }
    if !notes.isEmpty {
      canvas.text(
        notes.joined(separator: "; "), x: width - Theme.margin, y: height - 4, size: Theme.noteSize,
        color: Theme.muted, horizontal: .end, vertical: .end)
    }
  }
}

/// Writes "No data" across an empty chart's area, with the reason under it.
func drawNoData(_ reason: String, in area: Frame, on canvas: Canvas) {
  canvas.rectangle(area.x + 0.5, area.y + 0.5, area.width - 1, area.height - 1, stroke: Theme.grid)
  canvas.text(
    "No data", x: area.midX, y: area.midY, size: Theme.titleSize, color: Theme.muted, bold: true,
    horizontal: .center, vertical: .end)
  canvas.text(
    reason, x: area.midX, y: area.midY + 4, size: Theme.labelSize, color: Theme.muted, horizontal: .center)
}

/// "3 values that are not finite are not shown", or nothing.
func skippedNote(_ count: Int, _ what: String = "values") -> [String] {
  count == 0
    ? []
    : ["\(count) \(count == 1 ? String(what.dropLast()) : what) not finite (or not positive on a log axis), not shown"]
}
