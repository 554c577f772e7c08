import Foundation
import Testing

/// report.ipynb, the third form of the report, checked by Jupyter's own tools: nbformat
/// validates it, and nbconvert renders it (without running it) to a page that holds every
/// figure and every number of the key results.
@Suite struct NotebookReport {
  /// Runs Debian's python3 (where python3-nbformat and jupyter-nbconvert install) with `arguments`.
  func python(_ arguments: [String]) throws -> CommandResult { try shell(["/usr/bin/python3"] + arguments) }

  @Test func theNotebookIsValidAndRendersEveryFigureAndKeyNumber() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let built = try buildQuick(renderedStudy, in: scratch)
    #expect(built.status == 0, "\(built.stderr)")
    let path = scratch.path("out/report.ipynb")
    let notebook = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    #expect(notebook["nbformat"] as? Int == 4 && notebook["nbformat_minor"] as? Int == 5)
    let cells = try #require(notebook["cells"] as? [[String: Any]])
    let ids = cells.compactMap { $0["id"] as? String }
    #expect(ids.count == cells.count && Set(ids).count == ids.count, "every cell has its own id")
    // The key results first, the provenance last; each study cell as heading, input, finding.
    #expect(Array(ids.prefix(2)) == ["title", "key-results"], "\(ids)")
    #expect(ids.last == "provenance", "\(ids)")
    for id in ["data", "baseline", "optimizers", "search", "tuned"] {
      #expect(ids.contains(id) && ids.contains(id + "-input"), "\(id) in \(ids)")
    }
    let input = try #require(cells.first { $0["id"] as? String == "optimizers-input" })
    #expect(input["cell_type"] as? String == "code")
    #expect((input["source"] as? String)?.contains("kind: compare") == true)
    let outputs = cells.flatMap { $0["outputs"] as? [[String: Any]] ?? [] }
    // Every figure: a cell's as its outputs, the others (what mattered) as attachments.
    let pngs =
      outputs.filter { ($0["data"] as? [String: Any])?["image/png"] != nil }.count
      + cells.compactMap { $0["attachments"] as? [String: Any] }.reduce(0) { $0 + $1.count }
    let figures = try FileManager.default.contentsOfDirectory(atPath: scratch.path("out/figures"))
      .filter { $0.hasSuffix(".png") }
    #expect(pngs == figures.count && figures.count > 3, "\(pngs) PNGs in the notebook, \(figures.count) figures")
    #expect(outputs.contains { (($0["data"] as? [String: Any])?["text/html"] as? String)?.contains("<table>") == true })

    let validated = try python([
      "-c", "import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print('valid')", path,
    ])
    #expect(validated.status == 0 && validated.stdout.contains("valid"), "\(validated.stderr)")
    let converted = try python(["-m", "nbconvert", "--to", "html", "--stdout", path])
    #expect(converted.status == 0, "\(converted.stderr)")
    let page = converted.stdout
    #expect(page.components(separatedBy: "<img src=\"data:image/png;base64,").count - 1 == figures.count)
    // Every number of the key results, as report.md gives them.
    let markdown = try String(contentsOfFile: scratch.path("out/report.md"), encoding: .utf8)
    let keyResults = try #require(
      markdown.components(separatedBy: "## Key results").dropFirst().first?.components(separatedBy: "\n## ").first)
    let numbers = try Regex(#"[+−-]?\d+\.\d+"#)
    let found = keyResults.matches(of: numbers).map { String(keyResults[$0.range]) }
    #expect(found.count >= 4, "\(keyResults)")
    for number in found { #expect(page.contains(number), "\(number) of the key results is on the converted page") }
  }
}
