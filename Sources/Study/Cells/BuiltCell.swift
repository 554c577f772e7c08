/// A cell of a build together with what it produced, matched by kind, for the report and the
/// analysis: no lookup by id is needed downstream.
public enum CellContents: Sendable {
  case data(DataCell, DataSummary)
  case train(TrainCell, NamedRun)
  case compare(CompareCell, [NamedRun])
  case grid(GridCell, GridResult, [NamedRun])
  case search(SearchCell, SearchResult)
  /// `search` is the cell the candidate came from, as built.
  case final(FinalCell, FinalOutcome, search: SearchContents?)

  /// The cell's body and outcome as one value; nil when they are not of the same kind (an
  /// outcome from another version of the cell: never produced by a build).
  init?(_ body: Cell.Body, _ outcome: CellOutcome, earlier: [BuiltCell]) {
    switch (body, outcome) {
    case (.data(let cell), .data(let summary)): self = .data(cell, summary)
    case (.train(let cell), .train(let run)): self = .train(cell, run)
    case (.compare(let cell), .compare(let runs)): self = .compare(cell, runs)
    case (.grid(let cell), .grid(let grid, let runs)): self = .grid(cell, grid, runs)
    case (.search(let cell), .search(let result)): self = .search(cell, result)
    case (.final(let cell), .final(let final)):
      var search: SearchContents?
      if cell.source < earlier.count, case .search(let spec, let result)? = earlier[cell.source].contents {
        search = SearchContents(cell: earlier[cell.source].cell, spec: spec, result: result)
      }
      self = .final(cell, final, search: search)
    case (.data, _), (.train, _), (.compare, _), (.grid, _), (.search, _), (.final, _): return nil
    }
  }
}

/// A search cell as built, for the final cell that retrains its winner.
public struct SearchContents: Sendable {
  public let cell: Cell
  public let spec: SearchCell
  public let result: SearchResult
}

/// A cell and its result, as the build returns them.
public struct BuiltCell: Sendable {
  public let cell: Cell
  public let result: CellResult
  /// What its results show (`BuiltStudy.analyze`).
  public var facts: CellFacts? { result.findings }
  /// The outcome matched with the cell's kind; nil when the cell failed or was skipped.
  public let contents: CellContents?

  public init(cell: Cell, result: CellResult, earlier: [BuiltCell]) {
    self.cell = cell
    self.result = result
    contents = result.outcome.flatMap { CellContents(cell.body, $0, earlier: earlier) }
  }
}

/// A study as built: the study, its results, and each cell with its result.
public struct BuiltStudy: Sendable {
  public let study: Study
  public var results: StudyResults
  public var cells: [BuiltCell]

  public init(study: Study, results: StudyResults, cells: [BuiltCell]) {
    self.study = study
    self.results = results
    self.cells = cells
  }
}

extension CellResult {
  /// The result named as the study names its cell now (a title may change without changing
  /// what the cell computes): for a result read from the cache or an earlier build's results.
  mutating func name(as cell: Cell) {
    (id, title) = (cell.id, cell.title)
  }
}
