import Charts
import Foundation
import Study

/// What a report writer produced.
public struct WrittenReport: Sendable {
  public let markdown: String
  public let html: String
  /// The notebook (`report.ipynb`).
  public let notebook: String
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
/// Everything is written into a ``StagedOutput`` and moved into place only when all of it is
/// there, so a failure at any point leaves the previous report as it was.
public struct ReportWriter {
  public let templates: TemplateSet
  public let threads: Int

  public init(templates: TemplateSet, threads: Int) {
    self.templates = templates
    self.threads = threads
  }

  /// Writes the report into the folder `output`, whole or not at all.
  public func write(_ built: BuiltStudy, to output: String) throws -> WrittenReport {
    let staged: StagedOutput
    do {
      staged = try StagedOutput(output: output)
    } catch {
      throw ReportError(description: "\(error)")
    }
    let report = try write(built, into: staged)
    do {
      try staged.commit()
    } catch {
      throw ReportError(description: "\(error)")
    }
    return report
  }

  /// Every figure the report of `built` draws, as specified (full size; `compact` gives the
  /// narrow one).
  static func figures(of built: BuiltStudy) -> [FigureSpec] {
    let context = PresentationContext(shape: built.results.shape, results: built.results, built: built.cells)
    let effects = built.results.findings?.effects.map {
      EffectsPresenter(facts: $0, built: built, shape: built.results.shape).figure
    }
    return built.cells.flatMap { PlannedCell.plan($0, context)?.figures ?? [] } + (effects.map { [$0] } ?? [])
  }

  /// Writes the report into `staged`, for the caller to commit with the rest of the build.
  public func write(_ built: BuiltStudy, into staged: StagedOutput) throws -> WrittenReport {
    let started = Date()
    let context = PresentationContext(shape: built.results.shape, results: built.results, built: built.cells)
    let planned = built.cells.map { PlannedCell.plan($0, context) }
    let effects = built.results.findings?.effects.map {
      EffectsPresenter(facts: $0, built: built, shape: built.results.shape)
    }
    let specs = uniqueNames(planned.flatMap { $0?.figures ?? [] } + (effects.map { [$0.figure] } ?? []))
    let rendered: [RenderedFigure]
    do {
      rendered = try FigureRenderer.render(specs, threads: threads)
    } catch {
      throw ReportError(description: "cannot draw the report's figures: \(error)")
    }
    var views = rendered.map(\.view)[...]
    var cells: [CellView] = []
    for (index, (built, plan)) in zip(built.cells, planned).enumerated() {
      var outputs: (outputs: CellOutputs, finding: String)?
      if let plan {
        let own = Array(views.prefix(plan.figures.count))
        views = views.dropFirst(plan.figures.count)
        outputs = plan.finish(own)
      }
      cells.append(cellView(built, number: index + 1, outputs: outputs))
    }
    let effectsView = effects.flatMap { presenter in
      views.first.map { figure in
        EffectsView(
          number: cells.count + 1, summary: presenter.summary, summaryHTML: Markdown.html(presenter.summary),
          figure: figure, table: presenter.table,
          limits: presenter.limits.map { LimitView(text: $0, html: Markdown.html($0)) })
      }
    }
    let view = reportView(built, cells: cells, effects: effectsView)
    let bounds = TemplateBounds(view: view)
    let markdown: String
    let html: String
    do {
      markdown = Numbering.apply(try templates.render(view, template: "report.md", bounds: bounds), format: .markdown)
      html = Numbering.apply(try templates.render(view, template: "report.html", bounds: bounds), format: .html)
    } catch {
      throw ReportError(description: "template error: \(error)")
    }

    let folder = (staged.path as NSString).appendingPathComponent("figures")
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw ReportError(description: "\(folder): cannot create the figures folder (\(error.localizedDescription))")
    }
    // Figures of cells the study no longer has go with the previous figures folder.
    for figure in rendered {
      for (bytes, format) in [(figure.png, RenderedFigure.pngFormat), (figure.svg, RenderedFigure.svgFormat)] {
        let path = RenderedFigure.path(figure.spec.id, format)
        try write(Data(bytes), to: (staged.path as NSString).appendingPathComponent(path))
      }
    }
    let notebook = Notebook(
      markdown: markdown,
      cells: cells.map { Notebook.StudyCell(id: $0.id, kind: $0.kind, source: $0.source) },
      pngs: Dictionary(
        rendered.map { (RenderedFigure.path($0.spec.id, RenderedFigure.pngFormat), $0.png) },
        uniquingKeysWith: { first, _ in first }))
    try write(Data(markdown.utf8), to: (staged.path as NSString).appendingPathComponent("report.md"))
    try write(Data(html.utf8), to: (staged.path as NSString).appendingPathComponent("report.html"))
    try write(notebook.json(title: view.title), to: (staged.path as NSString).appendingPathComponent("report.ipynb"))
    return WrittenReport(
      markdown: (staged.output as NSString).appendingPathComponent("report.md"),
      html: (staged.output as NSString).appendingPathComponent("report.html"),
      notebook: (staged.output as NSString).appendingPathComponent("report.ipynb"), figures: rendered.count,
      seconds: Date().timeIntervalSince(started))
  }

