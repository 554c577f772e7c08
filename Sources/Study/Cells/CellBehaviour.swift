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
}

extension CellBehaviour {
  var isTested: Bool { false }
  var dependencies: [Int] { [] }
  var otherSettings: [RunSettings] { [] }
  func stageCount(profile: Profile, settings: RunSettings) -> Int { 1 }
  func possibleRuns(_ context: CellContext, from stage: Int) -> [PossibleRuns] { [] }
}

/// Runs a later stage of a cell may ask for, before the results that choose them are known:
/// every possibility, and the expected share of them that will be asked for.
struct PossibleRuns {
  let stage: Int
  let requests: [RunRequest]
  let share: Double
}
