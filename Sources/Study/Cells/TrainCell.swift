/// A train cell: one run of the cell's settings, with its curves; `test: true` also
/// evaluates it on the test set (to compare it with a tuned model: nothing is chosen by it).
public struct TrainCell: CellBehaviour {
  /// Whether the run is also evaluated on the test set.
  public let evaluatesTest: Bool

  static let keys = ["settings", "test"]

  init(_ input: CellInput) throws(StudyError) {
    evaluatesTest = try input.fields["test"]?.bool() ?? false
  }

  func runCount(settings: RunSettings) -> Int { 1 }

  var isTested: Bool { evaluatesTest }

  func keyParts(earlier: [String]) -> CellKeyParts {
    CellKeyParts(test: evaluatesTest)
  }

  func run(_ context: CellContext) -> CellOutcome? {
    let cell = context.cell
    return context.namedRuns([context.request(cell.id, cell.settings, test: evaluatesTest)]).map { .train($0[0]) }
  }
}
