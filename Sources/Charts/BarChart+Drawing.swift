extension BarChart {
  /// Draws grouped bars from zero, error bars, value labels and a legend for several groups.
  func draw(in whole: Frame, on canvas: Canvas) -> [String] {
    // Several groups: a legend row above the bars.
    let legendHeight = groups.count > 1 ? canvas.measure("Ag", size: Theme.tickSize).height + 8 : 0
    let area = Frame(x: whole.x, y: whole.y + legendHeight, width: whole.width, height: whole.height - legendHeight)
    var skipped = 0
    var low = 0.0
    var high = 0.0
    for g in groups {
      for (i, value) in g.values.enumerated() {
        guard value.isFinite else {
          skipped += 1
          continue
        }
        let error = g.errors.map { $0[i].isFinite ? abs($0[i]) : 0 } ?? 0
        low = min(low, value - error)
        high = max(high, value + error)
      }
    }
    let notes = skippedNote(skipped)
    guard !categories.isEmpty, !groups.isEmpty, groups.contains(where: { $0.values.contains(where: \.isFinite) }) else {
      drawNoData(
        categories.isEmpty || groups.isEmpty ? "the chart has no bars" : "no finite values to plot", in: area,
        on: canvas)
      return notes
    }
    var axis = y
    axis.includesZero = true
    var yTicks = Ticks.fit(axis, low: low, high: high)
    if valueLabels && y.range == nil {
      // Headroom for the labels above the tallest bar.
      let step = yTicks.values.count > 1 ? yTicks.values[1] - yTicks.values[0] : 1
      if yTicks.upper - high < step * 0.35 { yTicks = Ticks.fit(axis, low: low, high: high + step * 0.4) }
    }

    // Category labels: shrink the font until the widest fits its band.
    let bandGuess = (area.width - 60) / Double(categories.count)
    var labelSize = Theme.tickSize
    while labelSize > 8, (categories.map { canvas.measure($0, size: labelSize).width }.max() ?? 0) > bandGuess - 4 {
      labelSize -= 0.5
    }
    // Still too wide: each label on two lines, broken at the space nearest its middle.
    let fits = { (text: String) in canvas.measure(text, size: labelSize).width <= bandGuess - 4 }
    let labelLines = categories.map { category -> [String] in
      fits(category) ? [category] : twoLines(category, afterColon: false) ?? [category]
    }
    let lineHeight = canvas.measure("Ag", size: labelSize).height
    let labelHeight = lineHeight * Double(labelLines.map(\.count).max() ?? 1)
    let frame = PlotFrame(
      area: area, x: nil, xTitle: categoryTitle, y: yTicks, yTitle: y.title, canvas: canvas, xLabelHeight: labelHeight)
    frame.drawAxes(xTitle: categoryTitle, yTitle: y.title, verticalGrid: false, canvas: canvas, area: area)

    let plot = frame.plot
    let band = plot.width / Double(categories.count)
    let groupWidth = band * 0.78
    let barWidth = groupWidth / Double(groups.count)
    // Bars grow from zero, or from the edge of an axis whose range leaves zero out.
    let zero = frame.py(min(max(0, yTicks.lower), yTicks.upper))
    let valueStep = labelStep(yTicks)
    for (c, category) in categories.enumerated() {
      let left = plot.x + band * Double(c) + (band - groupWidth) / 2
      for (k, line) in labelLines[c].enumerated() {
        canvas.text(
          line, x: plot.x + band * (Double(c) + 0.5), y: plot.maxY + 6 + Double(k) * lineHeight, size: labelSize,
          color: Theme.muted, horizontal: .center)
      }
      canvas.clip(plot.x, plot.y - 40, plot.width, plot.height + 40)
      defer { canvas.unclip() }
      for (g, group) in groups.enumerated() {
        let value = group.values[c]
        guard value.isFinite else { continue }
        let style = Theme.series(g)
        let x = left + barWidth * Double(g)
        let top = min(max(frame.py(value), plot.y), plot.maxY)
        let error = group.errors?[c]
        let spread = error.flatMap { $0.isFinite && $0 > 0 ? " ± " + exact(abs($0), y.format) : nil } ?? ""
        let name = groups.count > 1 ? "\(category), \(group.name)" : category
        canvas.rectangle(
          x + 1, min(top, zero), max(barWidth - 2, 1), abs(zero - top),
          fill: style.color.withAlpha(style.dashed ? 0.55 : 1), tooltip: "\(name): \(exact(value, y.format))\(spread)")
        var labelY = value >= 0 ? top : top
        if let error, error.isFinite, error > 0 {
          let mid = x + barWidth / 2
          let (up, down) = (frame.py(value + abs(error)), frame.py(value - abs(error)))
          canvas.line(mid, up, mid, down, color: Theme.ink, width: 1.2)
          canvas.line(mid - barWidth * 0.2, up, mid + barWidth * 0.2, up, color: Theme.ink, width: 1.2)
          canvas.line(mid - barWidth * 0.2, down, mid + barWidth * 0.2, down, color: Theme.ink, width: 1.2)
          labelY = value >= 0 ? up : down
        }
        if valueLabels {
          let text = format(value, step: valueStep, y.format)
          var size = Theme.noteSize
          // No wider than the bar's own slot, less a gap: labels of neighbouring bars never meet.
          let room = groups.count > 1 ? barWidth - 2 : band - 4
          while size > 7, canvas.measure(text, size: size).width > room { size -= 0.5 }
          if canvas.measure(text, size: size).width <= room {
            canvas.text(
              text, x: x + barWidth / 2, y: value >= 0 ? labelY - 4 : labelY + 4, size: size, color: Theme.ink,
              horizontal: .center, vertical: value >= 0 ? .end : .start)
          }
        }
      }
    }
    if groups.count > 1 {
      let entries = groups.enumerated().map { g, group in
        LegendEntry(name: group.name, color: Theme.series(g).color, swatch: .box)
      }
      drawLegendRow(entries, right: plot.maxX, y: whole.y + legendHeight / 2 - 2, canvas: canvas)
    }
    return notes
  }

  /// The precision of value labels: enough to tell the closest two bars apart, from a
  /// tenth to a hundredth of a tick step.
  private func labelStep(_ ticks: Ticks) -> Double {
    let step = ticks.values.count > 1 ? ticks.values[1] - ticks.values[0] : 1
    let values = Set(groups.flatMap(\.values).filter(\.isFinite)).sorted()
    let closest = zip(values, values.dropFirst()).map { $1 - $0 }.min() ?? step
    return Ticks.niceStep(min(max(closest / 2, step / 100), step / 10))
  }
}
