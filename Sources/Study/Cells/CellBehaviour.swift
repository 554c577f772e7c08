/// What every kind of cell does in a build.
protocol CellBehaviour: Sendable {
  /// The keys of the study file a cell of this kind may hold besides the common ones.
  static var keys: [String] { get }
  /// How many training runs the cell asks for in a full build.
  func runCount(settings: RunSettings) -> Int
  /// Whether the cell's model is evaluated on the test set.
  var isTested: Bool { get }
  /// What the cell's cache key holds besides its settings and the data.
  func keyParts(earlier: [String]) -> CellKeyParts
  /// Computes the cell from the runs its context provides.
  func run(_ context: CellContext) throws(CellStop) -> CellOutcome
  /// The positions of the earlier cells whose results this one's runs depend on.
  var dependencies: [Int] { get }
  /// The settings of the cell's runs besides the cell's own (variants, grid points,
  /// candidates), for checks made once the data is known.
  var otherSettings: [RunSettings] { get }
  /// How many stages the cell's runs take: each stage's runs are chosen from the results of
  /// the stage before.
  func stageCount(profile: Profile, settings: RunSettings) -> Int
  /// For a plan: the runs the cell may ask for from `stage` on, when the results that choose
  /// them are not known yet.
  func possibleRuns(_ context: CellContext, from stage: Int) -> [PossibleRuns]
  /// What the cell's runs draw from the data beyond the study's split, for its memory.
  var dataUse: DataUse { get }
}

/// What a cell's runs draw from the data beyond the study's split: the repeats' own splits
/// (`resample`), each as large as the study's, and the folds its training part is cut in
/// (each fold run copies its validation fold).
struct DataUse {
  var ownSplits = 0
  var folds = 1

  init(ownSplits: Int = 0, folds: Int = 1) {
    self.ownSplits = ownSplits
    self.folds = folds
  }

  init(_ replication: Replication) {
    self.init(ownSplits: replication.resample ? replication.count - 1 : 0)
  }
}

extension CellBehaviour {
  var isTested: Bool { false }
  var dependencies: [Int] { [] }
  var otherSettings: [RunSettings] { [] }
  func stageCount(profile: Profile, settings: RunSettings) -> Int { 1 }
  func possibleRuns(_ context: CellContext, from stage: Int) -> [PossibleRuns] { [] }
  var dataUse: DataUse { DataUse() }
}

/// Runs a later stage of a cell may ask for, before the results that choose them are known:
/// every possibility, and the expected share of them that will be asked for.
struct PossibleRuns {
  let stage: Int
  let requests: [RunRequest]
  let share: Double
}
