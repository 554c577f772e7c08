/// Figures and tables numbered in the order the page shows them ("Figure 7", "Table 12"), each
/// with an anchor (`#figure-7`, `#table-12`) that the Markdown and the HTML report share.
///
/// The order is the templates' — which figure or table comes first is theirs to decide — so
/// the numbers are given after rendering: a template writes a table's `{{label}}` (or a
/// figure's) where the label goes, which renders as a mark, and `apply` replaces the marks in
/// page order.
enum Numbering {
  static let tableMark = "\u{27E6}table\u{27E7}"
  static let figureMark = "\u{27E6}figure\u{27E7}"

  enum Format { case markdown, html }

  /// `text` with its marks replaced by numbered, anchored labels.
  static func apply(_ text: String, format: Format) -> String {
    var out = text
    for (mark, kind, title) in [(tableMark, "table", "Table"), (figureMark, "figure", "Figure")] {
      var pieces = out.components(separatedBy: mark)
      guard pieces.count > 1 else { continue }
      for index in 1..<pieces.count {
        let label: String
        switch format {
        case .html:
          label = "<a class=\"number\" id=\"\(kind)-\(index)\" href=\"#\(kind)-\(index)\">\(title) \(index)</a>"
        case .markdown: label = "<a id=\"\(kind)-\(index)\"></a>\(title) \(index)"
        }
        pieces[index] = label + pieces[index]
      }
      out = pieces.joined()
    }
    return out
  }
}
