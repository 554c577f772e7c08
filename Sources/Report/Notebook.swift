import Foundation

/// The report as a Jupyter notebook (nbformat 4.5), `report.ipynb`, cut from report.md as
/// the templates wrote it, so that it says what report.md says in the same order with the
/// same figure and table numbers:
///
/// - the title and description, the key results, then per study cell a Markdown cell (its
///   heading and explanation), a code cell holding the cell as written in the study file,
///   whose outputs are the cell's own (figures as `image/png`, tables as `text/html` with the
///   Markdown table as `text/plain`, text as `text/markdown`), and a Markdown cell with the
///   finding and the status; then what mattered and the provenance, whose figures are the
///   Markdown cells' attachments;
/// - cell ids from the study's ids (`baseline`, `baseline-input`, `baseline-finding`).
///
/// Figures are PNG only: nbconvert 6.5 empties an `image/svg+xml` output and shows a single
/// type of each output, so an SVG beside the PNG would lose the figure there or show it
/// twice elsewhere; the SVG files sit beside the report. The JSON's keys are sorted and
/// nothing in it depends on the time, so the same study gives the same bytes.
struct Notebook {
  /// One cell of report.md's study cells: where its section is found, and its names.
  struct StudyCell {
    let id: String
    let kind: String
    /// The cell as written in the study file: report.md holds it in a ```yaml fence.
    let source: String
  }

  let markdown: String
  let cells: [StudyCell]
  /// Each figure's PNG, by its path in report.md (`figures/ID.png`).
  let pngs: [String: [UInt8]]

  /// The notebook's JSON.
  func json(title: String) -> Data {
    var ids = Set<String>()
    var notebookCells: [[String: Any]] = []
    func add(_ cell: [String: Any], id wanted: String) {
      var cell = cell
      cell["id"] = Self.uniqueID(wanted, among: &ids)
      notebookCells.append(cell)
    }
    for section in Self.sections(of: markdown) {
      if let index = cells.firstIndex(where: { section.contains(Self.fence($0.source)) }) {
        let cell = cells[index]
        let parts = split(section, cell)
        add(markdownCell(parts.intro), id: cell.id)
        add(
          [
            "cell_type": "code", "execution_count": NSNull(), "source": cell.source,
            "metadata": ["tags": ["mnist-report-\(cell.kind)"]], "outputs": outputs(parts.outputs),
          ], id: cell.id + "-input")
        if !parts.closing.isEmpty { add(markdownCell(parts.closing), id: cell.id + "-finding") }
      } else if section.hasPrefix("## Contents") {
        continue  // the notebook's own outline lists its headings
      } else {
        let heading = section.hasPrefix("## ") ? String(section.dropFirst(3).prefix { $0 != "\n" }) : "title"
        add(markdownCell(section), id: Self.slug(heading))
      }
    }
    let notebook: [String: Any] = [
      "nbformat": 4, "nbformat_minor": 5, "cells": notebookCells,
      "metadata": ["language_info": ["name": "yaml"], "title": title],
    ]
    let data =
      (try? JSONSerialization.data(
        withJSONObject: notebook, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
    return data + Data("\n".utf8)
  }

  /// report.md cut at its second-level headings (outside code fences): the part before the
  /// first, and one part per heading.
  static func sections(of markdown: String) -> [String] {
    var sections: [[Substring]] = [[]]
    var fenced = false
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("```") { fenced.toggle() }
      if !fenced && line.hasPrefix("## ") { sections.append([]) }
      sections[sections.count - 1].append(line)
    }
    return sections.map { $0.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
      .filter { !$0.isEmpty }
  }

  static func fence(_ source: String) -> String { "```yaml\n\(source)\n```" }

  /// A study cell's section: what comes before its input (heading, explanation), its outputs,
  /// and from its finding (or its status line) on.
  private func split(_ section: String, _ cell: StudyCell) -> (intro: String, outputs: String, closing: String) {
    let fence = section.range(of: Self.fence(cell.source))!
    let intro = String(section[..<fence.lowerBound])
    let rest = section[fence.upperBound...]
    let lines = rest.split(separator: "\n", omittingEmptySubsequences: false)
    let end = lines.firstIndex { $0.hasPrefix("> **Finding.**") || $0.hasPrefix("<sub>") } ?? lines.endIndex
    return (
      intro.trimmingCharacters(in: .whitespacesAndNewlines),
      lines[..<end].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines),
      lines[end...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    )
  }

  /// A cell's outputs in report.md's order: each figure as a PNG, each table as HTML (with
  /// its Markdown as plain text), and the text between them as Markdown.
  private func outputs(_ markdown: String) -> [[String: Any]] {
    var outputs: [[String: Any]] = []
    var text: [String] = []
    func flushText() {
      let joined = text.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
      if !joined.isEmpty {
        outputs.append(Self.display(["text/markdown": Self.portable(joined), "text/plain": Self.plain(joined)]))
      }
      text = []
    }
    var table: [String] = []
    func flushTable() {
      guard !table.isEmpty else { return }
      let joined = table.joined(separator: "\n")
      outputs.append(
        Self.display(["text/html": Self.aligned(Markdown.html(joined)), "text/plain": Self.plain(joined)]))
      table = []
    }
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if line.hasPrefix("|") {
        flushText()
        table.append(line)
        continue
      }
      flushTable()
      if line.hasPrefix("!["), line.hasSuffix(".png)"), let open = line.range(of: "](", options: .backwards) {
        let path = String(line[open.upperBound..<line.index(before: line.endIndex)])
        if let png = pngs[path] {
          flushText()
          let alt = String(line[line.index(line.startIndex, offsetBy: 2)..<open.lowerBound])
          outputs.append(Self.display(["image/png": Data(png).base64EncodedString(), "text/plain": alt]))
          continue
        }
      }
      text.append(line)
    }
    flushTable()
    flushText()
    return outputs
  }

  static func display(_ data: [String: String]) -> [String: Any] {
    ["output_type": "display_data", "data": data, "metadata": [String: Any]()]
  }

  /// A Markdown cell; the figures it shows travel with it as attachments (nbformat's
  /// `attachment:NAME`), so that the notebook holds every figure, as the HTML report does.
  func markdownCell(_ source: String) -> [String: Any] {
    var text = source
    var attachments: [String: Any] = [:]
    for (path, png) in pngs where text.contains("](\(path))") {
      let name = (path as NSString).lastPathComponent
      text = text.replacingOccurrences(of: "](\(path))", with: "](attachment:\(name))")
      attachments[name] = ["image/png": Data(png).base64EncodedString()]
    }
    var cell: [String: Any] = ["cell_type": "markdown", "metadata": [String: Any](), "source": Self.portable(text)]
    if !attachments.isEmpty { cell["attachments"] = attachments }
    return cell
  }

  /// Markdown that older renderers read as GitHub does: an underscore inside a word
  /// (`cv_results_`) escaped outside code, which mistune (nbconvert 6) would otherwise take
  /// for emphasis. CommonMark reads `\_` as `_` in text, so nothing changes there; code,
  /// link targets, tags and autolinks are left as they are.
  static func portable(_ markdown: String) -> String {
    var fenced = false
    return markdown.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      if line.hasPrefix("```") { fenced.toggle() }
      guard !fenced, line.contains("_") else { return String(line) }
      // Not inside code, a link's target (`](…)`) or a tag or autolink (`<…>`), where a
      // backslash would stay.
      var out = ""
      var code = false
      var target = false
      var angle = false
      var previous: Character = " "
      for character in line {
        if character == "`" && !target && !angle { code.toggle() }
        if character == "(" && previous == "]" && !code { target = true }
        if character == "<" && !code { angle = true }
        let word = previous.isLetter || previous.isNumber
        out += character == "_" && word && !code && !target && !angle ? "\\_" : String(character)
        if character == ")" { target = false }
        if character == ">" { angle = false }
        previous = character
      }
      return out
    }.joined(separator: "\n")
  }

