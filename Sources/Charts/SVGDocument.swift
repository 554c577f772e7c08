import Foundation

/// An SVG written element by element: the charts' own SVG backend, beside Cairo's PNG (as
/// matplotlib has one renderer per backend).
///
/// Unlike Cairo's SVG surface, which draws every glyph as an outline, text stays text
/// (`<text>`, so a page's search finds a chart's numbers and a screen reader reads them);
/// the theme's colours are classes whose CSS reads custom properties (`--chart-ink`, …) with
/// the light theme as fallback, so a page restyles ink, grid and background (dark mode)
/// while a renderer without CSS still gets the attribute colours; shapes may carry a
/// `<title>`, shown as a tooltip. Numbers are written with at most two decimals (a hundredth
/// of a point), and nothing depends on a counter of the process, so a figure has the same
/// bytes in every build.
final class SVGDocument {
  let width: Double
  let height: Double
  private var body: [String] = []
  private var clips = 0
  /// Where each text landed (its box as Pango measured it), to check that none overlap.
  private(set) var textBoxes: [(text: String, box: Frame)] = []
  /// The legends and callouts placed over the data, and how much of it each hides.
  var placedLabels: [PlacedLabel] = []

  /// The font stack of chart text: the font Pango measures with first; the others are
  /// narrower, so text laid out for it never overlaps in them.
  static let fontStack = "'DejaVu Sans', -apple-system, 'Segoe UI', 'Helvetica Neue', Arial, sans-serif"

  init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  /// The theme's colours and the custom property that restyles each.
  static let roles: [(role: Color.Role, property: String)] = [
    (.ink, "--chart-ink"), (.muted, "--chart-muted"), (.grid, "--chart-grid"), (.background, "--chart-background"),
  ]

  /// The rules that colour an SVG's theme classes, for its own `<style>` or a page's stylesheet.
  static var styleRules: String {
    var rules = ["text{font-family:\(fontStack)}"]
    for (role, property) in roles {
      let fallback = Color.themeHex(role)
      rules.append(".f-\(role.rawValue){fill:var(\(property),\(fallback))}")
      rules.append(".s-\(role.rawValue){stroke:var(\(property),\(fallback))}")
    }
    return rules.joined(separator: "\n")
  }

  // MARK: Elements

  func rectangle(
    _ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: Color?, stroke: Color?, width: Double,
    tooltip: String?
  ) {
    element(
      "rect", ["x": n(x), "y": n(y), "width": n(w), "height": n(h)], fill: fill, stroke: stroke, width: width,
      tooltip: tooltip)
  }

  func circle(_ x: Double, _ y: Double, radius: Double, fill: Color?, stroke: Color?, width: Double, tooltip: String?) {
    element(
      "circle", ["cx": n(x), "cy": n(y), "r": n(radius)], fill: fill, stroke: stroke, width: width, tooltip: tooltip)
  }

