extension Heatmap {
  /// Draws square cells colored by value (or by share of their row), their text in black or
  /// white for contrast, row and column labels, axis titles and a color bar.
  func draw(in area: Frame, on canvas: Canvas) -> [String] {
    let rows = values.count
    let columns = values.first?.count ?? 0
    guard rows > 0, columns > 0 else {
      drawNoData("the heatmap has no cells", in: area, on: canvas)
      return []
    }
    let finite = values.flatMap { $0 }.filter(\.isFinite)
    let notes = skippedNote(rows * columns - finite.count)
    guard let low = finite.min(), let high = finite.max() else {
      drawNoData("no finite values", in: area, on: canvas)
      return notes
    }
    let rowSums = values.map { $0.filter(\.isFinite).reduce(0, +) }
    func shade(_ r: Int, _ c: Int) -> Double {
      let v = values[r][c]
      if colorsByRowShare { return rowSums[r] > 0 ? v / rowSums[r] : 0 }
      return high > low ? (v - low) / (high - low) : 0.5
    }

    let titleHeight = canvas.measure("Ag", size: Theme.labelSize).height
    let labelHeight = canvas.measure("Ag", size: Theme.tickSize).height
    let rowLabelWidth = rowLabels.map { canvas.measure($0, size: Theme.tickSize).width }.max() ?? 0
    let barLabels = colorbarLabels(low: low, high: high)
    let barLabelWidth = barLabels.map { canvas.measure($0.text, size: Theme.tickSize).width }.max() ?? 0
    let colorbar = 14.0
    let left = area.x + titleHeight + 8 + rowLabelWidth + 6
    let bottom = area.maxY - titleHeight - 6 - labelHeight - 6
    func rightEdge(barTitle: Bool) -> Double {
      area.maxX - colorbar - 8 - barLabelWidth - (barTitle ? titleHeight + 8 : 0) - 18
    }
    func cellSide(barTitle: Bool) -> Double {
      min((rightEdge(barTitle: barTitle) - left) / Double(columns), (bottom - area.y) / Double(rows)).rounded(.down)
    }
    // The colour bar's title runs up beside it: at the label size, or the tick size, when
    // it fits the grid's height; else it is left out (the figure's title says what the
    // colours are) and the grid takes its room.
    var cell = cellSide(barTitle: !colorbarTitle.isEmpty)
    var barTitleSize: Double? =
      [Theme.labelSize, Theme.tickSize].first {
        canvas.measure(colorbarTitle, size: $0).width <= cell * Double(rows)
      }
    if colorbarTitle.isEmpty || barTitleSize == nil {
      barTitleSize = nil
      cell = cellSide(barTitle: false)
    }
    let gridWidth = cell * Double(columns)
    let gridHeight = cell * Double(rows)
    let right = rightEdge(barTitle: barTitleSize != nil)
    let x0 = (left + (right - left - gridWidth) / 2).rounded()
    let y0 = area.y.rounded()

    // The coloured cells and the colour bar are one group, which a dark page turns dark.
    canvas.beginGroup(SVGDocument.sequentialGroup)
    for r in 0..<rows {
      for c in 0..<columns where values[r][c].isFinite {
        let (x, y) = (x0 + Double(c) * cell, y0 + Double(r) * cell)
        let color = Theme.sequential(shade(r, c))
        canvas.rectangle(x, y, cell, cell, fill: color, tooltip: tooltip(r, c))
        drawCellText(r, c, x: x, y: y, cell: cell, over: color, canvas: canvas)
      }
    }
    let barX = x0 + gridWidth + 18
    let steps = 64
    for i in 0..<steps {
      let t = Double(i) / Double(steps - 1)
      let y = y0 + gridHeight * (1 - Double(i + 1) / Double(steps))
      canvas.rectangle(barX, y, colorbar, gridHeight / Double(steps) + 0.6, fill: Theme.sequential(t))
    }
    canvas.endGroup()
    for r in 0..<rows {
      for c in 0..<columns where !values[r][c].isFinite {
        let (x, y) = (x0 + Double(c) * cell, y0 + Double(r) * cell)
        canvas.rectangle(x, y, cell, cell, fill: Theme.grid)
        canvas.text(
          "–", x: x + cell / 2, y: y + cell / 2, size: Theme.tickSize, color: Theme.muted, horizontal: .center,
          vertical: .center)
      }
    }
    canvas.rectangle(x0 + 0.5, y0 + 0.5, gridWidth - 1, gridHeight - 1, stroke: Theme.muted.withAlpha(0.6))
    for (r, label) in rowLabels.enumerated() {
      canvas.text(
        label, x: x0 - 6, y: y0 + (Double(r) + 0.5) * cell, size: Theme.tickSize, color: Theme.muted, horizontal: .end,
        vertical: .center)
    }
    for (c, label) in columnLabels.enumerated() {
      canvas.text(
        label, x: x0 + (Double(c) + 0.5) * cell, y: y0 + gridHeight + 6, size: Theme.tickSize, color: Theme.muted,
        horizontal: .center)
    }
    canvas.text(
      columnTitle, x: x0 + gridWidth / 2, y: y0 + gridHeight + 12 + labelHeight, size: Theme.labelSize,
      horizontal: .center)
    canvas.text(
      rowTitle, x: x0 - 6 - rowLabelWidth - 8 - titleHeight, y: y0 + gridHeight / 2, size: Theme.labelSize,
      horizontal: .center, upwards: true)

    // The color bar's frame, ticks and title.
    canvas.rectangle(barX + 0.5, y0 + 0.5, colorbar - 1, gridHeight - 1, stroke: Theme.muted.withAlpha(0.6))
    for label in barLabels {
      let y = y0 + gridHeight * (1 - label.fraction)
      canvas.line(barX + colorbar, y, barX + colorbar + 3, y, color: Theme.ink)
      canvas.text(label.text, x: barX + colorbar + 5, y: y, size: Theme.tickSize, color: Theme.muted, vertical: .center)
    }
    if let barTitleSize {
      canvas.text(
        colorbarTitle, x: barX + colorbar + 8 + barLabelWidth + 4, y: y0 + gridHeight / 2, size: barTitleSize,
        horizontal: .center, upwards: true)
    }
    return notes
  }

