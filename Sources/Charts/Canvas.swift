import CCairo
import CPangoCairo

/// What the charts draw on: a Cairo context (the PNG), or an ``SVGDocument`` (the SVG), with
/// text measured by Pango in both, so the two show the same chart. Created and destroyed
/// inside one render call: Cairo and Pango objects are C pointers that must not outlive it or
/// cross threads. Every fill, stroke and text sets its own color, since Cairo keeps state
/// between calls.
final class Canvas {
  /// Draws the PNG; for an SVG, only measures text.
  let cr: OpaquePointer
  /// Where an SVG's elements go; `nil` when drawing with Cairo.
  let svg: SVGDocument?
  let width: Double
  let height: Double

  init(cr: OpaquePointer, width: Double, height: Double, svg: SVGDocument? = nil) {
    self.cr = cr
    self.width = width
    self.height = height
    self.svg = svg
  }

  enum Align { case start, center, end }

  /// Notes a label placed over the data (kept by the SVG, for tests).
  func placed(_ label: PlacedLabel) { svg?.placedLabels.append(label) }

  func setColor(_ c: Color) { cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha) }

  // MARK: Shapes

  func fill(_ color: Color) {
    if let svg { return svg.rectangle(0, 0, width, height, fill: color, stroke: nil, width: 0, tooltip: nil) }
    setColor(color)
    cairo_paint(cr)
  }

  /// A rectangle; `tooltip` is shown over it in the SVG.
  func rectangle(
    _ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: Color? = nil, stroke: Color? = nil, width: Double = 1,
    tooltip: String? = nil
  ) {
    if let svg { return svg.rectangle(x, y, w, h, fill: fill, stroke: stroke, width: width, tooltip: tooltip) }
    cairo_new_path(cr)
    cairo_rectangle(cr, x, y, w, h)
    paint(fill: fill, stroke: stroke, width: width)
  }

  func circle(
    _ x: Double, _ y: Double, radius: Double, fill: Color? = nil, stroke: Color? = nil, width: Double = 1,
    tooltip: String? = nil
  ) {
    if let svg { return svg.circle(x, y, radius: radius, fill: fill, stroke: stroke, width: width, tooltip: tooltip) }
    cairo_new_path(cr)
    cairo_arc(cr, x, y, radius, 0, 2 * Double.pi)
    paint(fill: fill, stroke: stroke, width: width)
  }

  /// A straight line; a 1-unit line is drawn on half units so that it stays crisp.
  func line(
    _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: Color, width: Double = 1, dash: [Double] = []
  ) {
    let snap: (Double) -> Double = width.truncatingRemainder(dividingBy: 2) == 1 ? { $0.rounded(.down) + 0.5 } : { $0 }
    let (ax, ay, bx, by) = (
      x1 == x2 ? snap(x1) : x1, y1 == y2 ? snap(y1) : y1, x1 == x2 ? snap(x2) : x2, y1 == y2 ? snap(y2) : y2
    )
    if let svg { return svg.line(ax, ay, bx, by, color: color, width: width, dash: dash) }
    cairo_new_path(cr)
    cairo_move_to(cr, ax, ay)
    cairo_line_to(cr, bx, by)
    stroke(color, width: width, dash: dash)
  }

  /// A closed shape through `points`, filled.
  func polygon(_ points: [(Double, Double)], fill color: Color) {
    guard let first = points.first else { return }
    if let svg { return svg.polygon(points, fill: color) }
    cairo_new_path(cr)
    cairo_move_to(cr, first.0, first.1)
    for point in points.dropFirst() { cairo_line_to(cr, point.0, point.1) }
    cairo_close_path(cr)
    setColor(color)
    cairo_fill(cr)
  }

  /// Connected segments through `points`.
  func polyline(
    _ points: [(Double, Double)], color: Color, width: Double, dash: [Double] = [], tooltip: String? = nil
  ) {
    guard let first = points.first else { return }
    if let svg { return svg.polyline(points, color: color, width: width, dash: dash, tooltip: tooltip) }
    cairo_new_path(cr)
    cairo_move_to(cr, first.0, first.1)
    for point in points.dropFirst() { cairo_line_to(cr, point.0, point.1) }
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
    stroke(color, width: width, dash: dash)
  }

  private func paint(fill: Color?, stroke color: Color?, width: Double) {
    if let fill {
      setColor(fill)
      if color != nil { cairo_fill_preserve(cr) } else { cairo_fill(cr) }
    }
    if let color { stroke(color, width: width) }
  }

  private func stroke(_ color: Color, width: Double, dash: [Double] = []) {
    setColor(color)
    cairo_set_line_width(cr, width)
    dash.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32($0.count), 0) }
    cairo_stroke(cr)
    cairo_set_dash(cr, nil, 0, 0)
  }

  /// An invisible target for `tooltip` around a point (the SVG's; a PNG has no tooltips).
  func hotspot(_ x: Double, _ y: Double, radius: Double, tooltip: String) {
    svg?.hotspot(x, y, radius: radius, tooltip: tooltip)
  }

  func clip(_ x: Double, _ y: Double, _ w: Double, _ h: Double) {
    if let svg { return svg.clip(x, y, w, h) }
    cairo_save(cr)
    cairo_new_path(cr)
    cairo_rectangle(cr, x, y, w, h)
    cairo_clip(cr)
  }

  func unclip() {
    if let svg { return svg.unclip() }
    cairo_restore(cr)
  }

  /// Elements until `endGroup()` form a group a page may style by `className` (the SVG's
  /// `<g class>`; nothing in a PNG).
  func beginGroup(_ className: String) { svg?.beginGroup(className) }

  func endGroup() { svg?.endGroup() }

  // MARK: Text

  /// The size of `text` set at `size` units.
  func measure(_ text: String, size: Double, bold: Bool = false) -> (width: Double, height: Double) {
    withLayout(text, size: size, bold: bold) { layout in
      var w: Int32 = 0
      var h: Int32 = 0
      pango_layout_get_pixel_size(layout, &w, &h)
      return (Double(w), Double(h))
    }
  }

  /// Sets `text` with its box aligned on (x, y): `horizontal` start/center/end, `vertical`
  /// top/center/bottom. With `vertical: true` the text runs upwards (a y-axis title).
  func text(
    _ text: String, x: Double, y: Double, size: Double, color: Color = Theme.ink, bold: Bool = false,
    horizontal: Align = .start, vertical: Align = .start, upwards: Bool = false
  ) {
    guard !text.isEmpty else { return }
    if let svg {
      // Placed from Pango's measurements: the box's offset from (x, y) and its baseline.
      let (w, h, baseline) = withLayout(text, size: size, bold: bold) { layout in
        var w: Int32 = 0
        var h: Int32 = 0
        pango_layout_get_pixel_size(layout, &w, &h)
        return (Double(w), Double(h), Double(pango_layout_get_baseline(layout)) / Double(PANGO_SCALE))
      }
      let dx: Double
      switch horizontal {
      case .start: dx = 0
      case .center: dx = -w / 2
      case .end: dx = -w
      }
      let dy: Double
      switch vertical {
      case .start: dy = 0
      case .center: dy = -h / 2
      case .end: dy = -h
      }
      if upwards {
        // (u, v) of the text's frame is (x + v, y − u) on the page.
        svg.text(
          text, x: 0, baseline: dy + baseline, size: size, color: color, bold: bold, anchor: horizontal,
          rotatedAbout: (x, y), box: Frame(x: x + dy, y: y - dx - w, width: h, height: w))
      } else {
        svg.text(
          text, x: x, baseline: y + dy + baseline, size: size, color: color, bold: bold, anchor: horizontal,
          rotatedAbout: nil, box: Frame(x: x + dx, y: y + dy, width: w, height: h))
      }
      return
    }
    cairo_save(cr)
    cairo_translate(cr, x, y)
    if upwards { cairo_rotate(cr, -Double.pi / 2) }
    withLayout(text, size: size, bold: bold) { layout in
      pango_cairo_update_layout(cr, layout)
      var w: Int32 = 0
      var h: Int32 = 0
      pango_layout_get_pixel_size(layout, &w, &h)
      let dx: Double
      switch horizontal {
      case .start: dx = 0
      case .center: dx = -Double(w) / 2
      case .end: dx = -Double(w)
      }
      let dy: Double
      switch vertical {
      case .start: dy = 0
      case .center: dy = -Double(h) / 2
      case .end: dy = -Double(h)
      }
      setColor(color)
      cairo_move_to(cr, dx, dy)
      pango_cairo_show_layout(cr, layout)
    }
    cairo_restore(cr)
  }

  private func withLayout<R>(_ text: String, size: Double, bold: Bool, _ body: (OpaquePointer) -> R) -> R {
    let layout = pango_cairo_create_layout(cr)!
    defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
    let font = pango_font_description_new()!
    defer { pango_font_description_free(font) }
    pango_font_description_set_family(font, Theme.font)
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
    pango_font_description_set_absolute_size(font, size * Double(PANGO_SCALE))
    pango_layout_set_font_description(layout, font)
    pango_layout_set_text(layout, text, -1)
    return body(layout)
  }

  // MARK: Images

  /// Draws a grayscale image (intensities in [0, 1], 1 white) into the box, scaled up with
  /// nearest-neighbor sampling so that pixels stay square and sharp.
  func image(_ tile: ImageTile, x: Double, y: Double, width: Double, height: Double) {
    let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(tile.columns), Int32(tile.rows))!
    defer { cairo_surface_destroy(surface) }
    cairo_surface_flush(surface)
    let stride = Int(cairo_image_surface_get_stride(surface))
    let data = cairo_image_surface_get_data(surface)!
    for r in 0..<tile.rows {
      let row = UnsafeMutableRawPointer(data + r * stride).assumingMemoryBound(to: UInt32.self)
      for c in 0..<tile.columns {
        let v = tile.pixels[r * tile.columns + c]
        let level = UInt32(((v.isFinite ? min(max(v, 0), 1) : 0) * 255).rounded())
        row[c] = level << 16 | level << 8 | level
      }
    }
    cairo_surface_mark_dirty(surface)
    if let svg {
      let sink = ByteSink()
      cairo_surface_write_to_png_stream(surface, collectBytes, Unmanaged.passUnretained(sink).toOpaque())
      return svg.image(png: sink.bytes, x: x, y: y, width: width, height: height)
    }
    cairo_save(cr)
    cairo_translate(cr, x, y)
    cairo_scale(cr, width / Double(tile.columns), height / Double(tile.rows))
    cairo_set_source_surface(cr, surface, 0, 0)
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST)
    cairo_rectangle(cr, 0, 0, Double(tile.columns), Double(tile.rows))
    cairo_fill(cr)
    cairo_restore(cr)
  }
}
