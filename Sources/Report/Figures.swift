import Charts
import Dispatch
import Foundation

/// A figure the report shows: what to draw, the file name it is written under, and the words
/// around it.
struct FigureSpec {
  /// The file name without extension, unique in the report (`baseline-loss`).
  let id: String
  let figure: Figure
  /// A sentence saying what the figure shows, for readers who cannot see it.
  let alt: String
  /// Shown under the figure.
  let caption: String
  /// Whether the figure takes the page's whole width in the HTML report (else two share a row).
  var wide = false
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
  let wide: Bool
}

/// A figure drawn to both formats.
struct RenderedFigure {
  let spec: FigureSpec
  let png: [UInt8]
  let svg: [UInt8]

  /// The figure for the templates, its glyphs moved to `glyphs`.
  func view(sharing glyphs: SharedGlyphs) -> FigureView {
    FigureView(
      id: spec.id, title: spec.figure.title, alt: spec.alt, caption: spec.caption, png: "figures/\(spec.id).png",
      svg: "figures/\(spec.id).svg", inlineSVG: glyphs.share(Self.inline(svg, prefix: spec.id)), wide: spec.wide)
  }

  /// The SVG without its XML declaration and with every id prefixed, so that several can sit
  /// in one page without one figure's glyphs standing in for another's.
  static func inline(_ svg: [UInt8], prefix: String) -> String {
    var text = String(decoding: svg, as: UTF8.self)
    if text.hasPrefix("<?xml"), let end = text.range(of: "?>") {
      text.removeSubrange(text.startIndex..<end.upperBound)
    }
    let tag = prefix.filter { $0.isLetter || $0.isNumber || $0 == "-" } + "-"
    return
      text
      .replacingOccurrences(of: "id=\"", with: "id=\"\(tag)")
      .replacingOccurrences(of: "href=\"#", with: "href=\"#\(tag)")
      .replacingOccurrences(of: "url(#", with: "url(#\(tag)")
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

/// The glyph outlines of a page's inline figures, each defined once.
///
/// Cairo writes text as glyph outlines (`<symbol>`s), three quarters of an SVG's bytes, and
/// every figure repeats the digits and letters the others use. In one HTML page a `<use>`
/// may point at a symbol of another inline SVG, so each distinct outline is kept once, in a
/// hidden SVG at the top of the page, and the figures point at it.
final class SharedGlyphs {
  private var symbols: [String] = []
  private var idByOutline: [Substring: String] = [:]

  /// `svg` without its glyph symbols, its references pointing at the shared ones.
  func share(_ svg: String) -> String {
    var result = ""
    result.reserveCapacity(svg.count / 3)
    var renamed: [(String, String)] = []
    var rest = svg[...]
    while let open = rest.range(of: "<symbol "), let close = rest[open.upperBound...].range(of: "</symbol>"),
      let headerEnd = rest[open.upperBound..<close.lowerBound].firstIndex(of: ">"),
      let idStart = rest[open.upperBound..<headerEnd].range(of: "id=\""),
      let idEnd = rest[idStart.upperBound..<headerEnd].firstIndex(of: "\"")
    {
      result += rest[..<open.lowerBound]
      let outline = rest[rest.index(after: headerEnd)..<close.lowerBound]
      let shared: String
      if let known = idByOutline[outline] {
        shared = known
      } else {
        shared = "svg-glyph-\(symbols.count)"
        idByOutline[outline] = shared
        symbols.append("<symbol overflow=\"visible\" id=\"\(shared)\">\(outline)</symbol>")
      }
      renamed.append((String(rest[idStart.upperBound..<idEnd]), shared))
      rest = rest[close.upperBound...]
    }
    result += rest
    for (old, new) in renamed {
      result = result.replacingOccurrences(of: "\"#\(old)\"", with: "\"#\(new)\"")
    }
    return result
  }

  /// The hidden SVG that defines every shared glyph, to open the page's body.
  var definitions: String {
    guard !symbols.isEmpty else { return "" }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\" style=\"position:absolute\" "
      + "aria-hidden=\"true\" focusable=\"false\"><defs>\n" + symbols.joined(separator: "\n") + "\n</defs></svg>"
  }
}

/// Draws figures to PNG and SVG on every core: cairo surfaces are independent, so figures
/// render side by side.
enum FigureRenderer {
  static func render(_ specs: [FigureSpec], threads: Int) throws -> [RenderedFigure] {
    let results = Slots<Result<RenderedFigure, Error>>(count: specs.count)
    let next = Counter()
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, specs.count))) { _ in
      while let i = next.take(below: specs.count) {
        let spec = specs[i]
        results.set(
          i,
          Result {
            RenderedFigure(spec: spec, png: try spec.figure.render(.png(scale: 2)), svg: try spec.figure.render(.svg))
          })
      }
    }
    return try (0..<specs.count).map { try results.get($0)!.get() }
  }
}

/// Values filled in by concurrent workers, one slot each.
final class Slots<Value>: @unchecked Sendable {
  private var values: [Value?]
  private let lock = NSLock()
  init(count: Int) { values = Array(repeating: nil, count: count) }
  func set(_ index: Int, _ value: Value) { lock.withLock { values[index] = value } }
  func get(_ index: Int) -> Value? { lock.withLock { values[index] } }
}

/// Hands out 0, 1, 2, … to concurrent workers.
final class Counter: @unchecked Sendable {
  private var next = 0
  private let lock = NSLock()
  func take(below limit: Int) -> Int? {
    lock.withLock {
      guard next < limit else { return nil }
      next += 1
      return next - 1
    }
  }
}