  func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: Color, width: Double, dash: [Double]) {
    var attributes = ["x1": n(x1), "y1": n(y1), "x2": n(x2), "y2": n(y2)]
    if !dash.isEmpty { attributes["stroke-dasharray"] = dash.map(n).joined(separator: " ") }
    element("line", attributes, fill: nil, stroke: color, width: width, tooltip: nil)
  }

  func polygon(_ points: [(Double, Double)], fill: Color) {
    element("polygon", ["points": Self.points(points)], fill: fill, stroke: nil, width: 0, tooltip: nil)
  }

  func polyline(_ points: [(Double, Double)], color: Color, width: Double, dash: [Double], tooltip: String?) {
    var attributes = ["points": Self.points(points), "stroke-linejoin": "round", "stroke-linecap": "butt"]
    if !dash.isEmpty { attributes["stroke-dasharray"] = dash.map(n).joined(separator: " ") }
    element("polyline", attributes, fill: nil, stroke: color, width: width, tooltip: tooltip)
  }

  /// An invisible circle that shows `tooltip` when the pointer is over it.
  func hotspot(_ x: Double, _ y: Double, radius: Double, tooltip: String) {
    body.append(
      "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(radius))\" fill=\"transparent\"><title>\(escapeXML(tooltip))</title></circle>"
    )
  }

  /// Text whose left end sits at `x` (or its middle, or right end, by `anchor`) and whose
  /// baseline is at `baseline`; `upwards` turns it to run up around (`x`, `baseline`)'s origin
  /// `origin`.
  func text(
    _ text: String, x: Double, baseline: Double, size: Double, color: Color, bold: Bool, anchor: Canvas.Align,
    rotatedAbout origin: (Double, Double)?, box: Frame
  ) {
    textBoxes.append((text, box))
    var attributes = ["x": n(x), "y": n(baseline), "font-size": n(size)]
    if bold { attributes["font-weight"] = "bold" }
    switch anchor {
    case .start: break
    case .center: attributes["text-anchor"] = "middle"
    case .end: attributes["text-anchor"] = "end"
    }
    if let origin { attributes["transform"] = "translate(\(n(origin.0)) \(n(origin.1))) rotate(-90)" }
    var open = "<text" + Self.attributes(attributes) + paint(color, "fill")
    if let role = color.role { open += " class=\"f-\(role.rawValue)\"" }
    body.append(open + ">" + escapeXML(text) + "</text>")
  }

  /// A PNG drawn into the box (its pixels scaled without smoothing).
  func image(png: [UInt8], x: Double, y: Double, width: Double, height: Double) {
    body.append(
      "<image x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,\(Data(png).base64EncodedString())\"/>"
    )
  }

  /// Everything drawn until the matching `unclip()` is cut to the box.
  func clip(_ x: Double, _ y: Double, _ w: Double, _ h: Double) {
    clips += 1
    body.append(
      "<clipPath id=\"clip\(clips)\"><rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\"/></clipPath>"
    )
    body.append("<g clip-path=\"url(#clip\(clips))\">")
  }

  func unclip() { body.append("</g>") }

  /// The class of a group of data colours on the sequential map (a heatmap's cells and its
  /// colour bar), which a page's dark theme inverts as a whole: light cells become dark and
  /// the text over them keeps its contrast.
  static let sequentialGroup = "sequential"

  func beginGroup(_ className: String) { body.append("<g class=\"\(className)\">") }

  func endGroup() { body.append("</g>") }

  // MARK: The document

  /// The whole SVG file: sized in pixels, with a `<title>` and `<desc>` for screen readers and
  /// search, and a `<style>` of its own unless `style` is false (a page that inlines several
  /// figures gives the rules once).
  func document(title: String, description: String, style: Bool = true) -> [UInt8] {
    var out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
    out += "viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"\(escapeXML(title))\">\n"
    out += "<title>\(escapeXML(title))</title>\n<desc>\(escapeXML(description))</desc>\n"
    if style { out += "<style>\n\(Self.styleRules)\n</style>\n" }
    out += body.joined(separator: "\n")
    out += "\n</svg>\n"
    return Array(out.utf8)
  }

  // MARK: Writing

  private func element(
    _ name: String, _ attributes: [String: String], fill: Color?, stroke: Color?, width: Double, tooltip: String?
  ) {
    var out = "<\(name)" + Self.attributes(attributes)
    var classes: [String] = []
    if let fill {
      out += paint(fill, "fill")
      if let role = fill.role { classes.append("f-\(role.rawValue)") }
    } else {
      out += " fill=\"none\""
    }
    if let stroke {
      out += paint(stroke, "stroke") + " stroke-width=\"\(n(width))\""
      if let role = stroke.role { classes.append("s-\(role.rawValue)") }
    }
    if !classes.isEmpty { out += " class=\"\(classes.joined(separator: " "))\"" }
    if let tooltip {
      out += "><title>\(escapeXML(tooltip))</title></\(name)>"
    } else {
      out += "/>"
    }
    body.append(out)
  }

  /// ` fill="#rrggbb"` with its opacity; the theme's class, if any, is the caller's to add.
  private func paint(_ color: Color, _ property: String) -> String {
    var out = " \(property)=\"\(color.hex)\""
    if color.alpha < 1 { out += " \(property)-opacity=\"\(n(color.alpha))\"" }
    return out
  }

  /// Attributes in a fixed order (sorted by name), so the bytes never vary.
  private static func attributes(_ values: [String: String]) -> String {
    values.sorted { $0.key < $1.key }.map { " \($0.key)=\"\(escapeXML($0.value))\"" }.joined()
  }

  private static func points(_ points: [(Double, Double)]) -> String {
    points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
  }
}

/// A coordinate with at most two decimals, trailing zeros dropped (`12`, `12.5`, `-0.25`).
func n(_ value: Double) -> String {
  guard value.isFinite else { return "0" }
  let cents = (value * 100).rounded()
  if cents == 0 { return "0" }
  let whole = Int(cents) / 100
  let fraction = abs(Int(cents) % 100)
  let sign = cents < 0 && whole == 0 ? "-" : ""
  if fraction == 0 { return "\(sign)\(whole)" }
  let digits = fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0\(fraction)" : String(fraction))
  return "\(sign)\(whole).\(digits)"
}

extension Color {
  /// `#rrggbb`.
  var hex: String {
    func byte(_ c: Double) -> Int { Int((min(max(c, 0), 1) * 255).rounded()) }
    return String(format: "#%02x%02x%02x", byte(red), byte(green), byte(blue))
  }

  static func themeHex(_ role: Role) -> String {
    switch role {
    case .ink: return Theme.ink.hex
    case .muted: return Theme.muted.hex
    case .grid: return Theme.grid.hex
    case .background: return Theme.background.hex
    }
  }
}
