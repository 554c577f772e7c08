import Foundation
import Testing

@testable import Report
@testable import Study

/// Builds a small study and writes its report into a fresh folder.
func buildReport(_ text: String, templates: String = packageRoot + "/templates") throws -> (
  html: String, folder: String
) {
  let folder = NSTemporaryDirectory() + "mnist-report-fault-" + UUID().uuidString
  let study = try Study.parse(text, file: "fault.yaml")
  var options = BuildOptions(output: folder + "/out", cacheDirectory: folder + "/cache")
  options.profile = Profile(
    name: "test", trainLimit: 300, validationLimit: 100, testLimit: 100, maxEpochs: 1, maxCandidates: 2, maxFolds: 2)
  options.threads = 2
  options.dataDirectory = packageRoot + "/data/mnist"
  let built = try StudyBuild(
    study: study, options: options, observer: SilentObserver(), cancellation: Cancellation(), version: "test"
  ).run()
  let writer = ReportWriter(templates: try TemplateSet(directory: templates), threads: 2)
  let written = try writer.write(built, to: folder + "/out")
  return (try String(contentsOfFile: written.html, encoding: .utf8), folder)
}

@Suite(.serialized) struct Faults {
  @Test func scriptInTheStudyFileStaysText() throws {
    let hostile = """
      title: Hostile
      description: 'Hello <script>alert(1)</script> and [a link](javascript:alert(2)) and <iframe src="x"></iframe>'
      data: {validation: 100, seed: 1}
      base: {hidden: [8], dropout: 0.1, epochs: 1}
      cells:
        - id: one
          kind: compare
          explanation: 'An image <img src=x onerror=alert(3)> and a raw </svg> and [ok](https://example.org)'
          variants:
            - {name: '<b onmouseover=alert(4)>bold</b>', optimizer: sgd, learning_rate: 0.1}
            - {name: Adam, optimizer: adam}
      """
    let (html, folder) = try buildReport(hostile)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect(!html.contains("<script"), "no script element")
    #expect(!html.contains("<iframe"), "no iframe")
    #expect(html.firstMatch(of: /<[a-zA-Z][^<>]*\son(error|mouseover)=/) == nil, "no event handler in a tag")
    #expect(!html.contains("javascript:"), "no javascript: link")
    #expect(html.contains("<a href=\"https://example.org\">ok</a>"), "a safe link stays a link")
    #expect(html.contains("Content-Security-Policy") && html.contains("script-src 'none'"))
  }

  @Test func theSanitizerKeepsWhatMarkdownWritesOnly() {
    #expect(SafeHTML.sanitize("<p>a <em>b</em></p>") == "<p>a <em>b</em></p>")
    #expect(SafeHTML.sanitize("<a href=\"JaVaScRiPt:x\">y</a>") == "<a>y</a>")
    #expect(SafeHTML.sanitize("<a href=\" java\tscript:x\">y</a>") == "<a>y</a>")
    #expect(SafeHTML.sanitize("<img src=\"data:image/png;base64,AA\" alt=\"x\" />") == "<img alt=\"x\" />")
    #expect(SafeHTML.sanitize("<a href=\"#key-results\" onclick=\"x()\">k</a>") == "<a href=\"#key-results\">k</a>")
    #expect(SafeHTML.sanitize("<svg onload=x>") == "&lt;svg onload=x>")
    #expect(SafeHTML.sanitize("a < b and c > d") == "a &lt; b and c > d")
  }

  @Test func deepOrLongMarkdownIsRenderedWithoutRecursion() {
    let brackets = String(repeating: "[", count: 20_000)
    let started = Date()
    let html = Markdown.html(brackets)
    #expect(html.hasPrefix("<p>[[[") && html.count > 20_000)
    let angles = Markdown.html(String(repeating: "<", count: 19_000))
    #expect(angles.contains("&lt;&lt;") && !angles.contains("<<"))
    #expect(Date().timeIntervalSince(started) < 10, "in seconds, not minutes")
  }

  @Test func figuresOfTwoCellsThatWouldShareANameBothSurvive() throws {
    let colliding = """
      title: Collisions
      data: {validation: 100, seed: 1}
      base: {hidden: [8], dropout: 0.1, epochs: 1}
      cells:
        - id: s
          kind: search
          candidates: 2
          folds: 2
          space: {input_dropout: {uniform: [0.0, 0.2]}}
        - id: s-input
          kind: search
          candidates: 2
          folds: 2
          space: {dropout: {uniform: [0.0, 0.2]}}
      """
    let (html, folder) = try buildReport(colliding)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let figures = try FileManager.default.contentsOfDirectory(atPath: folder + "/out/figures")
    #expect(figures.contains("s-input-dropout.png") && figures.contains("s-input-dropout-2.png"), "\(figures.sorted())")
    #expect(html.contains("s-input-dropout-2"))
  }

