import Data
import Study
import Tensor

/// Shows one kind of cell: the figures to draw, the outputs the templates lay out (tables
/// and the drawn figures), and the finding, phrased from the analysis's facts.
///
/// Figures are named by a type of the presenter's own (`FigureKind`), which both the drawing
/// and the outputs use: a figure is never looked up by a string.
protocol Presenter {
  associatedtype FigureKind: FigureName
  /// The figures to draw, in the order the report shows them.
  func figures() -> [(FigureKind, FigureSpec)]
  /// The cell's outputs, given its figures as drawn.
  func outputs(_ figures: Figures<FigureKind>) -> CellOutputs
  /// What the results say, in a sentence or a few (Markdown); empty when there is nothing
  /// to say.
  func finding() -> String
}

/// A presenter's name for one of its figures.
protocol FigureName: Hashable {
  /// The figure's part of its file name: `figures/CELL-SLUG.png`.
  var slug: String { get }
}

extension FigureName where Self: RawRepresentable, RawValue == String {
  var slug: String { rawValue }
}

/// A cell's figures as drawn, by the presenter's names.
struct Figures<Name: FigureName> {
  private let views: [Name: FigureView]

  init(_ views: [Name: FigureView]) { self.views = views }

  subscript(_ name: Name) -> FigureView? { views[name] }

  /// The figures of `names` that were drawn, in that order.
  func list(_ names: [Name]) -> [FigureView] { names.compactMap { views[$0] } }
}

/// What every presenter may know besides its own cell: the data's shape and the build.
struct PresentationContext {
  let shape: DataShape
  let results: StudyResults
  /// Every cell of the build, in order.
  let built: [BuiltCell]
}

/// The outputs of one cell, by kind, as the templates see them (`{{#outputs}}{{#train}}…`):
/// Mustache reads an enum case as a section named after it.
enum CellOutputs {
  case data(DataView)
  case train(TrainView)
  case compare(CompareView)
  case grid(GridView)
  case search(SearchView)
  case final(FinalView)
}

/// A cell whose figures are to be drawn, and how its outputs follow once they are.
struct PlannedCell {
  let built: BuiltCell
  /// The figures, their file names set (`CELL-SLUG`).
  let figures: [FigureSpec]
  /// The outputs and the finding, given the drawn figures in the order of `figures`.
  let finish: ([FigureView]) -> (outputs: CellOutputs, finding: String)

  init<P: Presenter>(_ built: BuiltCell, _ presenter: P) {
    self.built = built
    let named = presenter.figures()
    figures = named.map { name, spec in spec.named("\(built.cell.id)-\(name.slug)") }
    finish = { views in
      let figures = Figures(Dictionary(zip(named.map(\.0), views), uniquingKeysWith: { first, _ in first }))
      return (presenter.outputs(figures), presenter.finding())
    }
  }

  /// The presenter of `built`'s kind, given its facts; nil when the cell has no outputs (it
  /// failed, or was not built).
  static func plan(_ built: BuiltCell, _ context: PresentationContext) -> PlannedCell? {
    switch (built.contents, built.facts) {
    case (.data(let cell, let summary)?, let facts):
      return PlannedCell(
        built,
        DataPresenter(
          cell: built.cell, body: cell, data: summary, facts: facts?.data,
          testEvaluations: context.results.findings?.testEvaluations ?? 0))
    case (.train(_, let run)?, .train(let facts)?):
      return PlannedCell(built, TrainPresenter(cell: built.cell, named: run, facts: facts, context: context))
    case (.compare(let body, _)?, .compare(let facts)?):
      return PlannedCell(built, ComparePresenter(cell: built.cell, body: body, facts: facts, context: context))
    case (.grid(let body, let grid, _)?, .grid(let facts)?):
      return PlannedCell(built, GridPresenter(cell: built.cell, body: body, grid: grid, facts: facts, context: context))
    case (.search(let body, let search)?, let facts):
      return PlannedCell(built, SearchPresenter(cell: built.cell, body: body, search: search, facts: facts?.search))
    case (.final(_, let final, let search)?, .train(let facts)?):
      guard let test = final.run.run.test, let tested = facts.tested else { return nil }
      return PlannedCell(
        built,
        FinalPresenter(
          cell: built.cell, final: final, test: test, search: search, facts: facts, tested: tested, context: context))
    case (.train?, _), (.compare?, _), (.grid?, _), (.final?, _), (nil, _):
      return nil
    }
  }
}
