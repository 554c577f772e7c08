import Charts
import Dispatch
import Foundation
import Tensor

/// A figure the report shows: what to draw, the file name it is written under, and the words
/// around it.
struct FigureSpec {
  /// The file name without extension, unique in the report (`baseline-loss`), set from the
  /// cell's id and the presenter's name for the figure.
  private(set) var id = ""
  let figure: Figure
  /// A sentence saying what the figure shows, for readers who cannot see it.
  let alt: String
  /// Shown under the figure.
  let caption: String
  /// Whether the figure takes the page's whole width in the HTML report (else two share a row).
  var wide = false

  init(figure: Figure, alt: String, caption: String, wide: Bool = false) {
    self.figure = figure
    self.alt = alt
    self.caption = caption
    self.wide = wide
  }

  /// The figure drawn for a narrow page (a phone, a printed half page): 340 points wide, so that
  /// its text, shown at about its size, stays as legible as the page's (≥ 11 px on a 390 px
  /// screen, ≥ 8 pt printed two to a row); its layout adapts, and no label overlaps.
  var compact: Figure {
    var figure = figure
    let width = 340.0
    figure.height = max(270, min(figure.height, (figure.height * width / figure.width + 70).rounded()))
    // A heatmap's cells are square and hold text: its grid keeps the full figure's height,
    // with room for a title and subtitle that wrap to more lines.
    if case .heatmap = figure.chart { figure.height = max(figure.height, 400) }
    // An image grid keeps images large enough to see and caption: at most five a row, the
    // rows as many as it takes.
    if case .images(var grid) = figure.chart, grid.columns > Self.compactImageColumns {
      grid.columns = Self.compactImageColumns
      let rows = (grid.images.count + grid.columns - 1) / grid.columns
      figure.height = 100 + 90 * Double(rows)
      figure.chart = .images(grid)
    }
    figure.width = width
    return figure
  }

  /// Images a row of a compact image grid: 340 points hold five of about 56 with captions.
  static let compactImageColumns = 5

  /// The same figure under the file name `id`.
  func named(_ id: String) -> FigureSpec {
    var spec = self
    spec.id = id
    return spec
  }
}

/// A figure as the templates see it.
struct FigureView {
  let id: String
  let title: String
  let alt: String
  let caption: String
  /// Paths relative to the report: `figures/ID.png` and `figures/ID.svg`.
  let png: String
  let svg: String
  /// The SVG, ready to sit inside the HTML page (its ids made unique to the figure).
  let inlineSVG: String
  /// The compact drawing (``FigureSpec/compact``), for the page's narrow layouts.
  let inlineCompactSVG: String
  let wide: Bool
  /// Where the figure's label ("Figure 7", anchored) goes (see ``Numbering``); stored, as the
  /// templates see stored properties only.
  let label = Numbering.figureMark
}

/// A figure drawn to both formats.
struct RenderedFigure {
  /// The formats every figure is drawn to: a PNG at twice its size (report.md's), and an SVG
  /// (report.html's, inline, and beside the PNG).
  static let pngFormat = ImageFormat.png(scale: 2)
  static let svgFormat = ImageFormat.svg

  /// The file of figure `id` in `format`, relative to the report: `figures/ID.png`.
  static func path(_ id: String, _ format: ImageFormat) -> String { "figures/\(id).\(format.fileExtension)" }

  let spec: FigureSpec
  let png: [UInt8]
  let svg: [UInt8]
  let compactSVG: [UInt8]

  /// The figure for the templates.
  var view: FigureView {
    FigureView(
      id: spec.id, title: spec.figure.title, alt: spec.alt, caption: spec.caption,
      png: Self.path(spec.id, Self.pngFormat),
      svg: Self.path(spec.id, Self.svgFormat),
      inlineSVG: String(decoding: Self.inline(svg, prefix: spec.id), as: UTF8.self),
      inlineCompactSVG: String(decoding: Self.inline(compactSVG, prefix: spec.id + "-compact"), as: UTF8.self),
      wide: spec.wide)
  }

  /// The SVG without its XML declaration and its own `<style>` (the page gives the rules once,
  /// ``ReportView/chartStyle``), with every id prefixed, so that several can sit in one page
  /// without one figure's clip standing in for another's.
  static func inline(_ svg: [UInt8], prefix: String) -> [UInt8] {
    var svg = svg
    if let open = Bytes.find(Array("<style>".utf8), in: svg, from: 0),
      let close = Bytes.find(Array("</style>\n".utf8), in: svg, from: open)
    {
      svg.removeSubrange(open..<(close + "</style>\n".utf8.count))
    }
    var start = 0
    if svg.starts(with: Array("<?xml".utf8)), let end = Bytes.find(Array("?>".utf8), in: svg, from: 0) {
      start = end + 2
    }
    while start < svg.count && (svg[start] == 10 || svg[start] == 13 || svg[start] == 32) { start += 1 }
    let tag = Array((prefix.filter { $0.isLetter || $0.isNumber || $0 == "-" } + "-").utf8)
    let patterns = [Array("id=\"".utf8), Array("href=\"#".utf8), Array("url(#".utf8)]
    var out: [UInt8] = []
    out.reserveCapacity(svg.count + 8192)
    var i = start
    while i < svg.count {
      if let pattern = patterns.first(where: { $0[0] == svg[i] && Bytes.matches($0, in: svg, at: i) }) {
        out += pattern
        out += tag
        i += pattern.count
      } else {
        out.append(svg[i])
        i += 1
      }
    }
    while let last = out.last, last == 10 || last == 13 || last == 32 { out.removeLast() }
    return out
  }
}

/// Byte-pattern search over UTF-8 text: Foundation's string search bridges every call to
/// UTF-16, which costs more than drawing the figures.
enum Bytes {
  static func matches(_ pattern: [UInt8], in bytes: [UInt8], at index: Int) -> Bool {
    guard index + pattern.count <= bytes.count else { return false }
    for (k, b) in pattern.enumerated() where bytes[index + k] != b { return false }
    return true
  }

  /// The first index at or after `start` (and before `end`) where `pattern` begins.
  static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int, before end: Int? = nil) -> Int? {
    let limit = min(end ?? bytes.count, bytes.count) - pattern.count
    guard let first = pattern.first, start <= limit else { return nil }
    var i = start
    while i <= limit {
      if bytes[i] == first && matches(pattern, in: bytes, at: i) { return i }
      i += 1
    }
    return nil
  }
}

/// Draws figures to PNG and SVG on every core: cairo surfaces are independent, so figures
/// render side by side.
enum FigureRenderer {
  static func render(_ specs: [FigureSpec], threads: Int) throws -> [RenderedFigure] {
    let results = Slots<Result<RenderedFigure, Error>>(count: specs.count)
    let next = Tickets(below: specs.count)
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, specs.count))) { _ in
      while let i = next.take() {
        let spec = specs[i]
        results.set(
          i,
          Result {
            RenderedFigure(
              spec: spec, png: try spec.figure.render(RenderedFigure.pngFormat),
              svg: try spec.figure.render(RenderedFigure.svgFormat),
              compactSVG: try spec.compact.render(RenderedFigure.svgFormat))
          })
      }
    }
    return try (0..<specs.count).map { try results.get($0)!.get() }
  }
}
