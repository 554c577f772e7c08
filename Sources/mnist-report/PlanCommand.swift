import ArgumentParser
import Foundation
import Study

struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "List the runs the study needs, in stages, and whether the cache holds each one; trains nothing.",
    discussion: """
      A stage holds the runs whose inputs are all known once the stages before it are done: a final cell's runs wait for its search's winner, each round of successive halving for the round before. Runs that will be read off the first epochs of a longer run are listed but not scheduled. With --tasks N, the pending runs of each stage are split over N tasks as `mnist-report work` splits them (longest first onto the least loaded task), with the estimated wall time of each stage. Costs are multiply-adds × images × epochs; seconds come from the timings of the runs in the cache, or from this project's reference machine when the cache has none.
      """)

  @OptionGroup var options: StudyOptions
  @Option(
    help: ArgumentHelp(
      "Threads of each task, for the estimates (default: SLURM_CPUS_PER_TASK when set, else this machine's cores).",
      valueName: "n"))
  var threads: Int?

  @Option(help: ArgumentHelp("Split each stage over this many tasks and estimate its wall time.", valueName: "n"))
  var tasks: Int?

  @Flag(help: "Print the plan as JSON (snake_case fields) instead of tables.")
  var json = false

  @Flag(help: "List every run, cached ones too (default: a stage's pending runs only).")
  var all = false

  func validate() throws {
    if let threads, !(1...4096).contains(threads) {
      throw ValidationError("--threads must be from 1 to 4096, got \(threads)")
    }
    if let tasks, !(1...10_000).contains(tasks) {
      throw ValidationError("--tasks must be from 1 to 10000, got \(tasks)")
    }
  }

  func run() throws {
    let study = try options.loadStudy()
    let perTask =
      threads ?? ProcessInfo.processInfo.environment["SLURM_CPUS_PER_TASK"].flatMap { Int($0) }
      ?? ProcessInfo.processInfo.activeProcessorCount
    let settings = options.buildOptions(threads: max(1, perTask))
    let build = StudyBuild(
      study: study, options: settings, observer: SilentObserver(), cancellation: Cancellation(),
      version: mnistReportVersion)
    let plan = try build.plan()
    let threads = settings.threads
    if json {
      let encoder = ResultsJSON.encoder(pretty: true)
      let document = PlanDocument(plan, study: study, profile: options.profile, tasks: tasks, threads: threads)
      print(String(decoding: try encoder.encode(document), as: UTF8.self))
      return
    }
    print(
      PlanText(
        plan: plan, tasks: tasks, threads: threads, all: all, cacheFolder: settings.cacheDirectory,
        outputFolder: settings.output
      )
      .render(study: study, profile: options.profile))
  }
}

/// How long a stage takes over `tasks` tasks of `threads` threads each: the slowest task's
/// share, never less than the stage's largest run.
struct StageEstimate {
  let loads: [Double]
  let seconds: Double

  init(_ plan: StudyPlan, stage: PlanStage, tasks: Int, threads: Int) {
    if let estimate = stage.estimate {
      // Unknown runs: as many mean runs as the busiest task gets when they are dealt out
      // (5 runs over 2 tasks: 3), beside an even share of the known ones.
      let known = stage.toTrain.reduce(0) { $0 + $1.cost }
      let total = known + estimate.expectedCost
      let meanRun = estimate.expectedRuns > 0 ? estimate.expectedCost / estimate.expectedRuns : 0
      let perTask = known / Double(tasks) + meanRun * (estimate.expectedRuns / Double(tasks)).rounded(.up)
      loads = [Double](repeating: total / Double(tasks), count: tasks)
      seconds = plan.seconds(cost: perTask, threads: threads)
    } else {
      let split = plan.split(stage: stage.number, tasks: tasks)
      loads = split.map { $0.filter { $0.state == .pending }.reduce(0) { $0 + $1.cost } }
      let largest = stage.toTrain.map(\.cost).max() ?? 0
      seconds = plan.seconds(cost: max(loads.max() ?? 0, largest), threads: threads)
    }
  }
}

/// The plan as tables.
private struct PlanText {
  let plan: StudyPlan
  let tasks: Int?
  let threads: Int
  let all: Bool
  let cacheFolder: String
  let outputFolder: String

