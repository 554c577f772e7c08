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
  /// Mean seconds one thread takes per unit of cost, measured from the cached runs' timings,
  /// or (when none are cached) from this machine's kept speed (`MachineSpeed`).
  public internal(set) var secondsPerCost: Double
  /// Whether `secondsPerCost` comes from this cache's runs.
  public let calibrated: Bool
  /// This machine's measured speed, when the estimate rests on it.
  public internal(set) var machineSpeed: MachineSpeed?
  /// What each comparing cell can find at the repeats it may reach.
  public internal(set) var power: [PlannedPower] = []
  /// What the build holds in memory while each training cell trains (`PlannedMemory`).
  public internal(set) var memory: [PlannedMemory] = []
  /// What the build writes to the cache and the output (`PlannedDisk`).
  public internal(set) var disk = PlannedDisk(cacheBytes: 0, outputBytes: 0)

  /// What the build holds when it trains nothing (`PlannedMemory.floor`).
  public internal(set) var memoryFloor = 0.0

  /// The build's peak memory, in bytes: that of its largest cell with runs to train, or
  /// the floor when there are none.
  public var peakMemory: Double { max(memoryFloor, trainingMemory.map(\.peakBytes).max() ?? 0) }

  /// The memory of the cells that have runs to train (known or not yet known).
  public var trainingMemory: [PlannedMemory] {
    let training = Set(stages.flatMap { $0.toTrain.map(\.cell) + ($0.estimate?.cells ?? []) })
    return memory.filter { training.contains($0.cell) }
  }

  /// Seconds a build on this machine with `threads` threads trains for: each stage's runs
  /// side by side, one thread each (a stage never shorter than its largest run), and each
  /// run's own start and evaluations (`perRunSeconds`) unless the speed comes from cached
  /// runs, whose timings hold them.
  public func trainingSeconds(threads: Int) -> Double {
    stages.filter { !$0.isFinished }.reduce(0) { total, stage in
      let known = stage.toTrain.reduce(0) { $0 + $1.cost }
      let largest = stage.toTrain.map(\.cost).max() ?? 0
      let unknown = stage.estimate?.expectedCost ?? 0
      let runs = Double(stage.toTrain.count) + (stage.estimate?.expectedRuns ?? 0)
      let work = (known + unknown) * secondsPerCost + (calibrated ? 0 : runs * Self.perRunSeconds)
      return total + max(work / Double(max(1, threads)), largest * secondsPerCost)
    }
  }

  /// What a run costs besides its training steps (its model and buffers made, its
  /// validation and training-sample evaluations, a repeat's own split): about 50 ms on the
  /// reference machine, measured as the quick profile's build time less its cost.
  static let perRunSeconds = 0.05

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

/// Seconds per unit of cost on one thread, measured on the machine this was developed on (AMD
/// EPYC Zen 4, AVX-512, two cores): the mean over the 181 runs the default study trained in
/// a full build from an empty cache (1,000 thread-seconds for 2.56e13 units, two runs side by
/// side, one thread each). Cells range from 2.9e-11 (the baseline) to 4.9e-11 (the tuned
/// 1024-512 network): a study of other networks may take a quarter more or less. A cache
/// with timed runs replaces it with its own figure, and `MachineSpeed` scales it to another
/// machine.
let defaultSecondsPerCost = 3.9e-11
