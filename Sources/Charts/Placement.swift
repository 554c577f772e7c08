/// The points a chart's data occupies, in canvas points, for placing what must not hide them
/// (a legend, a callout): each line sampled every few points along its segments, so that a
/// box between two far vertices still counts the segment it covers, and each marker as its
/// centre and rim.
struct DataPoints {
  private(set) var points: [(Double, Double)] = []

  /// The sampling step along a line, in points.
  static let step = 3.0

  mutating func add(line: [(Double, Double)]) {
    guard let first = line.first else { return }
    points.append(first)
    for (a, b) in zip(line, line.dropFirst()) {
      let length = ((b.0 - a.0) * (b.0 - a.0) + (b.1 - a.1) * (b.1 - a.1)).squareRoot()
      let count = max(1, Int((length / Self.step).rounded(.up)))
      for k in 1...count {
        let t = Double(k) / Double(count)
        points.append((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t))
      }
    }
  }

  mutating func add(marker point: (Double, Double), radius: Double) {
    points.append(point)
    for (dx, dy) in [(radius, 0.0), (-radius, 0), (0, radius), (0, -radius)] {
      points.append((point.0 + dx, point.1 + dy))
    }
  }

  /// How many points lie in `box` grown by `margin` on every side.
  func covered(by box: Frame, margin: Double = 2) -> Int {
    let grown = Frame(
      x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin, height: box.height + 2 * margin)
    return points.reduce(0) { $0 + (grown.contains($1.0, $1.1) ? 1 : 0) }
  }

  /// The first of `candidates` that covers the fewest points, and how many it covers.
  func best(_ candidates: [Frame]) -> (box: Frame, covered: Int) {
    var best = (box: candidates[0], covered: covered(by: candidates[0]))
    for box in candidates.dropFirst() where best.covered > 0 {
      let count = covered(by: box)
      if count < best.covered { best = (box, count) }
    }
    return best
  }
}

/// A label placed over a chart (a legend, a callout), with how many of the data's sampled
/// points it covers: kept by the SVG so that tests can check that none hides the data.
struct PlacedLabel {
  let text: String
  let box: Frame
  let covered: Int
}

/// A legend's entries: a name and how its series looks.
struct LegendEntry {
  enum Swatch { case line(dashed: Bool), box }
  let name: String
  let color: Color
  let swatch: Swatch
}

/// A legend in a box of rows, one entry a row, placed inside a plot where it hides no data;
/// or, when every place inside would, in rows under the chart (`rows(width:)`).
struct Legend {
  let entries: [LegendEntry]
  let rowHeight: Double
  let width: Double
  let height: Double
  static let swatch = 22.0
  static let inset = 8.0

  init(_ entries: [LegendEntry], canvas: Canvas) {
    self.entries = entries
    rowHeight = canvas.measure("Ag", size: Theme.tickSize).height + 3
    width = (entries.map { canvas.measure($0.name, size: Theme.tickSize).width }.max() ?? 0) + Self.swatch + 22
    height = Double(entries.count) * rowHeight + 10
  }

  /// Boxes inside `plot`: the four corners first, then along the top and bottom edges and
  /// down the sides, every 8% of the room.
  func candidates(in plot: Frame) -> [Frame] {
    let (left, right) = (plot.x + Self.inset, plot.maxX - width - Self.inset)
    let (top, bottom) = (plot.y + Self.inset, plot.maxY - height - Self.inset)
    guard right >= left, bottom >= top else { return [] }
    var boxes = [(right, top), (left, top), (right, bottom), (left, bottom)].map {
      Frame(x: $0.0, y: $0.1, width: width, height: height)
    }
    for k in 1..<12 {
      let t = Double(k) / 12
      for y in [top, bottom] { boxes.append(Frame(x: left + (right - left) * t, y: y, width: width, height: height)) }
      for x in [right, left] { boxes.append(Frame(x: x, y: top + (bottom - top) * t, width: width, height: height)) }
    }
    return boxes
  }