  @Test func templatesThatIncludeThemselvesOrNestTooDeepAreRefused() throws {
    let base = packageRoot + "/templates"
    func templateError(_ change: (String) throws -> Void) throws -> String {
      let folder = NSTemporaryDirectory() + "mnist-report-templates-" + UUID().uuidString
      defer { try? FileManager.default.removeItem(atPath: folder) }
      try FileManager.default.copyItem(atPath: base, toPath: folder)
      try change(folder)
      do {
        _ = try TemplateSet(directory: folder)
        return ""
      } catch {
        return error.description
      }
    }
    func write(_ text: String, _ path: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
    let itself = try templateError { try write("a {{> partials/loop}}", $0 + "/partials/loop.mustache") }
    #expect(itself.contains("partials include each other without end: partials/loop → partials/loop"), "\(itself)")
    let pair = try templateError {
      try write("{{#x}}{{> partials/b}}{{/x}}", $0 + "/partials/a.mustache")
      try write("{{> partials/a}}", $0 + "/partials/b.mustache")
    }
    #expect(pair.contains("partials/a → partials/b → partials/a"), "\(pair)")
    let top = try templateError { try write("{{> report.md}}", $0 + "/report.md.mustache") }
    #expect(top.contains("report.md → report.md"), "\(top)")
    let deep = try templateError {
      try write(
        String(repeating: "{{#a}}", count: 20_000) + String(repeating: "{{/a}}", count: 20_000),
        $0 + "/partials/deep.mustache")
    }
    #expect(deep.contains("sections are nested more than 64 deep"), "\(deep)")
    let huge = try templateError { try write(String(repeating: "x", count: 20 << 20), $0 + "/partials/huge.mustache") }
    #expect(huge.contains("is 20 MB; a template has at most 1 MB"), "\(huge)")
  }

  /// Sections nested over the report's lists multiply: eight nested over the cells would
  /// render 11⁸ times and never end. Such a template is refused before it renders, naming the
  /// template, the line and the nesting; three nested render as before, and so does a
  /// partial whose sections multiply only through the section that includes it.
  @Test func templatesThatWouldRenderWithoutEndAreRefusedInSeconds() throws {
    let study = tinyStudy
    func report(_ extra: String, partial: String? = nil) throws -> (error: String?, seconds: Double) {
      let folder = NSTemporaryDirectory() + "mnist-report-templates-" + UUID().uuidString
      defer { try? FileManager.default.removeItem(atPath: folder) }
      try FileManager.default.copyItem(atPath: packageRoot + "/templates", toPath: folder)
      let file = folder + "/report.md.mustache"
      try Data((try String(contentsOfFile: file, encoding: .utf8) + extra).utf8).write(to: URL(fileURLWithPath: file))
      if let partial { try Data(partial.utf8).write(to: URL(fileURLWithPath: folder + "/partials/many.mustache")) }
      let started = Date()
      do {
        let (_, out) = try buildReport(study, templates: folder)
        try? FileManager.default.removeItem(atPath: out)
        return (nil, Date().timeIntervalSince(started))
      } catch {
        return ("\(error)", Date().timeIntervalSince(started))
      }
    }
    func nested(_ depth: Int) -> String {
      "\n" + String(repeating: "{{#cells}}", count: depth) + "x" + String(repeating: "{{/cells}}", count: depth)
    }
    let eight = try report(nested(8))
    let error = try #require(eight.error)
    #expect(error.contains("template error: "), "\(error)")
    #expect(error.contains("report.md.mustache:"), "names the template and its line: \(error)")
    #expect(error.contains("its sections would render about"), "\(error)")
    #expect(error.contains("cells ×"), "names the nesting: \(error)")
    #expect(eight.seconds < 30, "refused in \(eight.seconds) s, the study's build included")
    #expect(try report(nested(3)).error == nil)
    let viaPartial = try report("\n{{#cells}}{{#cells}}{{> partials/many}}{{/cells}}{{/cells}}", partial: nested(6))
    #expect(viaPartial.error?.contains("its sections would render about") == true, "\(viaPartial.error ?? "")")
  }
}
