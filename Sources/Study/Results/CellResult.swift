import Foundation

/// How a cell ended in a build.
public enum CellStatus: String, Codable, Sendable {
  /// Computed in this build.
  case ran
  /// Read from the cache: nothing in its key changed.
  case cached
  /// It could not be computed; `error` says why.
  case failed
  /// A run's loss became NaN or infinite.
  case diverged
  /// Not part of this build (`--only` another cell) and not in the cache.
  case skipped
}

/// A cell as computed: its status, how long it took, and what its kind produced.
public struct CellResult: Sendable {
  public var id: String
  public var kind: CellKind
  public var title: String
  public var status: CellStatus
  /// Time to compute it (when cached: how long it took when it ran).
  public var seconds: Double
  public var key: String
  /// The settings of the cell's runs (the chosen candidate's for a final cell); nil for a
  /// cell that trains nothing.
  public var settings: RunSettings?
  /// What the cell produced; nil when it failed or was not built.
  public var outcome: CellOutcome?
  /// What its outcome shows, as the analysis found (`BuiltStudy.analyze`): in results.json,
  /// never in the cache (the facts of a cell may depend on others').
  public var findings: CellFacts?
  public var error: String?

  /// Epochs of every run the cell uses, however it got them (each fold's counted).
  public var epochsUsed: Int
  /// Its runs by where they come from: trained by this cell, by another, or read off a
  /// longer run.
  public var origins = RunOrigins()
  /// Runs read from the cache instead of trained.
  public var cachedRuns: Int
  /// Epochs trained in the build that computed the cell (its cached runs not counted).
  public var epochsTrainedNow = 0
  /// The hosts the cell's runs trained on, with how many runs each.
  public var hosts: [String: Int] = [:]

  public init(
    id: String, kind: CellKind, title: String, status: CellStatus, seconds: Double, key: String,
    settings: RunSettings? = nil, outcome: CellOutcome? = nil, error: String? = nil, epochsUsed: Int = 0,
    cachedRuns: Int = 0
  ) {
    self.id = id
    self.kind = kind
    self.title = title
    self.status = status
    self.seconds = seconds
    self.key = key
    self.settings = settings
    self.outcome = outcome
    self.error = error
    self.epochsUsed = epochsUsed
    self.cachedRuns = cachedRuns
  }

  /// Every training run of the cell, named (none for a data or search cell: a search's fold
  /// runs are summarized by its candidates).
  public var runs: [NamedRun] {
    switch outcome {
    case .train(let run)?: return [run]
    case .compare(let runs)?, .grid(_, let runs)?: return runs
    case .final(let final)?: return [final.run]
    case .data?, .search?, nil: return []
    }
  }
}

extension CellResult {
  /// Changes every named run of the cell (each with its repeats).
  mutating func updateNamedRuns(_ change: (inout NamedRun) -> Void) {
    switch outcome {
    case .train(var named)?:
      change(&named)
      outcome = .train(named)
    case .compare(var runs)?:
      for i in runs.indices { change(&runs[i]) }
      outcome = .compare(runs)
    case .grid(let grid, var runs)?:
      for i in runs.indices { change(&runs[i]) }
      outcome = .grid(grid, runs)
    case .final(var final)?:
      change(&final.run)
      outcome = .final(final)
    case .data?, .search?, nil: break
    }
  }

  /// Changes every training run of the cell (to leave something out of results.json, say).
  public mutating func updateRuns(_ change: (inout RunRecord) -> Void) {
    updateNamedRuns { $0.update(change) }
  }

}