  func render(study: Study, profile: String) -> String {
    var lines: [String] = []
    let runs = plan.stages.flatMap(\.runs)
    let scheduled = runs.filter(\.isScheduled)
    lines.append(
      "\(study.title) (\(study.file), profile \(profile)): \(plan.stages.count) stage\(plan.stages.count == 1 ? "" : "s"), \(scheduled.filter { $0.state == .pending }.count) runs to train, \(scheduled.filter { $0.state == .cached }.count) cached, \(runs.count - scheduled.count) read off longer runs"
    )
    if !plan.cachedCells.isEmpty {
      lines.append("Cells whose results are cached (nothing to train): \(plan.cachedCells.joined(separator: ", "))")
    }
    for stage in plan.stages {
      lines.append("")
      let pending = stage.runs.filter { $0.state == .pending }
      lines.append(
        "Stage \(stage.number): \(stage.runs.count) known runs (\(stage.toTrain.count) to train, \(stage.runs.filter { $0.state == .cached }.count) cached, \(stage.runs.filter { !$0.isScheduled }.count) read off), cost \(scientific(stage.toTrain.reduce(0) { $0 + $1.cost }))"
      )
      if let estimate = stage.estimate {
        lines.append(
          "  not known until the stages before are finished: about \(String(format: "%.1f", estimate.expectedRuns)) runs of \(estimate.cells.joined(separator: ", ")) (of \(estimate.possibleRuns) possible), cost ≈ \(scientific(estimate.expectedCost))"
        )
      }
      let listed = all ? stage.runs : pending
      if !listed.isEmpty {
        var table = TextTable(header: ["cell", "run", "epochs", "cost", "state", "key"], rightAligned: [2, 3])
        for run in listed {
          let state =
            run.state == .cached
            ? "cached" : run.readOff.map { "read off its \(epochs(ofKey: $0))-epoch run" } ?? "to train"
          table.rows.append([
            run.cell, run.name, String(run.epochs), scientific(run.cost), state, String(run.key.prefix(16)) + "…",
          ])
        }
        lines.append(table.render())
      }
    }
    lines += memoryLines()
    lines += powerLines()
    if let tasks { lines += taskLines(tasks) }
    return lines.joined(separator: "\n")
  }

  /// What the build holds in memory while each cell trains, beside what the machine has;
  /// what it writes; how long it trains.
  private func memoryLines() -> [String] {
    guard !plan.memory.isEmpty else { return [] }
    let limit = MemoryLimit.machine
    var lines = [
      "",
      "Memory with \(threads) run\(threads == 1 ? "" : "s") side by side: the process's peak while each cell trains (the loaded dataset, the study's split and the repeats' own splits held, the training samples, each thread's run), about \(sizeText(plan.peakMemory)) at most, of \(limit.source) \(sizeText(limit.bytes)) (build refuses a study past it):",
    ]
    var table = TextTable(
      header: ["cell", "largest network", "batch rows", "a run", "own splits held", "peak"], rightAligned: [2, 3, 4, 5])
    for cell in plan.memory {
      let network = cell.hidden.count > 8 ? "\(cell.hidden.count) layers" : "\(cell.hidden)"
      table.rows.append([
        cell.cell, network, String(cell.batchRows), sizeText(cell.runBytes), String(cell.splitsHeld),
        sizeText(cell.peakBytes),
      ])
    }
    lines.append(table.render())
    let disk = plan.disk
    lines.append(
      "Disk: the cache gains about \(sizeText(disk.cacheBytes)) (the records, timings and models of the runs to train, and the cells' results), the output takes about \(sizeText(disk.outputBytes)) (results, CSVs, figures, the report, exported models); \(freeText())."
    )
    lines.append(
      "Time: about \(duration(plan.trainingSeconds(threads: threads))) of training with \(threads) thread\(threads == 1 ? "" : "s") at \(speedText()), plus loading the data and writing the report."
    )
    return lines
  }

  private func freeText() -> String {
    let cache = PlannedDisk.freeBytes(at: cacheFolder)
    let output = PlannedDisk.freeBytes(at: outputFolder)
    return
      "free: \(cache.map(sizeText) ?? "unknown") where the cache goes, \(output.map(sizeText) ?? "unknown") where the output goes"
  }

