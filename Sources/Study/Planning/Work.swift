import Foundation
import NN

/// Which of a distributed build's tasks this process is: `index` of `count`, from 0.
public struct WorkTask: Sendable, Equatable {
  public let index: Int
  public let count: Int

  public init(index: Int, count: Int) {
    self.index = index
    self.count = count
  }
}

/// What a `work` task did.
public struct WorkSummary: Sendable {
  /// The stage it worked on; nil when every stage was finished.
  public let stage: Int?
  /// The stage's scheduled runs that fell to this task.
  public let share: [PlannedRun]
  /// Of those, the ones it trained (the others were cached already).
  public let trained: [PlannedRun]
  public let stageCount: Int
}

/// Why a task cannot work.
public enum WorkError: Error, CustomStringConvertible {
  /// `--stage` names a stage the study does not have.
  case noSuchStage(Int, count: Int)
  /// `--stage` names a stage whose runs are not known yet: an earlier one is unfinished.
  case earlierStageUnfinished(Int, StudyPlan)
  /// The cache could not store what the task trained (a full or read-only folder, say).
  case cacheNotWritten([String])

  public var description: String {
    switch self {
    case .noSuchStage(let stage, let count):
      return "--stage \(stage): the study's runs take \(count) stage\(count == 1 ? "" : "s") (1–\(count))"
    case .earlierStageUnfinished(let stage, let plan):
      let earliest = plan.earliestUnfinished?.number ?? 0
      return """
        --stage \(stage): its runs are not known until stage \(earliest) is finished, and these runs are missing \
        (did a task of stage \(earliest) fail?):
        \(plan.missingDescription)
        """
    case .cacheNotWritten(let problems):
      return "the task's runs could not all be stored in the cache:\n"
        + problems.map { "  " + $0 }.joined(separator: "\n")
    }
  }
}

extension StudyBuild {
  /// Trains this task's share of a stage into the cache: of `stage`, or of the earliest
  /// unfinished one. Every task of a stage computes the same split (see `StudyPlan.split`),
  /// so tasks need not talk to each other; a run already cached (trained by another task,
  /// or before) is read, not trained.
  ///
  /// With `stage`, and an earlier stage unfinished, the plan is read again every few seconds
  /// for up to `wait` seconds before the task gives up: on NFS, files another host wrote a
  /// moment ago may not be listed yet. With `dryRun`, the task's share is returned untrained.
  public func work(_ task: WorkTask, stage requested: Int?, wait: Double = 0, dryRun: Bool = false) throws
    -> WorkSummary
  {
    let setup = try setUp()
    var plan = try plan(setup)
    let count = plan.stages.count
    if let requested, !(1...count).contains(requested) { throw WorkError.noSuchStage(requested, count: count) }
    let deadline = monotonicSeconds() + wait
    while let requested, let earliest = plan.earliestUnfinished?.number, requested > earliest {
      guard monotonicSeconds() < deadline, !cancellation.isCancelled else {
        throw WorkError.earlierStageUnfinished(requested, plan)
      }
      observer.note("stage \(requested) waits for stage \(earliest) to be finished in the cache…")
      Thread.sleep(forTimeInterval: min(5, max(0.1, deadline - monotonicSeconds())))
      plan = try self.plan(setup)
    }
    guard let number = requested ?? plan.earliestUnfinished?.number else {
      return WorkSummary(stage: nil, share: [], trained: [], stageCount: count)
    }
    let share = plan.split(stage: number, tasks: task.count)[task.index]
    let pending = share.filter { $0.state == .pending }
    if dryRun { return WorkSummary(stage: number, share: share, trained: [], stageCount: count) }
    setup.cache.markDistributed(setup.studyKey)
    let executor = Executor(
      data: setup.data, cache: setup.cache, observer: observer, cancellation: cancellation, threads: options.threads,
      force: false)
    // Cell by cell, in the study's order, each as its cell trains them (side by side, or one
    // after another when their times are compared).
    var cells: [String] = []
    for run in pending where !cells.contains(run.cell) { cells.append(run.cell) }
    for cell in study.cells.map(\.id) where cells.contains(cell) {
      let runs = pending.filter { $0.cell == cell }
      do {
        _ = try executor.runs(runs.map(\.request), cell: cell, stage: number, sequential: runs[0].sequential)
      } catch {
        throw BuildError.interrupted  // the executor stops short only when cancelled
      }
    }
    if !setup.cache.problems.isEmpty { throw WorkError.cacheNotWritten(setup.cache.problems) }
    return WorkSummary(stage: number, share: share, trained: pending, stageCount: count)
  }
}
