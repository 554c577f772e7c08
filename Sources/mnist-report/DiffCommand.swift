import ArgumentParser
import Foundation
import Statistics
import Study

struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "What changed between two builds: settings, cells, metrics beyond the noise, provenance.",
    discussion: """
      OLD and NEW are results folders (a build's --out) or results.json files. Verdicts (a variant better than its reference, a search's winner, the key results) are read from each build's findings, not computed again; the differing ones are listed. A metric's change is flagged better or worse only when both builds have the same number of repeats (two or more) and the repeats, paired by seed, resolve it; otherwise it is within noise, or, without repeats, only said to have changed. --fail-if-worse POINTS exits 1 when the tuned model's test accuracy (the last final cell both have, mean over its repeats) fell by more than POINTS percentage points, for CI.
      """)

  @Argument(help: ArgumentHelp("The earlier results folder or results.json.", valueName: "old"))
  var old: String

  @Argument(help: ArgumentHelp("The later results folder or results.json.", valueName: "new"))
  var new: String

  @Flag(help: "Print Markdown instead of a terminal table.")
  var markdown = false

  @Flag(help: "Print one self-contained HTML page.")
  var html = false

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Exit 1 when the tuned model's test accuracy fell by more than this many percentage points.",
      valueName: "points"))
  var failIfWorse: Double?

  func validate() throws {
    if markdown && html { throw ValidationError("use --markdown or --html, not both") }
    if let failIfWorse, !(failIfWorse >= 0) || !failIfWorse.isFinite {
      throw ValidationError("--fail-if-worse must be a number of points, 0 or more, got \(failIfWorse)")
    }
  }

  func run() throws {
    let results: [StudyResults]
    do {
      results = try [old, new].map { try PublishedResults(folder: $0).results }
    } catch let error as RenderError {
      throw CommandFailure(error.description)
    }
    let diff = ResultsDiff(old: results[0], new: results[1])
    let sections = DiffText(diff: diff).sections
    if html {
      print(DiffText.html(sections, title: "\(old) → \(new)"))
    } else if markdown {
      print(DiffText.markdown(sections))
    } else {
      print(DiffText.terminal(sections))
    }
    if let failIfWorse, let tuned = diff.tuned, tuned.old.mean - tuned.new.mean > failIfWorse / 100 {
      throw CommandFailure(
        String(
          format: "the tuned model's test accuracy (%@) fell from %.2f%% to %.2f%%, more than %g points",
          tuned.cell, 100 * tuned.old.mean, 100 * tuned.new.mean, failIfWorse))
    }
  }
}

/// A diff as titled tables, written out for a terminal, Markdown or HTML.
struct DiffText {
  struct Section {
    let title: String
    let header: [String]
    let rows: [[String]]
    /// What the section says when it has no rows.
    let none: String
  }

  let diff: ResultsDiff

  var sections: [Section] {
    func changes(_ title: String, _ list: [ResultsDiff.Change], none: String) -> Section {
      Section(title: title, header: ["", "old", "new"], rows: list.map { [$0.item, $0.old, $0.new] }, none: none)
    }
    var cells: [[String]] = diff.added.map { [$0, "added"] } + diff.removed.map { [$0, "removed"] }
    for (cell, list) in diff.settings {
      cells.append([cell, list.map { "\($0.item): \($0.old) → \($0.new)" }.joined(separator: "; ")])
    }
    let metrics = diff.metrics.filter { $0.verdict != .same }.map { m in
      [
        m.cell, m.run, m.measure, Self.spread(m.old), Self.spread(m.new), String(format: "%+.2f pt", 100 * m.change),
        m.verdict.rawValue,
      ]
    }
    let unchanged = diff.metrics.filter { $0.verdict == .same }.count
    return [
      changes("Study", diff.study, none: "the same data, seed, profile and engine"),
      Section(title: "Cells", header: ["cell", "change"], rows: cells, none: "the same cells with the same settings"),
      Section(
        title: "Findings (as each build's results.json states them)", header: ["cell", "finding", "old", "new"],
        rows: diff.verdicts.map { [$0.cell, $0.change.item, $0.change.old, $0.change.new] },
        none: "every verdict the same, as each build's results.json states them"),
      Section(
        title: "Metrics", header: ["cell", "run", "measure", "old", "new", "change", "verdict"], rows: metrics,
        none: "every metric the same, bit for bit"
      )
      .noting(unchanged, of: diff.metrics.count),
      changes("Provenance", diff.provenance, none: "the same commit, tools and machine"),
    ]
  }

  static func spread(_ s: Spread) -> String {
    s.n == 1
      ? String(format: "%.2f%%", 100 * s.mean)
      : String(format: "%.2f ± %.2f%% (n = %d)", 100 * s.mean, 100 * (s.sd ?? 0), s.n)
  }

  static func terminal(_ sections: [Section]) -> String {
    sections.map { section in
      var out = section.title
      if section.rows.isEmpty { return out + ": " + section.none }
      var table = TextTable(header: section.header)
      table.rows = section.rows
      out += "\n" + table.render()
      return out
    }.joined(separator: "\n\n")
  }

  static func markdown(_ sections: [Section]) -> String {
    func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
    return sections.map { section in
      var lines = ["## \(section.title)", ""]
      if section.rows.isEmpty {
        return (lines + [section.none.prefix(1).uppercased() + section.none.dropFirst() + "."]).joined(separator: "\n")
      }
      lines.append("| " + section.header.map(cell).joined(separator: " | ") + " |")
      lines.append("|" + section.header.map { _ in " --- |" }.joined())
      for row in section.rows { lines.append("| " + row.map(cell).joined(separator: " | ") + " |") }
      return lines.joined(separator: "\n")
    }.joined(separator: "\n\n")
  }

  static func html(_ sections: [Section], title: String) -> String {
    func escaped(_ text: String) -> String {
      text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    var body = ""
    for section in sections {
      body += "<h2>\(escaped(section.title))</h2>\n"
      if section.rows.isEmpty {
        body += "<p>\(escaped(section.none))</p>\n"
        continue
      }
      body += "<table>\n<tr>" + section.header.map { "<th>\(escaped($0))</th>" }.joined() + "</tr>\n"
      for row in section.rows { body += "<tr>" + row.map { "<td>\(escaped($0))</td>" }.joined() + "</tr>\n" }
      body += "</table>\n"
    }
    return """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
      <title>\(escaped(title))</title>
      <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}th,td{border-bottom:1px solid #ccc;padding:.3rem .6rem;text-align:left}@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}}</style>
      </head><body>
      <h1>\(escaped(title))</h1>
      \(body)</body></html>
      """
  }
}

extension DiffText.Section {
  /// The section with a note of how many of `total` metrics did not move.
  func noting(_ unchanged: Int, of total: Int) -> DiffText.Section {
    guard unchanged > 0 else { return self }
    let note = "\(unchanged) of \(total) metrics the same bit for bit"
    return DiffText.Section(
      title: rows.isEmpty ? title : "\(title) (\(note); the others below)", header: header, rows: rows,
      none: rows.isEmpty ? "every metric the same, bit for bit (\(total))" : none)
  }
}