  /// "True digit 4, predicted 9: 8 (0.8% of the row)": a cell's place and exact value.
  func tooltip(_ r: Int, _ c: Int) -> String {
    let value = values[r][c]
    func place(_ title: String, _ label: String) -> String { title.isEmpty ? label : "\(title) \(label)" }
    let at = place(rowTitle, rowLabels[r]) + ", " + place(columnTitle.lowercasedFirst, columnLabels[c])
    switch cellText {
    case .countAndRowShare:
      let rowSum = values[r].filter(\.isFinite).reduce(0, +)
      let share = rowSum > 0 ? " (" + fixed(100 * value / rowSum, decimals: 2) + "% of the row)" : ""
      return "\(at): \(Int(value.rounded()))\(share)"
    case .value(let style), .valueAndSpread(let style):
      let spread = spreads.flatMap { r < $0.count && c < $0[r].count ? $0[r][c] : nil }
      return "\(at): \(exact(value, style))" + (spread.flatMap { $0.isFinite ? " ± \(exact($0, style))" : nil } ?? "")
    case .none:
      return "\(at): \(exact(value, .automatic))"
    }
  }

  private func drawCellText(_ r: Int, _ c: Int, x: Double, y: Double, cell: Double, over color: Color, canvas: Canvas) {
    let value = values[r][c]
    let ink = color.contrastingText
    switch cellText {
    case .none:
      return
    case .countAndRowShare:
      let count = String(Int(value.rounded()))
      let rowSum = values[r].filter(\.isFinite).reduce(0, +)
      let share = rowSum > 0 ? fixed(100 * value / rowSum, decimals: 1) + "%" : ""
      // Each count at a legible size where it fits its cell, else only the colour (the
      // tooltip keeps the number): a compact confusion matrix keeps its small counts.
      let countSize = max(Self.smallestText, min(Theme.labelSize, cell * 0.3))
      let shareSize = min(Theme.noteSize, cell * 0.24)
      if canvas.measure(count, size: countSize).width > cell - 3 || countSize > cell * 0.8 { return }
      if cell >= 40 && !share.isEmpty {
        canvas.text(
          count, x: x + cell / 2, y: y + cell / 2, size: countSize, color: ink, bold: true, horizontal: .center,
          vertical: .end)
        canvas.text(share, x: x + cell / 2, y: y + cell / 2 + 1, size: shareSize, color: ink, horizontal: .center)
      } else {
        canvas.text(
          count, x: x + cell / 2, y: y + cell / 2, size: countSize, color: ink, horizontal: .center, vertical: .center)
      }
    case .valueAndSpread(let style):
      let step = style == .percent ? 0.001 : 0.01
      let text = format(value, step: step, style)
      let spread = spreads.flatMap { r < $0.count && c < $0[r].count ? $0[r][c] : nil }
      // A spread is a tenth of its value's size or less: shown one decimal finer.
      let second = spread.flatMap { $0.isFinite ? "± " + format($0, step: step / 10, style) : nil }
      var size = min(Theme.labelSize, cell * 0.28)
      while size > Self.smallestText, canvas.measure(text, size: size).width > cell - 4 { size -= 0.5 }
      guard canvas.measure(text, size: size).width <= cell - 4 else { return }
      let small = max(Self.smallestText, size * 0.8)
      // The spread goes under the value when both lines fit the cell.
      if let second, canvas.measure(second, size: small).width <= cell - 4,
        canvas.measure("Ag", size: size).height + canvas.measure("Ag", size: small).height <= cell - 4
      {
        canvas.text(
          text, x: x + cell / 2, y: y + cell / 2, size: size, color: ink, bold: true, horizontal: .center,
          vertical: .end)
        canvas.text(second, x: x + cell / 2, y: y + cell / 2 + 1, size: small, color: ink, horizontal: .center)
      } else {
        canvas.text(
          text, x: x + cell / 2, y: y + cell / 2, size: size, color: ink, horizontal: .center, vertical: .center)
      }
    case .value(let style):
      let text = format(value, step: style == .percent ? 0.001 : 0.01, style)
      var size = min(Theme.labelSize, cell * 0.3)
      while size > Self.smallestText, canvas.measure(text, size: size).width > cell - 4 { size -= 0.5 }
      if canvas.measure(text, size: size).width <= cell - 4 {
        canvas.text(
          text, x: x + cell / 2, y: y + cell / 2, size: size, color: ink, horizontal: .center, vertical: .center)
      }
    }
  }