  private func speedText() -> String {
    if plan.calibrated { return "the speed of the cached runs" }
    if let speed = plan.machineSpeed {
      return String(
        format: "this machine's measured speed (%.2f× the reference machine's; kept in the cache folder's %@)",
        speed.relativeSpeed, MachineSpeed.fileName)
    }
    return "the speed of the cached runs"
  }

  /// What each comparing cell can find: the smallest true difference found 80% of the time
  /// at each look's repeats, and the spread that rests on.
  private func powerLines() -> [String] {
    guard !plan.power.isEmpty else { return [] }
    let prior = String(format: "%.2f pt", PlannedPower.priorSD * 100)
    var lines = [
      "",
      "Power: the smallest true difference of best validation accuracy each cell's comparisons find 80% of the time, at each look's repeats and its share of 5% over the comparisons (Holm's strictest level); the spread measured on the cached runs, or a prior sd of \(prior) before any ran:",
    ]
    var table = TextTable(
      header: ["cell", "comparisons", "design", "repeats", "level", "detectable", "sd"], rightAligned: [1, 3, 4, 5, 6])
    for power in plan.power {
      let detectable = power.detectable.map { $0.map { String(format: "%.2f pt", $0 * 100) } ?? "–" }
      table.rows.append([
        power.cell, String(power.comparisons), power.design == .paired ? "paired" : "Welch",
        power.repeats.map(String.init).joined(separator: " → "),
        power.levels.map { String(format: "%.4f", $0) }.joined(separator: " → "),
        detectable.joined(separator: " → "),
        String(format: "%.2f pt", power.sd * 100) + (power.observed ? " (observed)" : " (prior)"),
      ])
    }
    lines.append(table.render())
    return lines
  }

  private func taskLines(_ tasks: Int) -> [String] {
    var lines = [
      "",
      "Over \(tasks) task\(tasks == 1 ? "" : "s") of \(threads) thread\(threads == 1 ? "" : "s") each (speed \(plan.calibrated ? "measured from the cached runs" : "of the reference machine: the cache holds no timed run")):",
    ]
    var table = TextTable(
      header: ["stage", "runs to train", "cost per task", "spread", "wall time"], rightAligned: [1, 3, 4])
    var total = 0.0
    for stage in plan.stages where !stage.isFinished {
      let estimate = StageEstimate(plan, stage: stage, tasks: tasks, threads: threads)
      total += estimate.seconds
      let count =
        stage.isKnown
        ? String(stage.toTrain.count)
        : "≈ \(String(format: "%.0f", Double(stage.toTrain.count) + stage.estimate!.expectedRuns))"
      let loads = estimate.loads
      let mean = loads.reduce(0, +) / Double(loads.count)
      let spread = mean > 0 ? String(format: "max %+.0f%%", ((loads.max() ?? 0) / mean - 1) * 100) : "–"
      table.rows.append([
        String(stage.number), count,
        stage.isKnown
          ? (loads.count == 1 ? scientific(loads[0]) : "\(scientific(loads.min()!)) – \(scientific(loads.max()!))")
          : "≈ " + scientific(mean),
        stage.isKnown ? spread : "estimate", duration(estimate.seconds),
      ])
    }
    lines.append(table.render())
    lines.append("Estimated wall time: \(duration(total)), plus each job's start (loading the data, about a second).")
    return lines
  }
}

/// The epochs a run key counts (`FAMILY-EPOCHS` or `FAMILY-EPOCHS-test`).
private func epochs(ofKey key: String) -> String {
  key.split(separator: "-").dropFirst().first.map(String.init) ?? "?"
}

/// A size as `--memory` takes it: a number and a unit (B, KB, MB, GB, TB, decimal; KiB,
/// MiB, GiB, TiB, binary), in bytes; nil when it is not one.
func parseSize(_ text: String) -> Double? {
  let units: [String: Double] = [
    "": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KIB": 1024, "MIB": 1_048_576,
    "GIB": 1_073_741_824, "TIB": 1_099_511_627_776,
  ]
  let trimmed = text.trimmingCharacters(in: .whitespaces)
  guard let split = trimmed.firstIndex(where: { !($0.isNumber || $0 == ".") }) ?? Optional(trimmed.endIndex),
    let number = Double(trimmed[..<split]), number > 0, number.isFinite,
    let unit = units[trimmed[split...].trimmingCharacters(in: .whitespaces).uppercased()]
  else { return nil }
  return number * unit
}

