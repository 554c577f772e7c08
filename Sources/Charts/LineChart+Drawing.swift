extension LineChart {
  /// Draws the lines, their legend and the annotations; returns notes for the figure.
  func draw(in area: Frame, on canvas: Canvas) -> [String] {
    // The drawable points of every series, runs broken where a value is skipped.
    var skipped = 0
    var runs: [[[(Double, Double)]]] = []
    var all: [(Double, Double)] = []
    for s in series {
      var seriesRuns: [[(Double, Double)]] = [[]]
      for (x, y) in zip(s.x, s.y) {
        if drawable(x, self.x) && drawable(y, self.y) {
          seriesRuns[seriesRuns.count - 1].append((x, y))
          all.append((x, y))
        } else {
          skipped += 1
          if !(seriesRuns.last!.isEmpty) { seriesRuns.append([]) }
        }
      }
      runs.append(seriesRuns.filter { !$0.isEmpty })
    }
    let notes = skippedNote(skipped)
    guard !all.isEmpty else {
      drawNoData(series.isEmpty ? "the chart has no series" : "no finite values to plot", in: area, on: canvas)
      return notes
    }
    let marks = annotations.filter { drawable($0.x, x) && drawable($0.y, y) }
    // The bands: each series' drawable (x, low, high), which the y axis must also span.
    let bands = series.map { s -> [(Double, Double, Double)] in
      guard let band = s.band else { return [] }
      return zip(s.x, band).compactMap { x, b in
        drawable(x, self.x) && drawable(b.low, y) && drawable(b.high, y) ? (x, b.low, b.high) : nil
      }
    }
    let xs = all.map(\.0) + marks.map(\.x)
    let ys = all.map(\.1) + marks.map(\.y) + bands.flatMap { $0.flatMap { [$0.1, $0.2] } }
    let integers = x.scale == .linear && xs.allSatisfy { $0 == $0.rounded() }
    let xTicks = Ticks.fit(x, low: xs.min()!, high: xs.max()!, integers: integers, target: 8)
    let yTicks = Ticks.fit(y, low: ys.min()!, high: ys.max()!)
    let hasLegend = series.count > 1 || !(series.first?.name.isEmpty ?? true)
    let legend = Legend(
      series.enumerated().map { index, s in
        LegendEntry(
          name: s.name, color: Theme.series(index).color, swatch: .line(dashed: s.dashed || Theme.series(index).dashed))
      }, canvas: canvas)
    /// The lines, markers and annotated points as laid out in `frame`.
    func data(_ frame: PlotFrame) -> DataPoints {
      var data = DataPoints()
      for (index, s) in series.enumerated() {
        for run in runs[index] {
          let points = run.map { (frame.px($0.0), frame.py($0.1)) }
          data.add(line: points)
          if s.markers || run.count == 1 { points.forEach { data.add(marker: $0, radius: 3) } }
        }
      }
      for mark in marks { data.add(marker: (frame.px(mark.x), frame.py(mark.y)), radius: 6) }
      return data
    }
    var chartArea = area
    var frame = PlotFrame(area: area, x: xTicks, xTitle: x.title, y: yTicks, yTitle: y.title, canvas: canvas)
    var legendBox = hasLegend ? legend.place(in: frame.plot, avoiding: data(frame)) : nil
    // No place inside hides nothing: the legend goes in rows under the chart.
    let legendBelow = hasLegend && legendBox == nil
    if legendBelow {
      chartArea.height -= legend.rowsHeight(width: area.width, canvas: canvas) + 8
      frame = PlotFrame(area: chartArea, x: xTicks, xTitle: x.title, y: yTicks, yTitle: y.title, canvas: canvas)
    }
    frame.drawAxes(xTitle: x.title, yTitle: y.title, verticalGrid: true, canvas: canvas, area: chartArea)

    canvas.clip(frame.plot.x - 4, frame.plot.y - 4, frame.plot.width + 8, frame.plot.height + 8)
    for (index, band) in bands.enumerated() where band.count > 1 {
      let upper = band.map { (frame.px($0.0), frame.py($0.2)) }
      let lower = band.reversed().map { (frame.px($0.0), frame.py($0.1)) }
      canvas.polygon(upper + lower, fill: Theme.series(index).color.withAlpha(0.18))
    }
    for (index, s) in series.enumerated() {
      let style = Theme.series(index)
      for run in runs[index] {
        let points = run.map { (frame.px($0.0), frame.py($0.1)) }
        canvas.polyline(points, color: style.color, width: 2, dash: (s.dashed || style.dashed) ? [7, 4] : [])
        if s.markers || run.count == 1 {
          for p in points { canvas.circle(p.0, p.1, radius: 3, fill: style.color) }
        }
      }
    }
    // Every point's exact value, over the lines (the SVG's tooltips).
    for (index, s) in series.enumerated() {
      for run in runs[index] {
        for point in run {
          canvas.hotspot(frame.px(point.0), frame.py(point.1), radius: 5, tooltip: pointTooltip(s.name, point))
        }
      }
    }
    canvas.unclip()

    let occupied = data(frame)
    if hasLegend && !legendBelow {
      legendBox = legend.place(in: frame.plot, avoiding: occupied)
      if let box = legendBox { legend.draw(in: box, canvas: canvas) }
    }
    // Callouts avoid the data and the legend.
    var avoided = occupied
    if let box = legendBox {
      for k in 0...8 {
        let t = Double(k) / 8
        avoided.add(line: [(box.x, box.y + box.height * t), (box.maxX, box.y + box.height * t)])
      }
    }
    for mark in marks {
      let (mx, my) = (frame.px(mark.x), frame.py(mark.y))
      canvas.circle(mx, my, radius: 5.5, fill: Theme.background, stroke: Theme.accent, width: 2.5)
      drawCallout(mark.label, at: (mx, my), in: frame.plot, avoiding: avoided, canvas: canvas)
    }
    if legendBelow {
      legend.drawRows(x: frame.plot.x, y: chartArea.maxY + 8, width: area.maxX - frame.plot.x, canvas: canvas)
    }
    return notes
  }
}

