import CCairo
import Foundation

/// The file formats a figure renders to.
public enum ImageFormat: Sendable, Equatable {
  /// A PNG with `scale` device pixels per point: 2 (the default) for sharp figures on
  /// high-density screens, 1 for small files.
  case png(scale: Double = 2)
  /// An SVG sized in pixels (so that browsers show it at its size), written by the charts'
  /// own ``SVGDocument``: text as `<text>`, theme colours a page can restyle, a tooltip on
  /// every point, bar and cell, and a `<title>` and `<desc>` that carry the figure's text.
  case svg

  public var fileExtension: String {
    switch self {
    case .png: return "png"
    case .svg: return "svg"
    }
  }
}

extension Figure {
  /// The CSS rules that colour an SVG figure's theme classes from `--chart-ink`,
  /// `--chart-muted`, `--chart-grid` and `--chart-background` (light theme as fallback): for a
  /// page that inlines figures without their own `<style>`.
  public static var svgStyleRules: String { SVGDocument.styleRules }

  /// The figure as a PNG or SVG file's bytes.
  public func render(_ format: ImageFormat) throws(ChartError) -> [UInt8] {
    try validate()
    let sink = ByteSink()
    let context = Unmanaged.passUnretained(sink).toOpaque()
    switch format {
    case .png(let scale):
      guard scale > 0 && scale <= 8 else { throw ChartError(title, "PNG scale must be in (0, 8], got \(scale)") }
      let surface = cairo_image_surface_create(
        CAIRO_FORMAT_ARGB32, Int32((width * scale).rounded(.up)), Int32((height * scale).rounded(.up)))!
      defer { cairo_surface_destroy(surface) }
      let cr = cairo_create(surface)!
      cairo_scale(cr, scale, scale)
      draw(on: Canvas(cr: cr, width: width, height: height))
      cairo_destroy(cr)
      let status = cairo_surface_write_to_png_stream(surface, collectBytes, context)
      guard status == CAIRO_STATUS_SUCCESS else {
        throw ChartError(title, "PNG encoding failed: \(String(cString: cairo_status_to_string(status)))")
      }
    case .svg:
      // Cairo only measures text here (on a 1 × 1 image at the PNG's scale, so hinted as its text is).
      let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)!
      defer { cairo_surface_destroy(surface) }
      let cr = cairo_create(surface)!
      defer { cairo_destroy(cr) }
      cairo_scale(cr, 2, 2)
      let document = svgDocument(measuringWith: cr)
      return document.document(title: title, description: textContent.dropFirst().joined(separator: "; "))
    }
    return sink.bytes
  }

  /// The figure drawn as an SVG document, text measured on `cr`.
  func svgDocument(measuringWith cr: OpaquePointer) -> SVGDocument {
    let document = SVGDocument(width: width, height: height)
    draw(on: Canvas(cr: cr, width: width, height: height, svg: document))
    return document
  }

  /// Where every text of the figure lands (as its SVG lays it out), for tests that check
  /// that no two overlap.
  func textBoxes() -> [(text: String, box: Frame)] { layout().textBoxes }

  /// What a reader would see drawn wrong, each as a sentence: two texts over each other, a
  /// text past the figure's edge, a legend or callout over the data. Empty when the layout
  /// is clean.
  public func layoutProblems() -> [String] {
    let (boxes, placed) = layout()
    var problems: [String] = []
    for (i, a) in boxes.enumerated() {
      for b in boxes[(i + 1)...] {
        let overlapX = min(a.box.maxX, b.box.maxX) - max(a.box.x, b.box.x)
        let overlapY = min(a.box.maxY, b.box.maxY) - max(a.box.y, b.box.y)
        if overlapX > 1 && overlapY > 1 { problems.append("'\(a.text)' and '\(b.text)' overlap") }
      }
      if a.box.x < -0.5 || a.box.maxX > width + 0.5 || a.box.y < -0.5 || a.box.maxY > height + 0.5 {
        problems.append("'\(a.text)' runs off the figure")
      }
    }
    for label in placed where label.covered > 0 {
      problems.append("the \(label.text == "legend" ? "legend" : "callout '\(label.text)'") hides the data")
    }
    return problems.map { "\(title) (\(Int(width)) wide): \($0)" }
  }

  /// The figure laid out as its SVG: where its texts land, and the legends and callouts
  /// placed over its data with how much of it each hides.
  func layout() -> (textBoxes: [(text: String, box: Frame)], placed: [PlacedLabel]) {
    let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)!
    defer { cairo_surface_destroy(surface) }
    let cr = cairo_create(surface)!
    defer { cairo_destroy(cr) }
    cairo_scale(cr, 2, 2)
    let document = svgDocument(measuringWith: cr)
    return (document.textBoxes, document.placedLabels)
  }

  /// Renders the figure and writes it to `path` atomically (a temporary file renamed into
  /// place), so a reader never sees half a file.
  public func write(to path: String, format: ImageFormat) throws {
    let bytes = try render(format)
    try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
  }

  /// The words of the figure: its title, axis titles, series and categories.
  public var textContent: [String] {
    var words = [title] + (subtitle.map { [$0] } ?? [])
    switch chart {
    case .line(let c): words += [c.x.title, c.y.title] + c.series.map(\.name) + c.annotations.map(\.label)
    case .bar(let c): words += [c.categoryTitle, c.y.title] + c.groups.map(\.name) + c.categories
    case .heatmap(let c): words += [c.rowTitle, c.columnTitle, c.colorbarTitle] + c.rowLabels + c.columnLabels
    case .images(let c): words += c.images.map(\.caption)
    case .scatter(let c): words += [c.x.title, c.y.title, c.highlightLabel]
    case .intervals(let c): words += [c.x.title, c.reference?.label ?? ""] + c.series.map(\.name) + c.categories
    }
    return words.filter { !$0.isEmpty }
  }
}

func escapeXML(_ s: String) -> String {
  s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// Receives the bytes Cairo writes.
final class ByteSink {
  var bytes: [UInt8] = []
}

let collectBytes: cairo_write_func_t = { closure, data, length in
  let sink = Unmanaged<ByteSink>.fromOpaque(closure!).takeUnretainedValue()
  sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
  return CAIRO_STATUS_SUCCESS
}
