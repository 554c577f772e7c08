import CCmarkGFM
import Foundation

/// The study's Markdown (its description, the cells' explanations, the findings) as HTML,
/// rendered by cmark-gfm, the CommonMark reference that GitHub renders report.md with
/// (with GitHub's tables, strikethrough and autolinks), so that report.html shows what
/// report.md shows on GitHub. Raw HTML is shown as text (outside code, `<` is written `&lt;`
/// before parsing), links are cmark's safe ones (no `javascript:`), and the result is cut
/// down to what Markdown writes (`SafeHTML`): a study file is text anyone may have written.
enum Markdown {
  static func html(_ markdown: String) -> String {
    SafeHTML.sanitize(render(withoutRawHTML(markdown)))
  }

  /// GitHub's extensions of CommonMark that a study's text may use.
  static let extensions = ["table", "strikethrough", "autolink"]

  /// cmark-gfm's HTML of `text`, in its safe mode (raw HTML and unsafe links left out).
  static func render(_ text: String) -> String {
    cmark_gfm_core_extensions_ensure_registered()
    let options = CMARK_OPT_DEFAULT
    guard let parser = cmark_parser_new(options) else { return "<p>" + SafeHTML.escape(text) + "</p>" }
    defer { cmark_parser_free(parser) }
    for name in extensions {
      if let syntax = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, syntax) }
    }
    cmark_parser_feed(parser, text, text.utf8.count)
    guard let document = cmark_parser_finish(parser) else { return "<p>" + SafeHTML.escape(text) + "</p>" }
    defer { cmark_node_free(document) }
    guard let html = cmark_render_html(document, options, cmark_parser_get_syntax_extensions(parser)) else {
      return "<p>" + SafeHTML.escape(text) + "</p>"
    }
    defer { free(html) }
    return String(cString: html).trimmingCharacters(in: .newlines)
  }

  /// `<` as `&lt;` outside code spans and fenced code blocks, so that no tag is raw.
  static func withoutRawHTML(_ text: String) -> String {
    var out = ""
    var fenced = false
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if index > 0 { out += "\n" }
      if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
        fenced.toggle()
        out += line
        continue
      }
      if fenced {
        out += line
        continue
      }
      var inCode = false
      for ch in line {
        if ch == "`" { inCode.toggle() }
        out += ch == "<" && !inCode ? "&lt;" : String(ch)
      }
    }
    return out
  }
}