  /// The smallest text a cell holds: smaller would not be read on a phone.
  static let smallestText = 7.5

  /// Labels of the color bar at its ends and middle: shares for row-share coloring, values
  /// otherwise.
  private func colorbarLabels(low: Double, high: Double) -> [(fraction: Double, text: String)] {
    if colorsByRowShare { return [(0, "0%"), (0.5, "50%"), (1, "100%")] }
    let style: Axis.Format
    switch cellText {
    case .value(let s), .valueAndSpread(let s): style = s
    case .none, .countAndRowShare: style = .automatic
    }
    let step = Ticks.niceStep(max(high - low, 1e-12) / 10)
    return [
      (0, format(low, step: step, style)), (0.5, format((low + high) / 2, step: step, style)),
      (1, format(high, step: step, style)),
    ]
  }
}

extension ImageGrid {
  /// Draws the images in rows of `columns`, each scaled up crisply with its caption below.
  func draw(in area: Frame, on canvas: Canvas) -> [String] {
    guard !images.isEmpty else {
      drawNoData("the grid has no images", in: area, on: canvas)
      return []
    }
    let rows = (images.count + columns - 1) / columns
    let cellWidth = area.width / Double(columns)
    // Captions fit their column: smaller type, then two lines broken after a comma.
    let room = cellWidth - 6
    func fits(_ text: String, _ size: Double) -> Bool { canvas.measure(text, size: size).width <= room }
    let smallest = 8.5
    let twoLines = images.contains { !fits($0.caption, smallest) }
    let lines = images.map { tile -> [String] in
      guard twoLines, !fits(tile.caption, smallest), let comma = tile.caption.range(of: ", ") else {
        return [tile.caption]
      }
      return [String(tile.caption[..<comma.lowerBound]) + ",", String(tile.caption[comma.upperBound...])]
    }
    var size = Theme.tickSize
    while size > smallest, !lines.joined().allSatisfy({ fits($0, size) }) { size -= 0.5 }
    let lineHeight = canvas.measure("Ag", size: size).height
    let captionHeight = lineHeight * (twoLines ? 2 : 1)
    let side = max(8, min(cellWidth - 12, area.height / Double(rows) - captionHeight - 14)).rounded(.down)
    // Rows packed from the top, a caption and a gap apart.
    let cellHeight = side + captionHeight + 14
    for (i, tile) in images.enumerated() {
      let column = i % columns
      let row = i / columns
      let x = (area.x + cellWidth * Double(column) + (cellWidth - side) / 2).rounded()
      let y = (area.y + cellHeight * Double(row) + 2).rounded()
      canvas.image(tile, x: x, y: y, width: side, height: side * Double(tile.rows) / Double(tile.columns))
      if tile.highlighted {
        canvas.rectangle(x - 1.5, y - 1.5, side + 3, side + 3, stroke: Theme.accent, width: 3)
      }
      for (k, line) in lines[i].enumerated() where fits(line, size) {
        canvas.text(
          line, x: x + side / 2, y: y + side + 5 + Double(k) * lineHeight, size: size,
          color: tile.highlighted ? Theme.accent : Theme.ink, horizontal: .center)
      }
    }
    return []
  }
}
