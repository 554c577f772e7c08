import Foundation

/// A planning pass over the study: it provides the cells with the runs the cache holds and
/// records every run they ask for, cached or not; a cell that asks for runs the cache lacks
/// stops there, and the runs its later stages may ask for are recorded as possibilities.
/// Nothing trains, and nothing is written.
final class PlanRecorder: RunProvider, CellPass, @unchecked Sendable {
  let data: StudyData
  let cache: ResultCache
  /// Whether the plan computes cached cells too, to list every run they use (for pruning
  /// the cache), rather than taking their results as they are.
  let throughCachedCells: Bool
  private let lock = NSLock()

  init(data: StudyData, cache: ResultCache, throughCachedCells: Bool = false) {
    self.data = data
    self.cache = cache
    self.throughCachedCells = throughCachedCells
  }

  var provider: any RunProvider { self }

  private var runs: [PlannedRun] = []
  private var possible: [(runs: PossibleRuns, cell: String, costs: [Double])] = []
  private(set) var cachedCells: [String] = []
  /// Cost and thread-seconds of the cached runs that were timed, to calibrate estimates.
  private var timedCost = 0.0
  private var timedThreadSeconds = 0.0

  /// Records `requests` in `stage`; throws `runsNotCached` unless the cache holds them all.
  func runs(_ requests: [RunRequest], cell: String, stage: Int, sequential: Bool) throws(CellStop) -> [ProvidedRun] {
    let records = requests.map { cache.cachedRun($0)?.record }
    record(
      requests.indices.map { i in
        PlannedRun(
          request: requests[i], cell: cell, stage: stage, sequential: sequential, cost: requests[i].cost(data),
          cached: records[i] != nil)
      }, records: records)
    let found = records.compactMap { $0 }
    guard found.count == records.count else { throw .runsNotCached }
    return found.map { ProvidedRun(record: $0, cached: true) }
  }

  func readsCachedResult(of cell: Cell) -> Bool { !throughCachedCells }

  func skips(_ cell: Cell) -> String? { nil }

  func cached(_ cell: Cell) { lock.withLock { cachedCells.append(cell.id) } }

  func started(_ cell: Cell) {}

  /// A cell that stopped (its runs, or the results they depend on, are not cached yet) may
  /// still ask for runs in its later stages: recorded as possibilities.
  func stopped(_ cell: Cell, _ stop: CellStop, context: CellContext, result: inout CellResult) {
    result.status = .skipped
    let stages = cell.body.behaviour.possibleRuns(context, from: context.stage)
    let costed = stages.map { (runs: $0, cell: cell.id, costs: $0.requests.map { $0.cost(data) }) }
    lock.withLock { possible += costed }
  }

  func finished(_ result: CellResult) -> CellResult { result }

  func ended(_ result: CellResult) {}

  private func record(_ planned: [PlannedRun], records: [RunRecord?]) {
    lock.withLock {
      runs += planned
      for (run, record) in zip(planned, records) {
        guard let record, record.readOff != true, let machine = record.trainedOn, record.seconds > 0 else { continue }
        timedCost += run.cost
        timedThreadSeconds += record.seconds * Double(machine.threads)
      }
    }
  }

  /// The plan: runs deduplicated by key (a run asked for in several stages belongs to the
  /// earliest), runs that a longer run of an earlier or the same stage holds marked as read
  /// off, possible runs estimated.
  func plan(stageCount: Int) -> StudyPlan {
    var seen: Set<String> = []
    let unique = runs.enumerated().sorted { ($0.element.stage, $0.offset) < ($1.element.stage, $1.offset) }
      .map(\.element).filter { seen.insert($0.key).inserted }
    // The longest known run of each family, by stage: what shorter runs are read off.
    var stages = (1...max(1, stageCount)).map { PlanStage(number: $0) }
    for var run in unique {
      run.readOff = longer(than: run, among: unique)
      stages[run.stage - 1].runs.append(run)
    }
    for entry in possible {
      var count = 0
      var cost = 0.0
      for (request, requestCost) in zip(entry.runs.requests, entry.costs)
      where !seen.contains(request.key) && !cache.contains(kind: "runs", key: request.key) {
        count += 1
        cost += requestCost
      }
      var estimate =
        stages[entry.runs.stage - 1].estimate
        ?? PlanStage.Estimate(cells: [], possibleRuns: 0, expectedRuns: 0, expectedCost: 0)
      if !estimate.cells.contains(entry.cell) { estimate.cells.append(entry.cell) }
      estimate.possibleRuns += count
      estimate.expectedRuns += Double(count) * entry.runs.share
      estimate.expectedCost += cost * entry.runs.share
      stages[entry.runs.stage - 1].estimate = estimate
    }
    let calibrated = timedCost > 0
    return StudyPlan(
      stages: stages, cachedCells: cachedCells,
      secondsPerCost: calibrated ? timedThreadSeconds / timedCost : defaultSecondsPerCost, calibrated: calibrated)
  }

  /// The key of the shortest run of the same family with more epochs (or as many and a test
  /// evaluation) in the same or an earlier stage: a run it can be read off.
  private func longer(than run: PlannedRun, among runs: [PlannedRun]) -> String? {
    guard let family = run.request.readableFamily else { return nil }
    return
      runs.filter {
        $0.key != run.key && $0.request.family == family && $0.stage <= run.stage
          && ($0.epochs > run.epochs || ($0.epochs == run.epochs && $0.request.evaluatesTest))
      }
      .min { $0.epochs < $1.epochs }?.key
  }
}

extension StudyBuild {
  /// The study's runs as the cache stands, in stages; trains and writes nothing.
  public func plan() throws -> StudyPlan { try plan(setUp()) }

  /// After `work` tasks trained this study's runs (a distributed build), names each run
  /// they left missing, unless the options say to train them here (`trainMissing`): a
  /// build that follows tasks trains nothing unless asked to.
  public func checkDistributedRuns() throws {
    guard !options.trainMissing else { return }
    let setup = try setUp()
    guard setup.cache.wasDistributed(setup.studyKey) else { return }
    let plan = try plan(setup)
    if !plan.isComplete { throw BuildError.missingRuns(plan.missingDescription) }
  }

  func plan(_ setup: Setup, throughCachedCells: Bool = false) throws -> StudyPlan {
    let recorder = PlanRecorder(data: setup.data, cache: setup.cache, throughCachedCells: throughCachedCells)
    let built = try computeCells(setup, recorder)
    var plan = recorder.plan(stageCount: study.stageCount(profile: options.profile))
    plan.power = PlannedPower.plan(study, built: built)
    plan.memory = PlannedMemory.plan(
      study, dataset: setup.data.dataset, prepared: setup.data.prepared, threads: options.threads)
    plan.memoryFloor = PlannedMemory.floor(dataset: setup.data.dataset, prepared: setup.data.prepared)
    plan.disk = PlannedDisk.plan(plan, study: study, data: setup.data)
    if !plan.calibrated && !plan.isComplete {
      // No cached run to time: this machine's speed, measured once and kept where a cache
      // folder already is.
      let speed = MachineSpeed.of(setup.cache, keep: FileManager.default.fileExists(atPath: setup.cache.directory))
      plan.machineSpeed = speed
      plan.secondsPerCost = speed.secondsPerCost
    }
    return plan
  }
}
