/// Where the runs a cell asks for come from: a build's `Executor` reads them from the cache
/// or trains them; a plan's `PlanRecorder` reads what the cache holds and records the rest.
/// A cell's computation is the same whichever provides its runs.
protocol RunProvider: AnyObject, Sendable {
  /// The runs of `requests`, in order, each with whether the cache held it: the runs `cell`
  /// asks for in `stage`. With `sequential`, runs that train go one after another on every
  /// thread, so that their times compare.
  func runs(_ requests: [RunRequest], cell: String, stage: Int, sequential: Bool) throws(CellStop) -> [ProvidedRun]
}

/// A run as a provider gives it.
struct ProvidedRun: Sendable {
  let record: RunRecord
  /// Whether the cache held it (trained by an earlier build, or read off a longer cached run).
  let cached: Bool
}

/// Why a cell's computation ended without an outcome.
enum CellStop: Error {
  /// The cell cannot be computed (its search has no results, say): the message says why.
  case failed(String)
  /// The build was cancelled (Ctrl-C) while its runs trained.
  case cancelled
  /// In a plan: runs the cell needs are not in the cache, so what follows from them (the
  /// cell's later stages, its outcome) is not known yet.
  case runsNotCached
}
