import Foundation

/// A run a study needs, as a plan lists it: where it belongs (cell, stage), what it costs,
/// and whether it is done.
public struct PlannedRun: Sendable {
  public enum State: Sendable, Equatable {
    /// The cache holds it (trained, or read off a longer run that is cached).
    case cached
    /// To train, or to read off its longer run once that one is cached.
    case pending
  }

  let request: RunRequest
  public let cell: String
  public let stage: Int
  /// Whether its cell trains its runs one after another on every thread.
  public let sequential: Bool
  /// Multiply-adds × examples × epochs: what split tasks balance.
  public let cost: Double
  public internal(set) var state: State
  /// The key of a longer run of the same or an earlier stage that holds this one in its first
  /// epochs: this run is read off it rather than scheduled on its own.
  public internal(set) var readOff: String?

  public var key: String { request.key }
  /// The run's name in its cell, with its repeat when the setting has several.
  public var name: String {
    request.repeatCount > 1 ? "\(request.name), repeat \(request.repeatIndex + 1)/\(request.repeatCount)" : request.name
  }
  public var epochs: Int { request.epochs }

  init(request: RunRequest, cell: String, stage: Int, sequential: Bool, cost: Double, cached: Bool) {
    self.request = request
    self.cell = cell
    self.stage = stage
    self.sequential = sequential
    self.cost = cost
    state = cached ? .cached : .pending
  }

  /// Whether a task trains it, rather than reading it off another run.
  public var isScheduled: Bool { readOff == nil }
}

/// A stage of a plan: runs whose inputs are all known once the stages before it are done.
public struct PlanStage: Sendable {
  public let number: Int
  /// The runs known so far.
  public internal(set) var runs: [PlannedRun] = []
  /// The runs not known yet (they depend on results of an earlier stage), estimated.
  public internal(set) var estimate: Estimate?

  /// Runs a stage will hold once the results that choose them are known: the cells they
  /// belong to, their expected number and cost (the possible runs' mean, weighted by the
  /// share of them that will be asked for).
  public struct Estimate: Sendable {
    public var cells: [String]
    public var possibleRuns: Int
    public var expectedRuns: Double
    public var expectedCost: Double
  }

  /// Runs a task trains (cached or not): the ones split over the tasks. The others are read
  /// off them.
  public var scheduled: [PlannedRun] { runs.filter(\.isScheduled) }
  /// The scheduled runs still to train.
  public var toTrain: [PlannedRun] { runs.filter { $0.isScheduled && $0.state == .pending } }
  public var pending: [PlannedRun] { runs.filter { $0.state == .pending } }
  /// Whether every run of the stage is known.
  public var isKnown: Bool { estimate == nil }
  /// Known, and nothing left to train.
  public var isFinished: Bool { isKnown && pending.isEmpty }
}

/// The runs a study needs, grouped in stages, as the cache stands: what `plan` prints, what
/// `work` tasks split, what a distributed build checks before rendering.
public struct StudyPlan: Sendable {
  public let stages: [PlanStage]
  /// Cells whose results the cache holds: their runs need nothing.
  public let cachedCells: [String]
  /// Mean seconds one thread takes per unit of cost, measured from the cached runs' timings
  /// (or a figure measured on the machine this was developed on, when none are cached).
  public let secondsPerCost: Double
  /// Whether `secondsPerCost` comes from this cache's runs.
  public let calibrated: Bool

  /// Everything done: a build trains nothing.
  public var isComplete: Bool { stages.allSatisfy(\.isFinished) }

  /// The first stage with runs to train (every stage before it is finished, so it is known).
  public var earliestUnfinished: PlanStage? { stages.first { !$0.isFinished } }

  /// The scheduled runs of stage `number` split over `tasks` tasks (see `balance`). Which runs
  /// a stage schedules depends on the study and the results of the stages before it, never on
  /// which of its own runs are cached: tasks that start at different times agree on it.
  public func split(stage number: Int, tasks: Int) -> [[PlannedRun]] {
    let runs = stages[number - 1].scheduled.sorted { $0.key < $1.key }
    return Self.balance(runs.map(\.cost), tasks: tasks).map { $0.map { runs[$0] } }
  }

  /// Greedy longest-processing-time scheduling: the items by decreasing cost (ties in their
  /// order), each onto the task with the least cost so far (ties to the lower task). Each
  /// task's indices, in the order assigned.
  static func balance(_ costs: [Double], tasks: Int) -> [[Int]] {
    var parts = [[Int]](repeating: [], count: max(1, tasks))
    var loads = [Double](repeating: 0, count: parts.count)
    let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
    for item in order {
      let task = loads.indices.min { loads[$0] != loads[$1] ? loads[$0] < loads[$1] : $0 < $1 }!
      parts[task].append(item)
      loads[task] += costs[item]
    }
    return parts
  }

