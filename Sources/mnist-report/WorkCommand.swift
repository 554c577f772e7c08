import ArgumentParser
import Foundation
import Study

struct WorkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "work",
    abstract: "Train one task's share of the study's pending runs into the cache, then exit (for a cluster).",
    discussion: """
      Every task computes the same plan from the shared cache folder and takes its own share of a stage's runs (split by estimated cost, longest first onto the least loaded task), so N tasks finish close together and need not talk to each other. The task is --task I --tasks N; or, under Slurm, SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT of a job array; or, in a Kubernetes Indexed Job, JOB_COMPLETION_INDEX with --tasks N. Without --stage, a task works on the earliest unfinished stage. A run another task already cached is read, not trained; a task killed midway loses only its unfinished runs. When every stage is done, `mnist-report build` renders the report from the cache.
      """)

  @OptionGroup var options: StudyOptions
  @OptionGroup var threads: ThreadOptions

  @Option(help: ArgumentHelp("This task's index, from 0 (default: from Slurm or Kubernetes, else 0).", valueName: "i"))
  var task: Int?

  @Option(help: ArgumentHelp("How many tasks share the work (default: from Slurm, else 1).", valueName: "n"))
  var tasks: Int?

  @Option(
    help: ArgumentHelp(
      "Work on this stage (1, 2, …; see mnist-report plan); it fails when an earlier stage is unfinished.",
      valueName: "k"))
  var stage: Int?

  @Option(
    help: ArgumentHelp(
      "With --stage: when an earlier stage is not finished yet, look again for up to this many seconds before failing (a shared filesystem may show other hosts' files late).",
      valueName: "seconds"))
  var waitForStage: Double = 0

  @Flag(help: "Print this task's share of the stage without training it.")
  var dryRun = false

  @Flag(help: "Show only problems and the final summary.")
  var quiet = false

  func validate() throws {
    _ = try resolvedTask(ProcessInfo.processInfo.environment)
    if let stage, stage < 1 { throw ValidationError("--stage must be at least 1, got \(stage)") }
    guard waitForStage >= 0 && waitForStage <= 86_400 else {
      throw ValidationError("--wait-for-stage must be from 0 to 86400 seconds, got \(waitForStage)")
    }
  }

  /// The task from the flags, else Slurm's array variables, else Kubernetes' completion index.
  func resolvedTask(_ environment: [String: String]) throws -> WorkTask {
    func number(_ name: String) throws -> Int? {
      guard let text = environment[name] else { return nil }
      guard let value = Int(text), value >= 0 else {
        throw ValidationError("\(name) must be a whole number of at least 0, found '\(text)'")
      }
      return value
    }
    var index = task
    var count = tasks
    if index == nil, let id = try number("SLURM_ARRAY_TASK_ID") {
      // The array's ids are the task indices (slurm submit writes --array=0-(N-1)), so that a
      // task run again on its own (sbatch --array=3) is still task 3.
      index = id
      if count == nil { count = try number("SLURM_ARRAY_TASK_COUNT") }
    } else if index == nil, let completion = try number("JOB_COMPLETION_INDEX") {
      guard count != nil else {
        throw ValidationError(
          "JOB_COMPLETION_INDEX is set: give the number of tasks with --tasks (the Job's completions)")
      }
      index = completion
    }
    if index != nil && count == nil {
      throw ValidationError("--task needs --tasks: how many tasks share the work")
    }
    if index == nil && (count ?? 1) > 1 {
      throw ValidationError(
        "--tasks \(count!) needs --task (or SLURM_ARRAY_TASK_ID, or JOB_COMPLETION_INDEX): which task this is")
    }
    let (i, n) = (index ?? 0, count ?? 1)
    guard (1...10_000).contains(n) else { throw ValidationError("--tasks must be from 1 to 10000, got \(n)") }
    guard (0..<n).contains(i) else {
      throw ValidationError("--task must be from 0 to \(n - 1) for \(n) tasks, got \(i)")
    }
    return WorkTask(index: i, count: n)
  }

  func run() throws {
    let task = try resolvedTask(ProcessInfo.processInfo.environment)
    let study = try options.loadStudy()
    let (threadCount, threadNote) = try threads.count()
    if let threadNote, !quiet { FileHandle.standardError.write(Data((threadNote + "\n").utf8)) }
    let settings = options.buildOptions(threads: threadCount)
    let display = ProgressDisplay(level: quiet ? .quiet : .normal)
    let cancellation = Cancellation()
    let interrupt = installInterruptHandler(cancellation)
    defer { interrupt.cancel() }
    let build = StudyBuild(
      study: study, options: settings, observer: display, cancellation: cancellation, version: mnistReportVersion)
    let started = Date()
    let summary: WorkSummary
    do {
      summary = try build.work(task, stage: stage, wait: waitForStage, dryRun: dryRun)
    } catch BuildError.interrupted {
      FileHandle.standardError.write(Data("\n\(BuildError.interrupted)\n".utf8))
      throw ExitCode(130)
    } catch let error as WorkError {
      throw ValidationError(error.description)
    }
    let who =
      "task \(task.index) of \(task.count) on \(ProcessInfo.processInfo.hostName), \(settings.threads) thread\(settings.threads == 1 ? "" : "s")"
    guard let number = summary.stage else {
      print("\(who): every stage is finished; nothing to train (mnist-report build renders the report)")
      return
    }
    if dryRun {
      print("\(who): stage \(number) of \(summary.stageCount), \(summary.share.count) runs in this task's share")
      for run in summary.share {
        print("  \(run.state == .cached ? "cached  " : "to train") \(run.cell) / \(run.name) (\(run.key.prefix(16))…)")
      }
      return
    }
    print(
      String(
        format: "%@: stage %d of %d, %d runs in this task's share, %d to train (%d were cached), %.1f s", who, number,
        summary.stageCount, summary.share.count, summary.trained.count, summary.share.count - summary.trained.count,
        Date().timeIntervalSince(started)))
  }
}
