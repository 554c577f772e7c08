import Foundation
import NN
import Testing

@testable import Report
@testable import Study

#if canImport(FoundationXML)
  import FoundationXML
#endif

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().path

/// A study with one cell of every kind, small enough to build in a second or two.
let tinyStudy = """
  title: Tiny study
  description: A study to test the report, with *Markdown* in it.
  data:
    validation: 600
    seed: 3
  base:
    hidden: [32, 16]
    dropout: 0.2
    optimizer: adam
    learning_rate: 0.002
    epochs: 3
    schedule: {kind: plateau, factor: 0.5, patience: 1}
  key_results: {baseline: baseline, tuned: tuned}
  cells:
    - id: data
      kind: data
      title: The data
      explanation: Some digits.
    - id: baseline
      kind: train
      title: Baseline | with a pipe
      explanation: One run, tested.
      test: true
    - id: widths
      kind: grid
      title: Widths
      rows: {key: layers, values: [1, 2]}
      columns: {key: width, values: [16, 32]}
    - id: optimizers
      kind: compare
      title: Optimizers
      variants:
        - {name: SGD, optimizer: sgd, learning_rate: 0.1}
        - {name: Adam, optimizer: adam}
    - id: search
      kind: search
      title: Search
      candidates: 3
      folds: 2
      space:
        width: {choice: [16, 32]}
        learning_rate: {log_uniform: [0.001, 0.01]}
    - id: halving
      kind: search
      title: Halving
      method: halving
      candidates: 3
      folds: 2
      min_epochs: 1
      settings: {epochs: 3}
      space:
        width: {choice: [16, 32]}
        learning_rate: {log_uniform: [0.001, 0.01]}
    - id: tuned
      kind: final
      title: Tuned
      from: search
      settings: {epochs: 4, early_stopping: {monitor: val_accuracy, patience: 2}}
  """

/// Builds `tinyStudy` on a few hundred images in a temporary folder, once for all tests.
final class TinyReport: @unchecked Sendable {
  static let shared = TinyReport()
  let folder = NSTemporaryDirectory() + "mnist-report-report-" + UUID().uuidString
  let study: Study
  let built: BuiltStudy
  var results: StudyResults { built.results }

  private init() {
    study = try! Study.parse(tinyStudy, file: "tiny.yaml")
    var options = BuildOptions(output: folder + "/out", cacheDirectory: folder + "/cache")
    options.profile = Profile(
      name: "test", trainLimit: 600, validationLimit: 200, testLimit: 300, maxEpochs: nil, maxCandidates: nil,
      maxFolds: nil)
    options.threads = 2
    options.dataDirectory = packageRoot + "/data/mnist"
    var built = try! StudyBuild(
      study: study, options: options, observer: SilentObserver(), cancellation: Cancellation(), version: "test"
    ).run()
    // A fixed provenance, for the report's text to be checked.
    built.results.provenance = Self.provenance
    self.built = built
  }

  static let provenance = Provenance(
    commit: "0123456789abcdef", dirty: false, version: "test", swift: "Swift", cpu: "CPU", cores: 2,
    operatingSystem: "Linux", started: "2026-01-01T00:00:00Z", finished: "2026-01-01T00:01:00Z")

  func write(to output: String, templates: String = packageRoot + "/templates") throws -> WrittenReport {
    let writer = ReportWriter(templates: try TemplateSet(directory: templates), threads: 2)
    return try writer.write(built, to: output)
  }
}

/// Collects an XML parser's errors.
final class ParseErrors: NSObject, XMLParserDelegate {
  var lines: [Int] = []
  var elements = 0
  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) { elements += 1 }
  func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { lines.append(parser.lineNumber) }
}

/// The lines of the Markdown table whose caption starts with `caption` (its header, rule and
/// rows).
func markdownTable(_ caption: String, in markdown: String) -> [String] {
  let lines = markdown.components(separatedBy: "\n")
  guard
    let start = lines.firstIndex(where: {
      $0.hasPrefix("**<a id=\"table-") && $0.contains(". \(caption)") && $0.hasSuffix("**")
    })
  else { return [] }
  return Array(lines[(start + 2)...].prefix { $0.hasPrefix("|") })
}

@Suite(.serialized) struct EndToEnd {
  let tiny = TinyReport.shared

