import CCairo
import CPangoCairo

/// Drawing on a Cairo context, text set by Pango. Created and destroyed inside one render
/// call: Cairo and Pango objects are C pointers that must not outlive it or cross threads.
/// Every fill, stroke and text sets its own color, since Cairo keeps state between calls.
final class Canvas {
  let cr: OpaquePointer
  let width: Double
  let height: Double

  init(cr: OpaquePointer, width: Double, height: Double) {
    self.cr = cr
    self.width = width
    self.height = height
  }

  enum Align { case start, center, end }

  func setColor(_ c: Color) { cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha) }

  // MARK: Shapes

  func fill(_ color: Color) {
    setColor(color)
    cairo_paint(cr)
  }

  func rectangle(
    _ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: Color? = nil, stroke: Color? = nil, width: Double = 1
  ) {
    cairo_new_path(cr)
    cairo_rectangle(cr, x, y, w, h)
    paint(fill: fill, stroke: stroke, width: width)
  }

  func circle(_ x: Double, _ y: Double, radius: Double, fill: Color? = nil, stroke: Color? = nil, width: Double = 1) {
    cairo_new_path(cr)
    cairo_arc(cr, x, y, radius, 0, 2 * Double.pi)
    paint(fill: fill, stroke: stroke, width: width)
  }

  /// A straight line; a 1-unit line is drawn on half units so that it stays crisp.
  func line(
    _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: Color, width: Double = 1, dash: [Double] = []
  ) {
    cairo_new_path(cr)
    let snap: (Double) -> Double = width.truncatingRemainder(dividingBy: 2) == 1 ? { $0.rounded(.down) + 0.5 } : { $0 }
    cairo_move_to(cr, x1 == x2 ? snap(x1) : x1, y1 == y2 ? snap(y1) : y1)
    cairo_line_to(cr, x1 == x2 ? snap(x2) : x2, y1 == y2 ? snap(y2) : y2)
    stroke(color, width: width, dash: dash)
  }

  /// A closed shape through `points`, filled.
  func polygon(_ points: [(Double, Double)], fill color: Color) {
    guard let first = points.first else { return }
    cairo_new_path(cr)
    cairo_move_to(cr, first.0, first.1)
    for point in points.dropFirst() { cairo_line_to(cr, point.0, point.1) }
    cairo_close_path(cr)
    setColor(color)
    cairo_fill(cr)
  }

  /// Connected segments through `points`.
  func polyline(_ points: [(Double, Double)], color: Color, width: Double, dash: [Double] = []) {
    guard let first = points.first else { return }
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

  func clip(_ x: Double, _ y: Double, _ w: Double, _ h: Double) {
    cairo_save(cr)
    cairo_new_path(cr)
    cairo_rectangle(cr, x, y, w, h)
    cairo_clip(cr)
  }

  func unclip() { cairo_restore(cr) }

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