  private func write(_ data: Data, to path: String) throws {
    do {
      try data.write(to: URL(fileURLWithPath: path))
    } catch {
      throw ReportError(description: "\(path): cannot write (\(error.localizedDescription))")
    }
  }

  func reportView(_ built: BuiltStudy, cells: [CellView], effects: EffectsView? = nil) -> ReportView {
    let results = built.results
    var warning: String?
    if !results.profile.isFull {
      warning =
        "Built with the \(results.profile.name) profile: a subset of the data and few epochs, to check the pipeline. These numbers are not the study's; `mnist-report build` computes them."
    }
    // A dataset chosen on the command line is not the one the study file's title may name.
    var title = results.title
    if let dataset = results.overrides.first(where: { $0.path == ["data", "dataset"] }) {
      title += " (built on \(dataset.value), \(dataset.flag))"
    }
    return ReportView(
      title: title, description: results.description, descriptionHTML: Markdown.html(results.description),
      profileWarning: warning, profileWarningHTML: warning.map(Markdown.html),
      keyResults: results.findings?.keyResults.flatMap { KeyResultsPresenter.view($0, built) },
      contents: cells.map { ContentsEntry(number: $0.number, id: $0.id, title: $0.title, status: $0.statusClass) },
      provenanceNumber: cells.count + (effects == nil ? 1 : 2), cells: cells, effects: effects,
      chartStyle: Figure.svgStyleRules,
      provenance: ReportView.provenance(results),
      stylesheet: templates.stylesheet,
      generator: "mnist-report \(results.provenance.version)")
  }

  private func cellView(_ built: BuiltCell, number: Int, outputs: (outputs: CellOutputs, finding: String)?)
    -> CellView
  {
    let (cell, result) = (built.cell, built.result)
    let finding = outputs.flatMap { $0.finding.isEmpty ? nil : $0.finding }
    return CellView(
      id: cell.id, number: number, title: cell.title, kind: cell.kind.rawValue, explanation: cell.explanation,
      explanationHTML: Markdown.html(cell.explanation), source: CellView.input(cell.source),
      status: CellView.status(result), statusClass: result.status.rawValue, error: result.error, finding: finding,
      findingHTML: finding.map(Markdown.html), outputs: outputs?.outputs)
  }
}

/// The figures with file names made unique: a figure is named CELL-FIGURE, and cell "s-input"
/// with figure "dropout" meets cell "s" with figure "input-dropout"; a later one becomes
/// "s-input-dropout-2".
func uniqueNames(_ specs: [FigureSpec]) -> [FigureSpec] {
  var used: Set<String> = []
  return specs.map { spec in
    var id = spec.id
    var suffix = 2
    while used.contains(id) {
      id = "\(spec.id)-\(suffix)"
      suffix += 1
    }
    used.insert(id)
    return id == spec.id ? spec : spec.named(id)
  }
}