  @Test func bothFormatsAreWrittenWithEveryCell() throws {
    let out = tiny.folder + "/report-a"
    let written = try tiny.write(to: out)
    let markdown = try String(contentsOfFile: written.markdown, encoding: .utf8)
    let html = try String(contentsOfFile: written.html, encoding: .utf8)
    for title in ["The data", "Baseline \\| with a pipe", "Widths", "Optimizers", "Search", "Halving", "Tuned"] {
      #expect(markdown.contains(title), "the Markdown has \(title)")
    }
    #expect(html.contains("<h2>Baseline | with a pipe</h2>"))
    #expect(markdown.hasPrefix("# Tiny study\n"))
    #expect(html.contains("<em>Markdown</em>"), "the description's Markdown becomes HTML")
    #expect(markdown.contains("## Key results") && html.contains("id=\"key-results\""))
    #expect(markdown.contains("## Provenance") && markdown.contains("0123456789ab"))
    // What mattered: after the cells, one row per effect, its forest plot, its limits.
    #expect(markdown.contains("## What mattered") && html.contains("id=\"what-mattered\""))
    let effects = try #require(tiny.results.findings?.effects?.effects)
    #expect(markdownTable("Every effect, largest first", in: markdown).count == 2 + effects.count)
    #expect(markdown.contains("figures/what-mattered-effects.png") && markdown.contains("### Limits"))
    #expect(markdown.range(of: "## What mattered")!.lowerBound > markdown.range(of: "Tuned")!.lowerBound)
    #expect(markdown.contains("[What mattered](#what-mattered)"))
    #expect(markdown.contains("Finding."), "cells end with a finding")
    #expect(!markdown.contains("explanation: One run"), "the input cell leaves out what is shown above it")
    #expect(markdown.contains("test: true"))
  }

