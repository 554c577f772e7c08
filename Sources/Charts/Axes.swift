import Foundation

/// An axis's range and tick marks, and how it maps values to points.
struct Ticks {
  var lower: Double
  var upper: Double
  var log: Bool
  var values: [Double]
  var labels: [String]

  /// The position in [0, 1] of `value` along the axis.
  func fraction(_ value: Double) -> Double {
    if log { return (log10(value) - log10(lower)) / (log10(upper) - log10(lower)) }
    return (value - lower) / (upper - lower)
  }

  /// Ticks for data spanning `low...high` (finite), fitted to nice round bounds unless the
  /// axis fixes its range.
  static func fit(_ axis: Axis, low: Double, high: Double, integers: Bool = false, target: Int = 6) -> Ticks {
    if axis.scale == .log {
      return logarithmic(low: axis.range?.lowerBound ?? low, high: axis.range?.upperBound ?? high, format: axis.format)
    }
    var lo = axis.range?.lowerBound ?? low
    var hi = axis.range?.upperBound ?? high
    if axis.includesZero && axis.range == nil {
      lo = min(lo, 0)
      hi = max(hi, 0)
    }
    if hi - lo <= abs(hi) * 1e-12 {
      let pad = lo == 0 ? 1 : abs(lo) * 0.1
      (lo, hi) = (lo - pad, hi + pad)
    }
    var step = niceStep((hi - lo) / Double(target - 1))
    if integers { step = max(1, step.rounded(.up)) }
    let start = axis.range == nil ? (lo / step).rounded(.down) * step : lo
    let end = axis.range == nil ? (hi / step).rounded(.up) * step : hi
    var values: [Double] = []
    var v = (start / step).rounded(.up) * step
    while v <= end + step * 1e-9 {
      values.append(abs(v) < step * 1e-9 ? 0 : v)
      v += step
    }
    return Ticks(
      lower: start, upper: end, log: false, values: values, labels: values.map { format($0, step: step, axis.format) })
  }

  /// Powers of ten, with 2× and 5× between them when the range spans two decades or less.
  static func logarithmic(low: Double, high: Double, format: Axis.Format) -> Ticks {
    var lowPower = log10(low).rounded(.down)
    var highPower = log10(high).rounded(.up)
    if highPower <= lowPower { (lowPower, highPower) = (lowPower, lowPower + 1) }
    var values: [Double] = []
    for power in Int(lowPower)...Int(highPower) {
      let base = pow(10, Double(power))
      values.append(base)
      if highPower - lowPower <= 2 && power < Int(highPower) { values += [2 * base, 5 * base] }
    }
    // One style per axis: decimals when every tick reads well as one, powers of ten otherwise.
    let decimal = format == .percent || values.allSatisfy { $0 >= 0.001 && $0 <= 10_000 }
    return Ticks(
      lower: pow(10, lowPower), upper: pow(10, highPower), log: true, values: values,
      labels: values.map { decimal ? decimalLabel($0, format) : powerLabel($0) })
  }

  static func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let exponent = log10(raw).rounded(.down)
    let base = pow(10, exponent)
    let fraction = raw / base
    let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
    return nice * base
  }
}

/// A tick value with as many decimals as its step needs.
func format(_ value: Double, step: Double, _ style: Axis.Format) -> String {
  switch style {
  case .integer: return String(Int(value.rounded()))
  case .percent: return fixed(value * 100, decimals: decimals(for: step * 100)) + "%"
  case .automatic: return fixed(value, decimals: decimals(for: step))
  }
}

/// A value as a tooltip shows it: percentages to a hundredth of a point, integers whole,
/// others to five significant digits.
func exact(_ value: Double, _ style: Axis.Format) -> String {
  guard value.isFinite else { return String(value) }
  switch style {
  case .percent: return fixed(value * 100, decimals: 2) + "%"
  case .integer: return String(Int(value.rounded()))
  case .automatic: return String(format: "%.5g", value)
  }
}

extension String {
  /// "Predicted" → "predicted", for a title that follows a comma; "SGD" stays.
  var lowercasedFirst: String {
    guard let first, first.isUppercase, dropFirst().first?.isUppercase != true else { return self }
    return first.lowercased() + dropFirst()
  }
}

func decimals(for step: Double) -> Int {
  guard step > 0, step.isFinite else { return 0 }
  var places = 0
  var scaled = step
  while places < 8 && abs(scaled - scaled.rounded()) > 1e-9 * max(1, abs(scaled)) {
    scaled *= 10
    places += 1
  }
  return places
}

/// `value` with `decimals` places, without "-0".
func fixed(_ value: Double, decimals: Int) -> String {
  let text = String(format: "%.\(decimals)f", value)
  return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
}

/// A log-axis tick as a decimal with the places it needs ("0.002", "50", "0.5%").
func decimalLabel(_ value: Double, _ style: Axis.Format) -> String {
  let shown = style == .percent ? value * 100 : value
  let places = max(0, -Int((log10(shown) + 1e-9).rounded(.down)))
  return fixed(shown, decimals: places) + (style == .percent ? "%" : "")
}