extension LineChart {
  /// "Adam, epoch 5: 97.87%".
  func pointTooltip(_ name: String, _ point: (Double, Double)) -> String {
    pointText(name, point, x: x, y: y)
  }
}

/// "NAME, X-TITLE X: Y" (or "X-TITLE X: Y" without a name), values exact.
func pointText(_ name: String, _ point: (Double, Double), x: Axis, y: Axis) -> String {
  let xText = (x.title.isEmpty ? "" : x.title.lowercasedFirst + " ") + exact(point.0, x.format)
  return (name.isEmpty ? xText.prefix(1).uppercased() + xText.dropFirst() : "\(name), \(xText)") + ": "
    + exact(point.1, y.format)
}

extension ScatterChart {
  func draw(in area: Frame, on canvas: Canvas) -> [String] {
    let shown = points.enumerated().filter { drawable($0.element.x, x) && drawable($0.element.y, y) }
    let notes = skippedNote(points.count - shown.count, "points")
    guard !shown.isEmpty else {
      drawNoData(points.isEmpty ? "the chart has no points" : "no finite points to plot", in: area, on: canvas)
      return notes
    }
    let xTicks = Ticks.fit(x, low: shown.map(\.element.x).min()!, high: shown.map(\.element.x).max()!)
    let yTicks = Ticks.fit(y, low: shown.map(\.element.y).min()!, high: shown.map(\.element.y).max()!)
    let frame = PlotFrame(area: area, x: xTicks, xTitle: x.title, y: yTicks, yTitle: y.title, canvas: canvas)
    frame.drawAxes(xTitle: x.title, yTitle: y.title, verticalGrid: true, canvas: canvas, area: area)
    let color = Theme.palette[0]
    for (index, point) in shown where index != highlighted {
      canvas.circle(
        frame.px(point.x), frame.py(point.y), radius: 4.5, fill: color.withAlpha(0.55), stroke: color, width: 1,
        tooltip: pointText("", (point.x, point.y), x: x, y: y))
    }
    if let highlighted, let best = shown.first(where: { $0.offset == highlighted })?.element {
      let (bx, by) = (frame.px(best.x), frame.py(best.y))
      canvas.circle(
        bx, by, radius: 7, fill: Theme.accent, stroke: Theme.ink, width: 1.2,
        tooltip: (highlightLabel.isEmpty ? "" : highlightLabel + ": ") + pointText("", (best.x, best.y), x: x, y: y))
      if !highlightLabel.isEmpty {
        var data = DataPoints()
        for (_, point) in shown { data.add(marker: (frame.px(point.x), frame.py(point.y)), radius: 4.5) }
        drawCallout(highlightLabel, at: (bx, by), in: frame.plot, avoiding: data, canvas: canvas)
      }
    }
    return notes
  }
}

/// Whether a value can be placed on the axis (finite, and positive on a log axis).
func drawable(_ value: Double, _ axis: Axis) -> Bool {
  value.isFinite && (axis.scale == .linear || value > 0)
}
