extension IntervalChart {
  /// Draws each category's row: its label on the left, each series' dot and interval
  /// (whiskers with caps), a legend row above for several series, and the reference line.
  func draw(in whole: Frame, on canvas: Canvas) -> [String] {
    let legendHeight = series.count > 1 ? canvas.measure("Ag", size: Theme.tickSize).height + 8 : 0
    let area = Frame(x: whole.x, y: whole.y + legendHeight, width: whole.width, height: whole.height - legendHeight)
    var skipped = 0
    var low = Double.infinity
    var high = -Double.infinity
    for s in series {
      for (i, value) in s.values.enumerated() {
        guard value.isFinite else {
          skipped += 1
          continue
        }
        low = min(low, value, s.low?[i].finite ?? value)
        high = max(high, value, s.high?[i].finite ?? value)
      }
    }
    if let reference, reference.value.isFinite {
      (low, high) = (min(low, reference.value), max(high, reference.value))
    }
    let notes = skippedNote(skipped)
    guard !categories.isEmpty, low.isFinite, high.isFinite else {
      drawNoData(categories.isEmpty ? "the chart has no rows" : "no finite values to plot", in: area, on: canvas)
      return notes
    }
    if low == high { (low, high) = (low - 0.005, high + 0.005) }
    let ticks = Ticks.fit(x, low: low, high: high, target: 5)
    // Category labels: at most 40% of the width, shrunk (and then cut short) to fit.
    var labelSize = Theme.tickSize
    let room = area.width * 0.4
    while labelSize > 8, (categories.map { canvas.measure($0, size: labelSize).width }.max() ?? 0) > room {
      labelSize -= 0.5
    }
    let labelWidth = min(room, categories.map { canvas.measure($0, size: labelSize).width }.max() ?? 0)
    let tickHeight = canvas.measure("0", size: Theme.tickSize).height
    let titleHeight = x.title.isEmpty ? 0 : canvas.measure("Ag", size: Theme.labelSize).height + 4
    let halfTick = (ticks.labels.map { canvas.measure($0, size: Theme.tickSize).width }.max() ?? 0) / 2
    let plot = Frame(
      x: (area.x + labelWidth + 10).rounded(), y: area.y.rounded(),
      width: (area.width - labelWidth - 10 - halfTick).rounded(),
      height: (area.height - tickHeight - 8 - titleHeight).rounded())
    func px(_ value: Double) -> Double { plot.x + ticks.fraction(value) * plot.width }
    for value in ticks.values { canvas.line(px(value), plot.y, px(value), plot.maxY, color: Theme.grid) }
    canvas.line(plot.x, plot.maxY, plot.maxX, plot.maxY, color: Theme.ink)
    for (value, label) in zip(ticks.values, ticks.labels) {
      canvas.line(px(value), plot.maxY, px(value), plot.maxY + 4, color: Theme.ink)
      canvas.text(label, x: px(value), y: plot.maxY + 6, size: Theme.tickSize, color: Theme.muted, horizontal: .center)
    }
    if !x.title.isEmpty {
      canvas.text(x.title, x: plot.midX, y: area.maxY, size: Theme.labelSize, horizontal: .center, vertical: .end)
    }
    if let reference, reference.value.isFinite {
      let rx = px(reference.value)
      canvas.line(rx, plot.y, rx, plot.maxY, color: Theme.muted, width: 1, dash: [4, 3])
      if !reference.label.isEmpty {
        let width = canvas.measure(reference.label, size: Theme.noteSize).width
        let right = rx + 3 + width <= plot.maxX
        canvas.text(
          reference.label, x: right ? rx + 3 : rx - 3, y: plot.y, size: Theme.noteSize, color: Theme.muted,
          horizontal: right ? .start : .end)
      }
    }
    let band = plot.height / Double(categories.count)
    let spacing = min(band / Double(series.count + 1), 16)
    for (c, category) in categories.enumerated() {
      let middle = plot.y + band * (Double(c) + 0.5)
      var label = category
      while canvas.measure(label, size: labelSize).width > labelWidth && label.count > 1 {
        label = String(label.dropLast(2)) + "…"
      }
      canvas.text(
        label, x: plot.x - 8, y: middle, size: labelSize, color: Theme.ink, horizontal: .end, vertical: .center)
      for (k, s) in series.enumerated() {
        let value = s.values[c]
        guard value.isFinite else { continue }
        let y = middle + (Double(k) - Double(series.count - 1) / 2) * spacing
        let style = Theme.series(k)
        let (l, h) = (s.low?[c].finite, s.high?[c].finite)
        var tooltip = "\(category)\(series.count > 1 ? ", \(s.name)" : ""): \(exact(value, x.format))"
        if let l, let h {
          tooltip += " [\(exact(l, x.format)), \(exact(h, x.format))]"
          canvas.line(px(l), y, px(h), y, color: style.color, width: 1.6)
          canvas.line(px(l), y - 4, px(l), y + 4, color: style.color, width: 1.6)
          canvas.line(px(h), y - 4, px(h), y + 4, color: style.color, width: 1.6)
        }
        canvas.circle(px(value), y, radius: 4.5, fill: style.color, stroke: Theme.background, tooltip: tooltip)
      }
    }
    if series.count > 1 {
      let entries = series.enumerated().map { k, s in
        LegendEntry(name: s.name, color: Theme.series(k).color, swatch: .box)
      }
      drawLegendRow(entries, right: plot.maxX, y: whole.y + legendHeight / 2 - 2, canvas: canvas)
    }
    return notes
  }
}

extension Double {
  /// The value when finite, else nil.
  fileprivate var finite: Double? { isFinite ? self : nil }
}
