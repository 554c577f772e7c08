@testable import Study

/// The body of each kind, for tests that know which kind a cell is.
extension Cell {
  var compare: CompareCell? { if case .compare(let body) = body { return body } else { return nil } }
  var search: SearchCell? { if case .search(let body) = body { return body } else { return nil } }
  var final: FinalCell? { if case .final(let body) = body { return body } else { return nil } }
}

/// The outcome of each kind, for tests that know which kind a result is.
extension CellResult {
  var search: SearchResult? { if case .search(let search)? = outcome { return search } else { return nil } }
}
