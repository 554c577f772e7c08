/// A train cell: one run of the cell's settings, with its curves; `test: true` also
/// evaluates it on the test set (to compare it with a tuned model: nothing is chosen by it),
/// and `save: true` exports its trained model (see ``ModelExport``).
public struct TrainCell: CellBehaviour {
  /// Whether the run is also evaluated on the test set.
  public let evaluatesTest: Bool
  /// Whether the trained model is written to `models/CELL.safetensors`.
  public let savesModel: Bool
  public let replication: Replication
  var dataUse: DataUse { DataUse(replication) }

  static let keys = ["settings", "test", "save", "repeats", "resample"]

  init(_ input: CellInput) throws(StudyError) {
    evaluatesTest = try input.fields["test"]?.bool() ?? false
    savesModel = try input.fields["save"]?.bool() ?? false
    if savesModel && !evaluatesTest, let save = input.fields["save"] {
      // The exported model's card gives its test metrics, and the model of a run is kept
      // with its test evaluation.
      throw save.error("save: true needs test: true (a saved model is evaluated on the test set first)")
    }
    replication = try input.cellReplication()
  }

  func runCount(settings: RunSettings) -> Int { replication.count }

  var isTested: Bool { evaluatesTest }

  func keyParts(earlier: [String]) -> CellKeyParts {
    CellKeyParts(test: evaluatesTest, replication: replication)
  }

  func run(_ context: CellContext) throws(CellStop) -> CellOutcome {
    let cell = context.cell
    let runs = context.repeated(cell.id, cell.settings, replication, test: evaluatesTest)
    return .train(try context.namedRuns([runs])[0])
  }
}
