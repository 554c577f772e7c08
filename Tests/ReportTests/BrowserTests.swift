import Foundation
import Testing

/// Headless Chromium (Debian's `chromium`) and poppler's `pdftotext` and `pdfinfo`: the report
/// checked where people read it. Without them these tests are skipped, unless
/// `MNIST_REPORT_REQUIRE_BROWSER=1` (CI), which makes a missing browser a failure.
enum Browser {
  static let chromium = executable("chromium") ?? executable("chromium-browser")
  static let pdftotext = executable("pdftotext")
  static let pdfinfo = executable("pdfinfo")
  static var available: Bool { chromium != nil && pdftotext != nil && pdfinfo != nil }
  static var required: Bool { ProcessInfo.processInfo.environment["MNIST_REPORT_REQUIRE_BROWSER"] == "1" }

  static func executable(_ name: String) -> String? {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Runs a program and returns its standard output; a failure or a minute's hang throws.
  static func run(_ program: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let timer = DispatchWorkItem { process.terminate() }
    DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: timer)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    timer.cancel()
    guard process.terminationStatus == 0 else {
      throw BrowserError(
        description: "\(program) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
  }

  static let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]

  /// The page printed to an A4 PDF (the stylesheet's `@page`): its page count and its text.
  static func print(_ html: String, in folder: String) throws -> (pages: Int, text: String) {
    let pdf = folder + "/printed.pdf"
    _ = try run(chromium!, flags + ["--no-pdf-header-footer", "--print-to-pdf=\(pdf)", "file://\(html)"])
    let info = try run(pdfinfo!, [pdf])
    let pages = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }.flatMap {
      Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces))
    }
    return (pages ?? 0, try run(pdftotext!, [pdf, "-"]))
  }

  /// What the layout probe measured in a frame `width` pixels wide.
  struct Layout: Decodable {
    /// `document.scrollingElement.scrollWidth` and the viewport's width.
    let scrollWidth: Double
    let viewport: Double
    /// Visible elements whose right edge passes the viewport, outside any scroll box.
    let overflowing: [String]
    /// Tables wider than the page, and tables that need their scroll box.
    let wideTables: [String]
    let scrolledTables: [String]
    /// Visible figures, and those without a `<text>`.
    let figures: Int
    let figuresWithoutText: Int
    /// The computed fill of the first visible figure's background, as `rgb(r, g, b)`.
    let figureBackground: String
    /// Highlighted rows whose first cell (fixed on a phone) lost the row's colour.
    let lostEmphasis: [String]
    /// Texts of a visible figure over another text of it, or past its edge.
    let figureText: [String]
    /// Visible figures whose background is light (`rgb` lightness above one half), and
    /// near-white data blocks (a heatmap's cells) that the page does not restyle.
    let lightFigures: [String]
    let unstyledHeatmaps: Int
  }

  /// Lays `html` out in a frame `width` pixels wide (Chromium's headless window is never
  /// narrower than 500) and measures it with a script added to a copy of the page, whose
  /// policy forbids scripts otherwise. `print` lays it out with the print rules; `dark` in
  /// dark mode.
  static func layout(_ html: String, width: Int, dark: Bool = false, print: Bool = false, in folder: String) throws
    -> Layout
  {
    var page = try String(contentsOfFile: html, encoding: .utf8)
    page = page.replacingOccurrences(
      of: #"<meta http-equiv="Content-Security-Policy"[^>]*>"#, with: "", options: .regularExpression)
    if print { page = page.replacingOccurrences(of: "@media print", with: "@media all") }
    page = page.replacingOccurrences(of: "</body>", with: "<script>\(probe)</script></body>")
    let copy = folder + "/probed-\(width)-\(dark)-\(print).html"
    try page.write(toFile: copy, atomically: true, encoding: .utf8)
    let frame = folder + "/frame-\(width)-\(dark)-\(print).html"
    try """
    <!DOCTYPE html><html><body style="margin:0"><iframe src="\(copy)" style="width:\(width)px;height:900px;border:0"></iframe></body></html>
    """.write(toFile: frame, atomically: true, encoding: .utf8)
    var arguments =
      flags + [
        "--allow-file-access-from-files", "--window-size=\(max(width, 500) + 20),900", "--virtual-time-budget=10000",
        "--dump-dom", "file://\(frame)",
      ]
    if dark { arguments.insert(contentsOf: ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"], at: 0) }
    let dom = try run(chromium!, arguments)
    guard let start = dom.range(of: "<pre id=\"probe\">"),
      let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
    else { throw BrowserError(description: "the layout probe did not report") }
    let json = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
      .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&amp;", with: "&")
    return try JSONDecoder().decode(Layout.self, from: Data(json.utf8))
  }

  /// Measures the page once it has loaded and writes the result, as JSON, into the frame's
  /// parent (which `--dump-dom` prints).
  static let probe = """
    window.addEventListener('load', () => {
      const vw = window.innerWidth;
      const visible = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
      const inScrollBox = e => { for (let p = e.parentElement; p; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
      const overflowing = [];
      for (const e of document.querySelectorAll('body *')) {
        if (!visible(e) || e.closest('svg') && e.tagName !== 'svg') continue;
        if (e.getBoundingClientRect().right > vw + 0.5 && !inScrollBox(e)) overflowing.push(e.tagName + '.' + e.className);
      }
      const main = document.querySelector('main').getBoundingClientRect();
      const caption = e => e.closest('.table-block')?.querySelector('.caption')?.textContent ?? 'a table';
      const wideTables = [...document.querySelectorAll('table')].filter(t => visible(t) &&
        t.getBoundingClientRect().right > main.right + 0.5).map(caption);
      const scrolledTables = [...document.querySelectorAll('.table-wrap')].filter(w => visible(w) &&
        w.scrollWidth > w.clientWidth + 1).map(caption);
      const figures = [...document.querySelectorAll('figure svg')].filter(visible);
      const lostEmphasis = [...document.querySelectorAll('tr.emphasis')].filter(r => visible(r) && r.cells.length > 1 &&
        getComputedStyle(r.cells[0]).backgroundColor !== getComputedStyle(r.cells[1]).backgroundColor)
        .map(r => caption(r) + ': ' + r.cells[0].textContent);
      // Each visible figure's texts as laid out: none past the figure's edge, none over
      // another by more than the slack of a browser's line boxes (about 2 px at 11 px).
      const figureText = [];
      for (const svg of figures) {
        const id = svg.closest('figure')?.id ?? 'a figure';
        const box = svg.getBoundingClientRect();
        const scale = box.width / svg.viewBox.baseVal.width;
        const slack = 2.5 * scale;
        const texts = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()])
          .filter(([, r]) => r.width > 0);
        for (const [text, r] of texts) {
          if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
            figureText.push(id + ': "' + text + '" past the edge');
        }
        for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
          const [a, ra] = texts[i], [b, rb] = texts[j];
          const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
          const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
          if (x > slack && y > slack) figureText.push(id + ': "' + a + '" over "' + b + '"');
        }
      }
      const lum = c => { const p = c.match(/[0-9.]+/g)?.map(Number) ?? []; return p.length < 3 ? 0 :
        (0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]) / 255; };
      const lightFigures = figures.filter(f => { const g = f.querySelector('.f-background');
        return !g || lum(getComputedStyle(g).fill) > 0.5; }).map(f => f.closest('figure')?.id ?? 'a figure');
      // Near-white data blocks (a heatmap's light cells) that no filter restyles.
      const filtered = e => { for (let p = e.parentElement; p && p.tagName !== 'svg'; p = p.parentElement) {
        if (getComputedStyle(p).filter !== 'none') return true; } return false; };
      const unstyledHeatmaps = figures.flatMap(f => [...f.querySelectorAll('rect[fill]:not([class])')])
        .filter(r => { const c = (r.getAttribute('fill').match(/[0-9a-f]{2}/gi) ?? []).map(h => parseInt(h, 16) / 255);
          const b = r.getBoundingClientRect();
          return c.length === 3 && Math.min(...c) > 0.85 && b.width * b.height > 100 && !filtered(r); }).length;
      const ground = figures.length ? figures[0].querySelector('.f-background') : null;
      const background = ground ? getComputedStyle(ground).fill : '';
      const result = { scrollWidth: document.scrollingElement.scrollWidth, viewport: vw, overflowing: overflowing.slice(0, 20),
        wideTables, scrolledTables, figures: figures.length, figuresWithoutText: figures.filter(f => !f.querySelector('text')).length,
        figureBackground: background, lostEmphasis, figureText: figureText.slice(0, 20), lightFigures, unstyledHeatmaps };
      const target = window.parent.document;
      const pre = target.createElement('pre');
      pre.id = 'probe';
      pre.textContent = JSON.stringify(result);
      target.body.appendChild(pre);
    });
    """

  /// The text of every table cell of the page, whitespace removed.
  static func tableCells(_ html: String) -> [String] {
    html.matches(of: #/<td[^>]*>(.*?)</td>/#).map { match in
      String(match.output.1).replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
        .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
        .replacingOccurrences(of: "&#39;", with: "'").filter { !$0.isWhitespace }
    }.filter { !$0.isEmpty }
  }

  /// Relative luminance of `rgb(r, g, b)`, roughly (no gamma): 0 black, 1 white.
  static func lightness(_ rgb: String) -> Double {
    let parts = rgb.filter { $0.isNumber || $0 == "," }.split(separator: ",").compactMap { Double($0) }
    guard parts.count >= 3 else { return .nan }
    return (0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]) / 255
  }
}

struct BrowserError: Error, CustomStringConvertible {
  let description: String
}

@Suite(.serialized, .enabled(if: Browser.available || Browser.required, "needs chromium and poppler-utils"))
struct InTheBrowser {
  func scratch() throws -> String {
    let folder = NSTemporaryDirectory() + "mnist-report-browser-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
  }

  /// Every check on one page: print (every table number in the PDF's text), phone (no sideways
  /// scroll), print layout (no table wider than the page), figures with text, dark figures.
  func check(_ html: String, maximumPages: Int? = nil) throws {
    #expect(Browser.available, "chromium, pdftotext and pdfinfo are installed")
    guard Browser.available else { return }
    let folder = try scratch()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let page = try String(contentsOfFile: html, encoding: .utf8)

    let printed = try Browser.print(html, in: folder)
    if let maximumPages { #expect(printed.pages <= maximumPages, "printed in \(printed.pages) A4 pages") }
    let text = printed.text.filter { !$0.isWhitespace }
    let missing = Browser.tableCells(page).filter { !text.contains($0) }
    #expect(missing.isEmpty, "table cells missing from the PDF's text: \(missing.prefix(5))")
    // The last page holds more than the footer.
    let last = try Browser.run(
      Browser.pdftotext!, ["-f", "\(printed.pages)", "-l", "\(printed.pages)", folder + "/printed.pdf", "-"])
    let body = last.components(separatedBy: "Generated by")[0].filter { !$0.isWhitespace }
    #expect(body.count > 100, "the last printed page holds only: \(last.prefix(200))")

    let phone = try Browser.layout(html, width: 390, in: folder)
    #expect(phone.viewport == 390)
    #expect(phone.scrollWidth <= phone.viewport, "no sideways scroll at 390 px: \(phone.scrollWidth)")
    #expect(phone.overflowing.isEmpty, "wider than the phone: \(phone.overflowing)")
    #expect(phone.figures > 0 && phone.figuresWithoutText == 0, "every figure holds <text>")
    #expect(phone.lostEmphasis.isEmpty, "highlighted rows keep their colour at 390 px: \(phone.lostEmphasis)")
    #expect(phone.figureText.isEmpty, "figure text at 390 px: \(phone.figureText)")

    let desktop = try Browser.layout(html, width: 1280, in: folder)
    #expect(desktop.figures == phone.figures && desktop.figuresWithoutText == 0)
    #expect(desktop.scrollWidth <= desktop.viewport && desktop.overflowing.isEmpty, "\(desktop.overflowing)")
    #expect(desktop.scrolledTables.isEmpty, "tables that must scroll at 1280 px: \(desktop.scrolledTables)")
    #expect(Browser.lightness(desktop.figureBackground) > 0.9, "light figures: \(desktop.figureBackground)")

    let dark = try Browser.layout(html, width: 1280, dark: true, in: folder)
    #expect(Browser.lightness(dark.figureBackground) < 0.2, "dark figures in dark mode: \(dark.figureBackground)")
    #expect(dark.lostEmphasis.isEmpty, "highlighted rows keep their colour in the dark: \(dark.lostEmphasis)")
    #expect(dark.lightFigures.isEmpty, "every figure dark in dark mode: \(dark.lightFigures)")
    #expect(dark.unstyledHeatmaps == 0, "heatmaps restyled in dark mode: \(dark.unstyledHeatmaps)")
    #expect(desktop.lightFigures.count == desktop.figures, "every figure light in light mode")

    // A4 less the page margins: 188 mm at 96 px per inch.
    let paper = try Browser.layout(html, width: 710, print: true, in: folder)
    #expect(paper.wideTables.isEmpty, "tables wider than the printed page: \(paper.wideTables)")
    #expect(paper.scrolledTables.isEmpty, "tables clipped on paper: \(paper.scrolledTables)")
    #expect(paper.overflowing.isEmpty, "wider than the printed page: \(paper.overflowing)")
    #expect(paper.figureText.isEmpty, "figure text on paper: \(paper.figureText)")
  }

  @Test func aSmallStudysReportReadsOnPaperPhoneAndInTheDark() throws {
    let written = try TinyReport.shared.write(to: TinyReport.shared.folder + "/report-browser")
    try check(written.html)
  }

  /// The published study (`reports/report.html`, as committed): at most 31 A4 pages (25
  /// before the closing section, What mattered, and the Hyperband search took theirs).
  @Test func thePublishedReportPrintsInAtMost31Pages() throws {
    try check(packageRoot + "/reports/report.html", maximumPages: 31)
  }
}