/// A cost as `1.23e12`.
func scientific(_ value: Double) -> String { value == 0 ? "0" : String(format: "%.2e", value) }

/// Seconds as `42 s`, `3 min 05 s` or `1 h 02 min`.
func duration(_ seconds: Double) -> String {
  let s = Int(seconds.rounded())
  if s < 60 { return String(format: "%.0f s", seconds) }
  if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
  return String(format: "%d h %02d min", s / 3600, (s % 3600) / 60)
}

/// The plan as `plan --json` writes it (snake_case names, by `ResultsJSON`'s key strategy).
private struct PlanDocument: Encodable {
  struct Run: Encodable {
    let key, cell, name, state: String
    let epochs: Int
    let cost: Double
    let readOff: String?
  }
  struct Unknown: Encodable {
    let cells: [String]
    let possibleRuns: Int
    let expectedRuns, expectedCost: Double
  }
  struct Task: Encodable {
    let task: Int
    let runs: [String]
    let cost: Double
  }
  struct Stage: Encodable {
    let stage: Int
    let known, finished: Bool
    let runs: [Run]
    let unknown: Unknown?
    let tasks: [Task]?
    let estimatedSeconds: Double?
  }

  let study: String
  let profile: String
  let complete: Bool
  let cachedCells: [String]
  let secondsPerCost: Double
  let calibrated: Bool
  let tasks: Int?
  let threadsPerTask: Int
  let stages: [Stage]
  /// What each comparing cell can find (`PlannedPower`).
  let power: [PlannedPower]
  /// What the build holds in memory while each training cell trains (`PlannedMemory`), its
  /// peak, and the memory the machine gives it, in bytes.
  let memory: [PlannedMemory]
  let peakMemory: Double
  let machineMemory: Double
  /// What the build writes (`PlannedDisk`), in bytes.
  let disk: PlannedDisk
  /// Expected seconds of training with `threadsPerTask` threads, and this machine's measured
  /// speed when the estimate rests on it.
  let trainingSeconds: Double
  let machineSpeed: MachineSpeed?

  init(_ plan: StudyPlan, study: Study, profile: String, tasks: Int?, threads: Int) {
    self.study = study.file
    self.profile = profile
    complete = plan.isComplete
    cachedCells = plan.cachedCells
    secondsPerCost = plan.secondsPerCost
    calibrated = plan.calibrated
    self.tasks = tasks
    threadsPerTask = threads
    power = plan.power
    memory = plan.memory
    peakMemory = plan.peakMemory
    machineMemory = MemoryLimit.machine.bytes
    disk = plan.disk
    trainingSeconds = plan.trainingSeconds(threads: threads)
    machineSpeed = plan.machineSpeed
    stages = plan.stages.map { stage in
      let split = tasks.flatMap { stage.isKnown ? plan.split(stage: stage.number, tasks: $0) : nil }
      return Stage(
        stage: stage.number, known: stage.isKnown, finished: stage.isFinished,
        runs: stage.runs.map {
          Run(
            key: $0.key, cell: $0.cell, name: $0.name, state: $0.state == .cached ? "cached" : "pending",
            epochs: $0.epochs, cost: $0.cost, readOff: $0.readOff)
        },
        unknown: stage.estimate.map {
          Unknown(
            cells: $0.cells, possibleRuns: $0.possibleRuns, expectedRuns: $0.expectedRuns,
            expectedCost: $0.expectedCost)
        },
        tasks: split?.enumerated().map { index, runs in
          Task(
            task: index, runs: runs.map(\.key), cost: runs.filter { $0.state == .pending }.reduce(0) { $0 + $1.cost })
        },
        estimatedSeconds: tasks.map {
          stage.isFinished ? 0 : StageEstimate(plan, stage: stage, tasks: $0, threads: threads).seconds
        })
    }
  }
}