  /// Markdown as plain text: without its anchors and bold marks.
  static func plain(_ markdown: String) -> String {
    markdown.replacing(#/<a id="[^"]*"></a>/#, with: "").replacingOccurrences(of: "**", with: "")
  }

  /// A table's HTML with each cell's alignment written as a style: Jupyter's stylesheet sets
  /// cells right unless told, where GitHub sets them left.
  static func aligned(_ html: String) -> String {
    html.replacingOccurrences(of: "<th>", with: "<th style=\"text-align: left\">")
      .replacingOccurrences(of: "<td>", with: "<td style=\"text-align: left\">")
      .replacingOccurrences(of: " align=\"right\"", with: " style=\"text-align: right\"")
      .replacingOccurrences(of: " align=\"center\"", with: " style=\"text-align: center\"")
  }

  /// A heading as a cell id: lower case, letters, digits and hyphens.
  static func slug(_ text: String) -> String {
    let mapped = text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
    let collapsed = String(mapped).split(separator: "-").joined(separator: "-")
    return collapsed.isEmpty ? "section" : collapsed
  }

  /// `wanted` as nbformat 4.5 takes a cell id (`^[a-zA-Z0-9-_]+$`, at most 64 characters),
  /// made unique among `used` by a suffix.
  static func uniqueID(_ wanted: String, among used: inout Set<String>) -> String {
    let allowed = String(wanted.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
    var base = String(allowed.prefix(56))
    if base.isEmpty { base = "cell" }
    var id = base
    var suffix = 2
    while used.contains(id) {
      id = "\(base)-\(suffix)"
      suffix += 1
    }
    used.insert(id)
    return id
  }
}
