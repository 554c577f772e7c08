import CCairo
import Foundation

/// The file formats a figure renders to.
public enum ImageFormat: Sendable, Equatable {
  /// A PNG with `scale` device pixels per point: 2 (the default) for sharp figures on
  /// high-density screens, 1 for small files.
  case png(scale: Double = 2)
  /// An SVG sized in pixels (so that browsers show it at its size), with a `<title>` and a
  /// `<desc>` that carry the figure's text for screen readers and search.
  case svg

  public var fileExtension: String {
    switch self {
    case .png: return "png"
    case .svg: return "svg"
    }
  }
}

extension Figure {
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
      let surface = cairo_svg_surface_create_for_stream(collectBytes, context, width, height)!
      cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX)
      let cr = cairo_create(surface)!
      draw(on: Canvas(cr: cr, width: width, height: height))
      cairo_destroy(cr)
      cairo_surface_finish(surface)
      let status = cairo_surface_status(surface)
      cairo_surface_destroy(surface)
      guard status == CAIRO_STATUS_SUCCESS else {
        throw ChartError(title, "SVG output failed: \(String(cString: cairo_status_to_string(status)))")
      }
      return withDescription(renumberSurfaces(compactNumbers(sink.bytes)))
    }
    return sink.bytes
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
    }
    return words.filter { !$0.isEmpty }
  }

  /// Inserts `<title>` and `<desc>` after the SVG's opening tag.
  private func withDescription(_ svg: [UInt8]) -> [UInt8] {
    var text = String(decoding: svg, as: UTF8.self)
    guard let open = text.range(of: "<svg"), let end = text[open.upperBound...].range(of: ">") else { return svg }
    let label = escapeXML(title)
    let description = textContent.dropFirst().map(escapeXML).joined(separator: "; ")
    text.insert(contentsOf: " role=\"img\" aria-label=\"\(label)\"", at: end.lowerBound)
    let afterTag = text[open.upperBound...].range(of: ">")!.upperBound
    text.insert(contentsOf: "\n<title>\(label)</title>\n<desc>\(description)</desc>", at: afterTag)
    return Array(text.utf8)
  }
}

/// Cairo numbers its SVG surfaces, images, patterns and clips (`id="surface215"`) from
/// counters of the whole process, so the same chart drawn after other charts, or on another
/// thread, gets other ids: numbered again from 1 in the order they appear, a figure has the
/// same bytes in every build.
func renumberSurfaces(_ svg: [UInt8]) -> [UInt8] {
  let prefixes = ["surface", "image", "source", "pattern", "mask", "clip"].map { Array($0.utf8) }
  func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
  func isWordByte(_ b: UInt8) -> Bool { isDigit(b) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "z")) }
  var numbers = [[ArraySlice<UInt8>: Int]](repeating: [:], count: prefixes.count)
  var out: [UInt8] = []
  out.reserveCapacity(svg.count)
  var i = 0
  scan: while i < svg.count {
    if i == 0 || !isWordByte(svg[i - 1]) {
      for (p, prefix) in prefixes.enumerated()
      where svg[i] == prefix[0] && i + prefix.count < svg.count && svg[i..<(i + prefix.count)].elementsEqual(prefix) {
        var j = i + prefix.count
        while j < svg.count && isDigit(svg[j]) { j += 1 }
        guard j > i + prefix.count, j == svg.count || !isWordByte(svg[j]) else { continue }
        let digits = svg[(i + prefix.count)..<j]
        let number = numbers[p][digits] ?? numbers[p].count + 1
        numbers[p][digits] = number
        out += prefix
        out += Array(String(number).utf8)
        i = j
        continue scan
      }
    }
    out.append(svg[i])
    i += 1
  }
  return out
}

/// Cairo writes coordinates with up to six decimals (glyph outlines in 64ths); two are a
/// hundredth of a point, finer than any screen or printer shows, and a quarter of the bytes.
/// Every number with more than two decimals is rounded, half up on its decimal digits, to
/// two (trailing zeros dropped).
func compactNumbers(_ svg: [UInt8]) -> [UInt8] {
  var out: [UInt8] = []
  out.reserveCapacity(svg.count)
  let (zero, nine, dot, minus) = (UInt8(ascii: "0"), UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"))
  func isDigit(_ b: UInt8) -> Bool { b >= zero && b <= nine }
  func isWordByte(_ b: UInt8) -> Bool {
    isDigit(b) || b == dot || b == UInt8(ascii: "#") || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "z"))
  }
  var i = 0
  while i < svg.count {
    // A number starts at a digit not preceded by a letter, digit, dot or '#' (ids, colours).
    guard isDigit(svg[i]), i == 0 || !isWordByte(svg[i - 1]) else {
      out.append(svg[i])
      i += 1
      continue
    }
    var j = i
    var whole = 0
    while j < svg.count && isDigit(svg[j]) {
      whole = whole &* 10 &+ Int(svg[j] - zero)
      j += 1
    }
    var k = j + 1
    while k < svg.count && isDigit(svg[k]) { k += 1 }
    guard j < svg.count, svg[j] == dot, k - j - 1 > 2 else {
      out.append(contentsOf: svg[i..<j])
      i = j
      continue
    }
    var cents = whole * 100 + Int(svg[j + 1] - zero) * 10 + Int(svg[j + 2] - zero)
    if svg[j + 3] >= UInt8(ascii: "5") { cents += 1 }
    let negative = out.last == minus
    if negative { out.removeLast() }
    if negative && cents > 0 { out.append(minus) }
    out.append(contentsOf: String(cents / 100).utf8)
    let fraction = cents % 100
    if fraction != 0 {
      out.append(dot)
      out.append(zero + UInt8(fraction / 10))
      if fraction % 10 != 0 { out.append(zero + UInt8(fraction % 10)) }
    }
    i = k
  }
  return out
}

func escapeXML(_ s: String) -> String {
  s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// Receives the bytes Cairo writes.
final class ByteSink {
  var bytes: [UInt8] = []
}

private let collectBytes: cairo_write_func_t = { closure, data, length in
  let sink = Unmanaged<ByteSink>.fromOpaque(closure!).takeUnretainedValue()
  sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
  return CAIRO_STATUS_SUCCESS
}