/// results.json and the cache hold a cell's outcome as the fields of its kind beside the
/// common ones (`data`, `runs`, `grid`, `search`, `candidate_parameters`).
extension CellResult: Codable {
  enum CodingKeys: String, CodingKey {
    case id, kind, title, status, seconds, key, settings, data, runs, grid, search, error, hosts, findings
    case candidateParameters, rescored, epochsUsed, origins, cachedRuns, epochsTrainedNow
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id, forKey: .id)
    try c.encode(kind, forKey: .kind)
    try c.encode(title, forKey: .title)
    try c.encode(status, forKey: .status)
    try c.encode(seconds, forKey: .seconds)
    try c.encode(key, forKey: .key)
    try c.encodeIfPresent(settings, forKey: .settings)
    try c.encode(runs, forKey: .runs)
    switch outcome {
    case .data(let summary)?: try c.encode(summary, forKey: .data)
    case .grid(let grid, _)?: try c.encode(grid, forKey: .grid)
    case .search(let search)?: try c.encode(search, forKey: .search)
    case .final(let final)?:
      try c.encode(final.candidateParameters, forKey: .candidateParameters)
      if !final.rescored.isEmpty { try c.encode(final.rescored, forKey: .rescored) }
    case .train?, .compare?, nil: break
    }
    if let findings { try findings.encode(to: c.superEncoder(forKey: .findings)) }
    try c.encodeIfPresent(error, forKey: .error)
    try c.encode(epochsUsed, forKey: .epochsUsed)
    try c.encode(origins, forKey: .origins)
    try c.encode(cachedRuns, forKey: .cachedRuns)
    try c.encode(epochsTrainedNow, forKey: .epochsTrainedNow)
    if !hosts.isEmpty { try c.encode(hosts, forKey: .hosts) }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    kind = try c.decode(CellKind.self, forKey: .kind)
    title = try c.decode(String.self, forKey: .title)
    status = try c.decode(CellStatus.self, forKey: .status)
    seconds = try c.decode(Double.self, forKey: .seconds)
    key = try c.decode(String.self, forKey: .key)
    settings = try c.decodeIfPresent(RunSettings.self, forKey: .settings)
    error = try c.decodeIfPresent(String.self, forKey: .error)
    epochsUsed = try c.decode(Int.self, forKey: .epochsUsed)
    origins = try c.decode(RunOrigins.self, forKey: .origins)
    cachedRuns = try c.decode(Int.self, forKey: .cachedRuns)
    epochsTrainedNow = try c.decodeIfPresent(Int.self, forKey: .epochsTrainedNow) ?? 0
    hosts = try c.decodeIfPresent([String: Int].self, forKey: .hosts) ?? [:]
    let runs = try c.decodeIfPresent([NamedRun].self, forKey: .runs) ?? []
    // The facts are derived: the analysis computes them again from the runs (for `render`
    // too), so facts an older version wrote in another shape are dropped, not an error.
    if c.contains(.findings) { findings = try? CellFacts(from: c.superDecoder(forKey: .findings), kind: kind) }
    guard status != .failed && status != .skipped else { return }
    func first() throws -> NamedRun {
      guard let run = runs.first else {
        throw DecodingError.dataCorruptedError(forKey: .runs, in: c, debugDescription: "a \(kind) cell without its run")
      }
      return run
    }
    switch kind {
    case .data: outcome = .data(try c.decode(DataSummary.self, forKey: .data))
    case .train: outcome = .train(try first())
    case .compare: outcome = .compare(runs)
    case .grid: outcome = .grid(try c.decode(GridResult.self, forKey: .grid), runs)
    case .search: outcome = .search(try c.decode(SearchResult.self, forKey: .search))
    case .final:
      let run = try first()
      outcome = .final(
        FinalOutcome(
          candidateParameters: try c.decode([SettingKey: SettingValue].self, forKey: .candidateParameters),
          settings: settings ?? run.run.settings, run: run,
          rescored: try c.decodeIfPresent([RescoredCandidate].self, forKey: .rescored) ?? []))
    }
  }
}

/// Where a cell's runs come from: trained by the cell itself (its build measured their
/// time), by another cell of the study (the same settings), or read off the first epochs of
/// a longer run; and the epochs the cell trained itself.
public struct RunOrigins: Codable, Sendable, Equatable {
  public var trained = 0
  public var fromOtherCells = 0
  public var readOff = 0
  /// Epochs of the runs the cell trained itself: over a study's cells these add up to the
  /// epochs the study trained, each run once.
  public var epochsTrained = 0
  /// Epochs of the runs other cells trained, and of those read off longer runs (nil in
  /// results from before they were kept).
  public var epochsFromOtherCells: Int? = 0
  public var epochsReadOff: Int? = 0

  public init() {}

  enum CodingKeys: String, CodingKey {
    case trained, fromOtherCells, readOff, epochsTrained, epochsFromOtherCells, epochsReadOff
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    trained = try c.decode(Int.self, forKey: .trained)
    fromOtherCells = try c.decode(Int.self, forKey: .fromOtherCells)
    readOff = try c.decode(Int.self, forKey: .readOff)
    epochsTrained = try c.decode(Int.self, forKey: .epochsTrained)
    epochsFromOtherCells = try c.decodeIfPresent(Int.self, forKey: .epochsFromOtherCells)
    epochsReadOff = try c.decodeIfPresent(Int.self, forKey: .epochsReadOff)
  }

  /// Counts `record`, a run cell `cell` uses.
  mutating func count(_ record: RunRecord, in cell: String) {
    if record.readOff == true {
      readOff += 1
      epochsReadOff = (epochsReadOff ?? 0) + record.epochs
    } else if record.timedIn == nil || record.timedIn == cell {
      trained += 1
      epochsTrained += record.epochs
    } else {
      fromOtherCells += 1
      epochsFromOtherCells = (epochsFromOtherCells ?? 0) + record.epochs
    }
  }

  public var runs: Int { trained + fromOtherCells + readOff }

  /// Both cells' runs together (epochs of an origin unknown when either does not know them).
  public static func + (a: RunOrigins, b: RunOrigins) -> RunOrigins {
    var sum = RunOrigins()
    (sum.trained, sum.fromOtherCells, sum.readOff, sum.epochsTrained) = (
      a.trained + b.trained, a.fromOtherCells + b.fromOtherCells, a.readOff + b.readOff,
      a.epochsTrained + b.epochsTrained
    )
    sum.epochsFromOtherCells = a.epochsFromOtherCells.flatMap { x in b.epochsFromOtherCells.map { x + $0 } }
    sum.epochsReadOff = a.epochsReadOff.flatMap { x in b.epochsReadOff.map { x + $0 } }
    return sum
  }
}