/// A log-axis tick as a power of ten with a superscript exponent ("10⁻⁵", "2×10⁻⁵").
func powerLabel(_ value: Double) -> String {
  let exponent = Int((log10(value) + 1e-9).rounded(.down))
  let mantissa = (value / pow(10, Double(exponent))).rounded()
  let superscripts: [Character: Character] = [
    "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹",
  ]
  let power = "10" + String(String(exponent).map { superscripts[$0]! })
  return mantissa == 1 ? power : fixed(mantissa, decimals: 0) + "×" + power
}

/// The frame of a chart with two value axes (or a category x axis): where the plot goes,
/// and its grid, axis lines, tick labels and axis titles.
struct PlotFrame {
  let plot: Frame
  let x: Ticks?
  let y: Ticks

  /// Lays out the plot in `area`, leaving room for the tick labels and the axis titles.
  init(area: Frame, x: Ticks?, xTitle: String, y: Ticks, yTitle: String, canvas: Canvas, xLabelHeight: Double? = nil) {
    let tickWidth = y.labels.map { canvas.measure($0, size: Theme.tickSize).width }.max() ?? 0
    let tickHeight = canvas.measure("0", size: Theme.tickSize).height
    let titleHeight = canvas.measure("Ag", size: Theme.labelSize).height
    let left = area.x + (yTitle.isEmpty ? 0 : titleHeight + 6) + tickWidth + 6
    let bottom = area.maxY - (xTitle.isEmpty ? 0 : titleHeight + 4) - (xLabelHeight ?? tickHeight) - 6
    let right = area.maxX - max(4, (x?.labels.last).map { canvas.measure($0, size: Theme.tickSize).width / 2 } ?? 0)
    let top = area.y + tickHeight / 2
    plot = Frame(x: left.rounded(), y: top.rounded(), width: (right - left).rounded(), height: (bottom - top).rounded())
    self.x = x
    self.y = y
  }

  func px(_ value: Double) -> Double { plot.x + (x?.fraction(value) ?? 0) * plot.width }
  func py(_ value: Double) -> Double { plot.maxY - y.fraction(value) * plot.height }

  /// The x ticks whose labels are written: all when they stand apart; else, on a log axis,
  /// the powers of ten first and the 2× and 5× between them where they fit, and on a linear
  /// axis every second (third, …) label, so that no two run together.
  func shownLabels(_ x: Ticks, canvas: Canvas) -> Set<Int> {
    let gap = 6.0
    let spans = zip(x.values, x.labels).map { value, label -> (Double, Double) in
      let half = canvas.measure(label, size: Theme.tickSize).width / 2
      return (px(value) - half, px(value) + half)
    }
    func apart(_ indices: [Int]) -> Bool {
      zip(indices, indices.dropFirst()).allSatisfy { spans[$0].1 + gap <= spans[$1].0 }
    }
    /// Every k-th of `indices`, for the smallest k that keeps them apart.
    func thinned(_ indices: [Int]) -> [Int] {
      for every in 1...max(1, indices.count) {
        let kept = indices.enumerated().filter { $0.offset % every == 0 }.map(\.element)
        if apart(kept) { return kept }
      }
      return Array(indices.prefix(1))
    }
    let all = Array(spans.indices)
    guard x.log else { return Set(thinned(all)) }
    var shown = thinned(all.filter { abs(log10(x.values[$0]) - log10(x.values[$0]).rounded()) < 1e-9 })
    for index in all where !shown.contains(index) {
      let candidate = (shown + [index]).sorted()
      if apart(candidate) { shown = candidate }
    }
    return Set(shown)
  }

  /// Grid lines, the two axis lines, tick labels and axis titles.
  func drawAxes(xTitle: String, yTitle: String, verticalGrid: Bool, canvas: Canvas, area: Frame) {
    for value in y.values {
      let yy = py(value)
      canvas.line(plot.x, yy, plot.maxX, yy, color: Theme.grid)
    }
    if let x, verticalGrid {
      for value in x.values { canvas.line(px(value), plot.y, px(value), plot.maxY, color: Theme.grid) }
    }
    canvas.line(plot.x, plot.maxY, plot.maxX, plot.maxY, color: Theme.ink)
    canvas.line(plot.x, plot.y, plot.x, plot.maxY, color: Theme.ink)
    for (value, label) in zip(y.values, y.labels) {
      canvas.line(plot.x - 4, py(value), plot.x, py(value), color: Theme.ink)
      canvas.text(
        label, x: plot.x - 6, y: py(value), size: Theme.tickSize, color: Theme.muted, horizontal: .end,
        vertical: .center)
    }
    if let x {
      let shown = shownLabels(x, canvas: canvas)
      for (index, (value, label)) in zip(x.values, x.labels).enumerated() {
        canvas.line(px(value), plot.maxY, px(value), plot.maxY + 4, color: Theme.ink)
        guard shown.contains(index) else { continue }
        canvas.text(
          label, x: px(value), y: plot.maxY + 6, size: Theme.tickSize, color: Theme.muted, horizontal: .center)
      }
    }
    if !xTitle.isEmpty {
      canvas.text(xTitle, x: plot.midX, y: area.maxY, size: Theme.labelSize, horizontal: .center, vertical: .end)
    }
    if !yTitle.isEmpty {
      canvas.text(
        yTitle, x: area.x, y: plot.midY, size: Theme.labelSize, horizontal: .center, vertical: .start, upwards: true)
    }
  }
}