  /// Where the legend goes inside `plot`, if somewhere hides none of `data`.
  func place(in plot: Frame, avoiding data: DataPoints) -> Frame? {
    let boxes = candidates(in: plot)
    guard !boxes.isEmpty else { return nil }
    let best = data.best(boxes)
    return best.covered == 0 ? best.box : nil
  }

  /// The entries laid out in rows no wider than `width`: each row's entries with their x
  /// offsets.
  func rows(width: Double, canvas: Canvas) -> [[(entry: LegendEntry, x: Double)]] {
    var rows: [[(LegendEntry, Double)]] = [[]]
    var x = 0.0
    for entry in entries {
      let w = canvas.measure(entry.name, size: Theme.tickSize).width + 34
      if x + w > width && !rows[rows.count - 1].isEmpty {
        rows.append([])
        x = 0
      }
      rows[rows.count - 1].append((entry, x))
      x += w
    }
    return rows.map { $0.map { (entry: $0.0, x: $0.1) } }
  }

  /// The height of the rows under a chart `width` wide.
  func rowsHeight(width: Double, canvas: Canvas) -> Double {
    Double(rows(width: width, canvas: canvas).count) * rowHeight
  }

  /// Draws the legend in its box.
  func draw(in box: Frame, canvas: Canvas, covered: Int = 0) {
    canvas.rectangle(
      box.x.rounded() + 0.5, box.y.rounded() + 0.5, box.width.rounded(), box.height.rounded(),
      fill: Theme.background.withAlpha(0.9), stroke: Theme.grid)
    for (i, entry) in entries.enumerated() {
      let rowY = box.y + 5 + Double(i) * rowHeight + rowHeight / 2
      Self.swatch(entry, x: box.x + 8, y: rowY, canvas: canvas)
      canvas.text(
        entry.name, x: box.x + 14 + Self.swatch, y: rowY, size: Theme.tickSize, color: Theme.ink, vertical: .center)
    }
    canvas.placed(PlacedLabel(text: "legend", box: box, covered: covered))
  }

  /// Draws the legend in rows from (`x`, `y`), no wider than `width`.
  func drawRows(x: Double, y: Double, width: Double, canvas: Canvas) {
    for (r, row) in rows(width: width, canvas: canvas).enumerated() {
      let rowY = y + Double(r) * rowHeight + rowHeight / 2
      for (entry, dx) in row {
        Self.swatch(entry, x: x + dx, y: rowY, canvas: canvas)
        canvas.text(
          entry.name, x: x + dx + 6 + Self.swatch, y: rowY, size: Theme.tickSize, color: Theme.ink, vertical: .center)
      }
    }
  }

  /// An entry's swatch from `x`, `length` long (a line, or a box centred on it).
  static func swatch(_ entry: LegendEntry, x: Double, y: Double, length: Double = swatch, canvas: Canvas) {
    switch entry.swatch {
    case .line(let dashed):
      canvas.line(x, y, x + length, y, color: entry.color, width: 2.5, dash: dashed ? [6, 3] : [])
    case .box:
      canvas.rectangle(x + length / 2 - 6, y - 6, 12, 12, fill: entry.color)
    }
  }
}