  @Test func everyFigureTheMarkdownReferencesExists() throws {
    let out = tiny.folder + "/report-b"
    let written = try tiny.write(to: out)
    let markdown = try String(contentsOfFile: written.markdown, encoding: .utf8)
    let references = markdown.matches(of: /\]\((figures\/[^)]+)\)/).map { String($0.output.1) }
    #expect(references.count >= 2 * 15, "PNG and SVG of every figure")
    for reference in references {
      #expect(FileManager.default.fileExists(atPath: out + "/" + reference), "\(reference) exists")
    }
    let png = try Data(contentsOf: URL(fileURLWithPath: out + "/figures/tuned-confusion.png"))
    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    // A stale figure of a cell the study no longer has is removed.
    try Data("old".utf8).write(to: URL(fileURLWithPath: out + "/figures/gone-cell.png"))
    _ = try tiny.write(to: out)
    #expect(!FileManager.default.fileExists(atPath: out + "/figures/gone-cell.png"))
  }

  @Test func tablesHaveTheExpectedRows() throws {
    let written = try tiny.write(to: tiny.folder + "/report-c")
    let markdown = try String(contentsOfFile: written.markdown, encoding: .utf8)
    // Classification report: header, rule, 10 classes, accuracy, macro and weighted averages.
    let report = markdownTable("Classification report, test set", in: markdown)
    #expect(report.count == 2 + 10 + 3)
    #expect(report.first == "| Class | Precision | Recall | F1-score | Support |")
    #expect(report.last?.hasPrefix("| weighted avg |") == true)
    #expect(report.contains { $0.hasPrefix("| accuracy |") })
    let test = try #require(tiny.results.cells.last?.runs.first?.run.test)
    let macro = String(format: "%.4f", test.report.macroAverage.f1)
    #expect(report.contains { $0.hasPrefix("| macro avg |") && $0.contains(macro) })
    // The grid: one row per network, the best in bold.
    let grid = markdownTable("Every network of the grid", in: markdown)
    #expect(grid.count == 2 + 4)
    #expect(grid.filter { $0.contains("**") }.count == 1)
    // The comparison: one row per variant; the search: one row per candidate.
    #expect(markdownTable("Variants", in: markdown).count == 2 + 2)
    #expect(markdown.contains("| **1** |"), "the search's best candidate is ranked 1 and emphasized")
    #expect(markdownTable("Rounds of successive halving", in: markdown).count >= 2 + 2)
    // The key results compare the baseline and the tuned model on the test set.
    let key = markdownTable("The baseline and the tuned model", in: markdown)
    #expect(key.first == "| Measure | Baseline \\| with a pipe | Tuned | Change |")
    let tuned = String(format: "%.2f%%", test.accuracy * 100)
    #expect(key.contains { $0.hasPrefix("| **Test accuracy** |") && $0.contains(tuned) })
  }

  @Test func figuresAndTablesAreNumberedWithTheSameAnchorsInBothReports() throws {
    let written = try tiny.write(to: tiny.folder + "/report-numbers")
    let markdown = try String(contentsOfFile: written.markdown, encoding: .utf8)
    let html = try String(contentsOfFile: written.html, encoding: .utf8)
    func anchors(_ text: String) -> [String] {
      text.matches(of: #/id="((?:table|figure)-\d+)"/#).map { String($0.output.1) }
    }
    let figures = html.components(separatedBy: "<figure ").count - 1
    let tables = html.components(separatedBy: "<table>").count - 1
    #expect(figures > 5 && tables > 5)
    #expect(Set(anchors(html)) == Set(anchors(markdown)), "the same anchors")
    // Table 3 is the same table in both: the captions, in number order, agree.
    let htmlTables = html.matches(of: #/>Table \d+</a>\. ([^<]*)</p>/#).map { String($0.output.1) }
    let markdownTables = markdown.matches(of: #/</a>Table \d+\. (.*)\*\*\n/#).map { String($0.output.1) }
    // The captions' first words agree (the two formats escape some characters differently).
    func start(_ caption: String) -> String { String(caption.prefix { $0.isLetter || $0 == " " }.prefix(20)) }
    #expect(htmlTables.count == tables && htmlTables.map(start) == markdownTables.map(start))
    let htmlFigures = html.matches(of: #/>Figure \d+</a>\. ([^<]{0,30})/#).map { String($0.output.1) }
    let markdownFigures = markdown.matches(of: #/</a>Figure \d+\. \*([^*]{0,30})/#).map { String($0.output.1) }
    #expect(htmlFigures.count == figures && htmlFigures == markdownFigures)
    #expect(Set(anchors(html)) == Set((1...figures).map { "figure-\($0)" } + (1...tables).map { "table-\($0)" }))
    #expect(html.contains(">Table 1</a>. ") && html.contains(">Figure \(figures)</a>. "))
    #expect(markdown.contains("<a id=\"table-1\"></a>Table 1. "))
    #expect(!html.contains("\u{27E6}") && !markdown.contains("\u{27E6}"), "no mark is left")
  }

  @Test func theHTMLIsSelfContainedAndParsesCleanly() throws {
    let written = try tiny.write(to: tiny.folder + "/report-d")
    let html = try String(contentsOfFile: written.html, encoding: .utf8)
    // Nothing is fetched: no stylesheet, script or image outside the file.
    for forbidden in ["<link", "<script", "<img", "@import", "src=", "url(http", "href=\"http", "href=\"figures"] {
      #expect(!html.contains(forbidden), "no \(forbidden)")
    }
    #expect(html.contains("<style>") && html.contains("prefers-color-scheme: dark") && html.contains("@media print"))
    #expect(html.contains("<meta name=\"viewport\""))
    #expect(html.components(separatedBy: "<svg ").count - 1 >= 15, "figures are inline SVG")
    // Ids stay unique across the inline figures.
    let ids = html.matches(of: #/\sid="([^"]+)"/#).map { String($0.output.1) }
    #expect(Set(ids).count == ids.count)
    // Every reference inside the page points at an element of the page.
    let references = Set(html.matches(of: #/(?:href="#|url\(#)([^")]+)/#).map { String($0.output.1) })
    #expect(!references.isEmpty && references.isSubset(of: Set(ids)), "\(references.subtracting(ids).prefix(3))")
    // Figures hold text, not glyph outlines, and the page colours their theme classes.
    for figure in html.split(separator: "<svg ").dropFirst() {
      #expect(figure.contains("<text "), "every inline figure has <text>")
      #expect(!figure.contains("<style>"), "the page gives the figures' rules once")
    }
    #expect(html.contains(".f-ink{fill:var(--chart-ink,#222222)}") && html.contains("--chart-background: #161b22"))
    // Well-formed: an XML parser reads the whole page.
    let parser = XMLParser(data: Data(html.utf8))
    let errors = ParseErrors()
    parser.delegate = errors
    // On Linux parse() may return true after an error: the delegate is the reliable witness.
    let ok = parser.parse()
    #expect(ok && parser.parserError == nil && errors.lines.isEmpty, "parse errors at lines \(errors.lines)")
    #expect(errors.elements > 100, "the whole page was read")
  }

  @Test func aBrokenTemplateIsAClearError() throws {
    let templates = tiny.folder + "/broken-templates"
    try? FileManager.default.removeItem(atPath: templates)
    try FileManager.default.copyItem(atPath: packageRoot + "/templates", toPath: templates)
    let partial = templates + "/partials/train.md.mustache"
    var text = try String(contentsOfFile: partial, encoding: .utf8)
    text = text.replacingOccurrences(of: "{{/summary}}", with: "{{/summry}}")
    try text.write(toFile: partial, atomically: true, encoding: .utf8)
    let error = #expect(throws: TemplateError.self) { try TemplateSet(directory: templates) }
    #expect(error?.file == partial)
    #expect(error?.line == text.components(separatedBy: "\n").firstIndex { $0.contains("{{/summry}}") }! + 1)
    #expect(error?.description.contains("does not match the section it closes") == true)

    // A partial that does not exist is named with its line.
    try text.replacingOccurrences(of: "{{/summry}}", with: "{{/summary}}").write(
      toFile: partial, atomically: true, encoding: .utf8)
    let cell = templates + "/partials/cell.md.mustache"
    let cellText = try String(contentsOfFile: cell, encoding: .utf8)
    try cellText.replacingOccurrences(of: "{{> partials/grid.md}}", with: "{{> partials/grids.md}}").write(
      toFile: cell, atomically: true, encoding: .utf8)
    let missing = #expect(throws: TemplateError.self) { try TemplateSet(directory: templates) }
    #expect(missing?.file == cell && missing?.line != nil)
    #expect(missing?.message.hasPrefix("no template named 'partials/grids.md'") == true)

    try FileManager.default.removeItem(atPath: templates + "/report.html.mustache")
    #expect(throws: TemplateError.self) { try TemplateSet(directory: templates) }
  }

  @Test func thePreviousReportSurvivesAFailedWrite() throws {
    let out = tiny.folder + "/report-e"
    let written = try tiny.write(to: out)
    let before = try String(contentsOfFile: written.markdown, encoding: .utf8)
    // The figures folder cannot be made: nothing is written.
    try FileManager.default.removeItem(atPath: out + "/figures")
    try Data().write(to: URL(fileURLWithPath: out + "/figures"))
    #expect(throws: ReportError.self) { try tiny.write(to: out) }
    #expect(try String(contentsOfFile: written.markdown, encoding: .utf8) == before)
    #expect(FileManager.default.fileExists(atPath: written.html))
  }

  @Test func aQuickProfileReportSaysSo() throws {
    var built = tiny.built
    built.results.profile = .quick
    let view = ReportWriter(templates: try TemplateSet(directory: packageRoot + "/templates"), threads: 1).reportView(
      built, cells: [])
    #expect(view.profileWarning?.contains("quick profile") == true)
  }
}

@Suite struct Formatting {
  @Test func numbersReadTheSameEverywhere() {
    #expect(Format.percent(0.98754) == "98.75%")
    #expect(Format.points(0.0042) == "+0.42 pt")
    #expect(Format.count(1_234_567) == "1,234,567" && Format.count(12) == "12" && Format.count(-1000) == "-1,000")
    #expect(Format.scale(0.0005) == "5e-4" && Format.scale(0.00123) == "1.23e-3" && Format.scale(0.1) == "0.1")
    #expect(Format.seconds(4.2) == "4.20 s" && Format.seconds(61.0) == "61.0 s" && Format.seconds(245) == "4 min 05 s")
    #expect(Format.list(["a", "b", "c"]) == "a, b and c")
  }

  @Test func githubHeadingAnchors() {
    #expect(ContentsEntry.slug("2. The baseline") == "2-the-baseline")
    #expect(
      ContentsEntry.slug("8. Randomized search with cross-validation") == "8-randomized-search-with-cross-validation")
    #expect(ContentsEntry.slug("3. Depth × width") == "3-depth--width")
  }

  @Test func inlineSVGIdsArePrefixed() {
    let svg = Array(
      (##"<?xml version="1.0"?><svg><style>"## + "\n.f-ink{}\n</style>\n"
        + ##"<symbol id="glyph0-1"/><use xlink:href="#glyph0-1"/><g clip-path="url(#clip1)"/></svg>"##)
        .utf8)
    let inline = String(decoding: RenderedFigure.inline(svg, prefix: "a-b"), as: UTF8.self)
    #expect(
      inline
        == ##"<svg><symbol id="a-b-glyph0-1"/><use xlink:href="#a-b-glyph0-1"/><g clip-path="url(#a-b-clip1)"/></svg>"##
    )
  }
}