  /// Estimated seconds a task with `threads` threads takes for `cost`: its runs go side by
  /// side, one thread each.
  public func seconds(cost: Double, threads: Int) -> Double { cost * secondsPerCost / Double(max(1, threads)) }

  /// The runs still missing, one per line, for an error message.
  public var missingDescription: String {
    var lines: [String] = []
    for stage in stages {
      for run in stage.pending {
        lines.append("  stage \(stage.number): \(run.cell) / \(run.name) (run \(run.key.prefix(16))…)")
      }
      if let estimate = stage.estimate {
        lines.append(
          "  stage \(stage.number): about \(Int(estimate.expectedRuns.rounded(.up))) run(s) of \(estimate.cells.joined(separator: ", ")), known once the stages before are done"
        )
      }
    }
    return lines.joined(separator: "\n")
  }
}

/// Collects what a planning pass over the study sees: the runs each cell asks for, and the
/// possible runs of the stages it cannot see yet.
final class PlanRecorder: @unchecked Sendable {
  /// Whether the plan computes cached cells too, to list every run they use (for pruning
  /// the cache), rather than taking their results as they are.
  let throughCachedCells: Bool
  private let lock = NSLock()

  init(throughCachedCells: Bool = false) { self.throughCachedCells = throughCachedCells }

  private var runs: [PlannedRun] = []
  private var possible: [(runs: PossibleRuns, cell: String, costs: [Double])] = []
  private(set) var cachedCells: [String] = []
  /// Cost and thread-seconds of the cached runs that were timed, to calibrate estimates.
  private var timedCost = 0.0
  private var timedThreadSeconds = 0.0

  func record(_ planned: [PlannedRun], records: [RunRecord?]) {
    lock.withLock {
      runs += planned
      for (run, record) in zip(planned, records) {
        guard let record, record.readOff != true, let machine = record.trainedOn, record.seconds > 0 else { continue }
        timedCost += run.cost
        timedThreadSeconds += record.seconds * Double(machine.threads)
      }
    }
  }

  func possible(_ stages: [PossibleRuns], cell: String, executor: Executor) {
    let costed = stages.map { (runs: $0, cell: cell, costs: $0.requests.map(executor.cost)) }
    lock.withLock { possible += costed }
  }

  func cellCached(_ id: String) { lock.withLock { cachedCells.append(id) } }

  /// The plan: runs deduplicated by key (a run asked for in several stages belongs to the
  /// earliest), runs that a longer run of an earlier or the same stage holds marked as read
  /// off, possible runs estimated.
  func plan(stageCount: Int, cache: ResultCache) -> StudyPlan {
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

/// Seconds per unit of cost on one thread, measured on the machine this was developed on (AMD
/// EPYC Zen 4, AVX-512, two cores): stage 1 of the default study, 1.44e13 units, took 170 s
/// as two Slurm tasks of one thread each. Sparse activations and large batches make real
/// runs cheaper than their multiply-adds say; the mean over a study is what an estimate
/// needs. A cache with timed runs replaces it with its own figure.
let defaultSecondsPerCost = 170.0 * 2 / 1.44e13

extension Study {
  /// The first stage of each cell's runs: 1, or the stage after the last one of the cells it
  /// builds on.
  func firstStages(profile: Profile) -> [Int] {
    var first: [Int] = []
    for cell in cells {
      let after = cell.body.behaviour.dependencies.map { first[$0] + stageCount(cells[$0], profile) - 1 }.max()
      first.append((after ?? 0) + 1)
    }
    return first
  }

  /// How many stages the study's runs take in a build of `profile`.
  func stageCount(profile: Profile) -> Int {
    zip(cells, firstStages(profile: profile)).map { $1 + stageCount($0, profile) - 1 }.max() ?? 1
  }

  private func stageCount(_ cell: Cell, _ profile: Profile) -> Int {
    cell.body.behaviour.stageCount(profile: profile, settings: cell.settings)
  }
}

extension StudyBuild {
  /// The study's runs as the cache stands, in stages; trains and writes nothing.
  public func plan() throws -> StudyPlan { try plan(setUp()) }

  func plan(_ setup: Setup, throughCachedCells: Bool = false) throws -> StudyPlan {
    let recorder = PlanRecorder(throughCachedCells: throughCachedCells)
    let executor = Executor(
      data: setup.data, cache: setup.cache, observer: SilentObserver(), cancellation: Cancellation(), threads: 1,
      force: false, mode: .plan(recorder))
    _ = try buildCells(setup, executor: executor, recorder: recorder)
    return recorder.plan(stageCount: study.stageCount(profile: options.profile), cache: setup.cache)
  }
}