/// A label next to a marked point, on a background box, where it hides none of `data`:
/// beside the point (right, left or centred, above or below), else the free place in the
/// plot nearest to it, joined to the point by a thin line; on two lines (broken after a
/// colon, or at the space nearest the middle) when one line finds no free place; when no
/// place is free, the one that hides the least. Always inside `plot`, never over the point.
func drawCallout(
  _ label: String, at point: (Double, Double), in plot: Frame, avoiding data: DataPoints, canvas: Canvas
) {
  let lineHeight = canvas.measure("Ag", size: Theme.tickSize, bold: true).height
  func place(_ lines: [String]) -> (box: Frame, covered: Int) {
    let w = (lines.map { canvas.measure($0, size: Theme.tickSize, bold: true).width }.max() ?? 0) + 6
    let h = lineHeight * Double(lines.count) + 2
    func clamped(_ x: Double, _ y: Double) -> Frame {
      Frame(
        x: min(max(x, plot.x + 2), plot.maxX - w - 2), y: min(max(y, plot.y + 2), plot.maxY - h - 2), width: w,
        height: h)
    }
    var near: [Frame] = []
    for above in [true, false] {
      let y = above ? point.1 - 10 - h : point.1 + 10
      for x in [point.0 + 10, point.0 - 10 - w, point.0 - w / 2] { near.append(clamped(x, y)) }
    }
    // Farther places, every twentieth of the plot, nearest first.
    var far: [Frame] = []
    for i in 0...20 {
      for j in 0...20 {
        far.append(clamped(plot.x + plot.width * Double(i) / 20 - w / 2, plot.y + plot.height * Double(j) / 20 - h / 2))
      }
    }
    far.sort { distance($0, point) < distance($1, point) }
    let candidates = (near + far).filter { !$0.contains(point.0, point.1) && distance($0, point) >= 6 }
    return data.best(candidates.isEmpty ? near : candidates)
  }
  var lines = [label]
  var best = place(lines)
  if best.covered > 0, let split = twoLines(label) {
    let other = place(split)
    if other.covered < best.covered { (lines, best) = (split, other) }
  }
  let box = best.box
  if distance(box, point) > 14 {
    // From the marker's rim to the nearest point of the box.
    let tx = min(max(point.0, box.x), box.maxX)
    let ty = min(max(point.1, box.y), box.maxY)
    let length = ((tx - point.0) * (tx - point.0) + (ty - point.1) * (ty - point.1)).squareRoot()
    let (ux, uy) = ((tx - point.0) / length, (ty - point.1) / length)
    canvas.line(point.0 + 7 * ux, point.1 + 7 * uy, tx, ty, color: Theme.accent, width: 1)
  }
  canvas.rectangle(box.x, box.y, box.width, box.height, fill: Theme.background.withAlpha(0.85))
  for (k, line) in lines.enumerated() {
    canvas.text(
      line, x: box.x + 3, y: box.y + 1 + Double(k) * lineHeight, size: Theme.tickSize, color: Theme.accent, bold: true)
  }
  canvas.placed(PlacedLabel(text: label, box: box, covered: best.covered))
}

/// How far `box` is from `point` (0 inside it).
private func distance(_ box: Frame, _ point: (Double, Double)) -> Double {
  let dx = max(box.x - point.0, 0, point.0 - box.maxX)
  let dy = max(box.y - point.1, 0, point.1 - box.maxY)
  return (dx * dx + dy * dy).squareRoot()
}

/// `text` on two lines: after its first colon (`afterColon`), else at the space nearest its
/// middle; nil without a space.
func twoLines(_ text: String, afterColon: Bool = true) -> [String]? {
  let spaces = text.indices.filter { text[$0] == " " }
  let middle = text.count / 2
  let colon = afterColon ? text.range(of: ": ")?.lowerBound : nil
  guard
    let space = colon.map({ text.index(after: $0) })
      ?? spaces.min(by: {
        abs(text.distance(from: text.startIndex, to: $0) - middle)
          < abs(text.distance(from: text.startIndex, to: $1) - middle)
      })
  else { return nil }
  return [String(text[..<space]), String(text[text.index(after: space)...])]
}

/// A legend laid out in one row, its right end at `right`, centered on `y`: above a chart
/// whose every corner may hold data (grouped bars).
func drawLegendRow(_ entries: [LegendEntry], right: Double, y: Double, canvas: Canvas) {
  let widths = entries.map { canvas.measure($0.name, size: Theme.tickSize).width + 30 }
  var x = right - widths.reduce(0, +)
  for (entry, width) in zip(entries, widths) {
    Legend.swatch(entry, x: x, y: y, length: 16, canvas: canvas)
    canvas.text(entry.name, x: x + 20, y: y, size: Theme.tickSize, color: Theme.ink, vertical: .center)
    x += width
  }
}
