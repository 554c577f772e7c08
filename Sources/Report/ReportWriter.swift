import Foundation
import Study

/// What a report writer produced.
public struct WrittenReport: Sendable {
  public let markdown: String
  public let html: String
  public let figures: Int
  /// Time to draw the figures and render the templates.
  public let seconds: Double
}

/// A report that could not be written; the previous one, if any, is left as it was.
public struct ReportError: Error, CustomStringConvertible {
  public let description: String
}

/// Renders a build's results as `report.md` (GitHub-flavoured Markdown, figures as PNG files
/// under `figures/`) and `report.html` (one self-contained page, figures inline as SVG).
///
/// Everything is drawn and rendered in memory first; only then are the files written, each to
/// a temporary file renamed into place, the two reports last. A failure before that point
/// leaves the previous report as it was.
public struct ReportWriter {
  public let templates: TemplateSet
  public let threads: Int

  public init(templates: TemplateSet, threads: Int) {
    self.templates = templates
    self.threads = threads
  }

  public func write(results: StudyResults, study: Study, provenance: Provenance, to output: String) throws
    -> WrittenReport
  {
    let started = Date()
    let specs = figureSpecs(results: results, study: study)
    let rendered: [RenderedFigure]
    do {
      rendered = try FigureRenderer.render(specs, threads: threads)
    } catch {
      throw ReportError(description: "cannot draw the report's figures: \(error)")
    }
    let glyphs = SharedGlyphs()
    let figures = Dictionary(uniqueKeysWithValues: rendered.map { ($0.spec.id, $0.view(sharing: glyphs)) })
    let context = ReportContext(study: study, results: results, figures: figures)
    let view = reportView(context, provenance: provenance, glyphs: glyphs.definitions)
    let markdown = templates.render(view, template: "report.md")
    let html = templates.render(view, template: "report.html")

    let folder = (output as NSString).appendingPathComponent("figures")
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw ReportError(description: "\(folder): cannot create the figures folder (\(error.localizedDescription))")
    }
    var written: Set<String> = []
    for figure in rendered {
      for (bytes, ext) in [(figure.png, "png"), (figure.svg, "svg")] {
        let name = "\(figure.spec.id).\(ext)"
        try atomicWrite(Data(bytes), to: (folder as NSString).appendingPathComponent(name))
        written.insert(name)
      }
    }
    let markdownPath = (output as NSString).appendingPathComponent("report.md")
    let htmlPath = (output as NSString).appendingPathComponent("report.html")
    try atomicWrite(Data(markdown.utf8), to: markdownPath)
    try atomicWrite(Data(html.utf8), to: htmlPath)
    // Figures of cells the study no longer has.
    let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    for name in existing where (name.hasSuffix(".png") || name.hasSuffix(".svg")) && !written.contains(name) {
      try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
    }
    return WrittenReport(
      markdown: markdownPath, html: htmlPath, figures: rendered.count, seconds: Date().timeIntervalSince(started))
  }

  private func atomicWrite(_ data: Data, to path: String) throws {
    do {
      try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw ReportError(description: "\(path): cannot write (\(error.localizedDescription))")
    }
  }

  /// Every figure of every cell that has results.
  func figureSpecs(results: StudyResults, study: Study) -> [FigureSpec] {
    var specs: [FigureSpec] = []
    for result in results.cells where result.status != .failed && result.status != .skipped {
      guard let cell = study.cell(result.id) else { continue }
      switch cell.kind {
      case .data: if let data = result.data { specs += DataCell.figures(cell, data) }
      case .train: if let run = result.runs.first?.run { specs += TrainCell.figures(cell, run) }
      case .compare: specs += CompareCell.figures(cell, result)
      case .grid: if let grid = result.grid { specs += GridCell.figures(cell, grid) }
      case .search: if let search = result.search { specs += SearchCell.figures(cell, search) }
      case .final:
        if let run = result.runs.first?.run, let test = run.test { specs += FinalCell.figures(cell, run, test) }
      }
    }
    return specs
  }

  func reportView(_ context: ReportContext, provenance: Provenance, glyphs: String = "") -> ReportView {
    let results = context.results
    let cells = results.cells.enumerated().compactMap { index, result -> CellView? in
      guard let cell = context.study.cell(result.id) else { return nil }
      return cellView(cell, result, number: index + 1, context)
    }
    var warning: String?
    if results.profile.name != "full" {
      warning =
        "Built with the \(results.profile.name) profile: a subset of the data and few epochs, to check the pipeline. These numbers are not the study's; `mnist-report build` computes them."
    }
    return ReportView(
      title: results.title, description: results.description, descriptionHTML: Markdown.html(results.description),
      profileWarning: warning, profileWarningHTML: warning.map(Markdown.html),
      keyResults: ReportView.keyResults(results),
      contents: cells.map { ContentsEntry(number: $0.number, id: $0.id, title: $0.title, status: $0.statusClass) },
      provenanceNumber: cells.count + 1, cells: cells, sharedGlyphs: glyphs,
      provenance: ReportView.provenance(results, provenance),
      stylesheet: templates.stylesheet,
      generator: "mnist-report \(provenance.version)")
  }

  private func cellView(_ cell: Cell, _ result: CellResult, number: Int, _ context: ReportContext) -> CellView {
    var data: DataView?
    var train: TrainView?
    var compare: CompareView?
    var grid: GridView?
    var search: SearchView?
    var final: FinalView?
    var finding: String?
    let usable = result.status != .failed && result.status != .skipped
    if usable {
      switch cell.kind {
      case .data:
        if let summary = result.data {
          data = DataCell.view(cell, summary, context)
          finding = DataCell.finding(summary)
        }
      case .train:
        if let run = result.runs.first?.run {
          train = TrainCell.view(cell, run, context)
          finding = TrainCell.finding(run)
        }
      case .compare:
        compare = CompareCell.view(cell, result, context)
        finding = CompareCell.finding(cell, result)
      case .grid:
        if let g = result.grid {
          grid = GridCell.view(cell, result, g, context)
          finding = GridCell.finding(g)
        }
      case .search:
        if let s = result.search {
          search = SearchCell.view(cell, s, context)
          finding = SearchCell.finding(cell, s, context)
        }
      case .final:
        if let run = result.runs.first?.run, let test = run.test {
          final = FinalCell.view(cell, result, run, test, context)
          finding = FinalCell.finding(run, test)
        }
      }
    }
    if finding?.isEmpty == true { finding = nil }
    return CellView(
      id: cell.id, number: number, title: cell.title, kind: cell.kind.rawValue, explanation: cell.explanation,
      explanationHTML: Markdown.html(cell.explanation), source: CellView.input(cell.source),
      status: CellView.status(result),
      statusClass: result.status.rawValue, error: result.error, finding: finding,
      findingHTML: finding.map(Markdown.html), data: data, train: train, compare: compare, grid: grid, search: search,
      final: final)
  }
}
