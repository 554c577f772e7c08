/// A train cell: one run of the cell's settings, with its curves; `test: true` also
/// evaluates it on the test set (to compare it with a tuned model: nothing is chosen by it).
public struct TrainCell: CellBehaviour {
  /// Whether the run is also evaluated on the test set.
  public let evaluatesTest: Bool
  public let replication: Replication

  static let keys = ["settings", "test", "repeats", "resample"]

  init(_ input: CellInput) throws(StudyError) {
    evaluatesTest = try input.fields["test"]?.bool() ?? false
    replication = try input.cellReplication()
  }

  func runCount(settings: RunSettings) -> Int { replication.count }

  var isTested: Bool { evaluatesTest }

  func keyParts(earlier: [String]) -> CellKeyParts {
    CellKeyParts(test: evaluatesTest, replication: replication)
  }

  func run(_ context: CellContext) -> CellOutcome? {
    let cell = context.cell
    let runs = context.repeated(cell.id, cell.settings, replication, test: evaluatesTest)
    return context.namedRuns([runs]).map { .train($0[0]) }
  }
}
