import Foundation
import Testing

@testable import Study

extension TinyBuild {
  /// The build itself, for a plan or a task.
  func studyBuild(threads: Int = 1, trainMissing: Bool = false) throws -> StudyBuild {
    var options = BuildOptions(output: folder + "/out", cacheDirectory: folder + "/cache")
    options.profile = profile
    options.threads = threads
    options.trainMissing = trainMissing
    options.dataDirectory = packageRoot + "/data/mnist"
    return StudyBuild(
      study: try Study.parse(study, file: "study.yaml"), options: options, observer: RecordingObserver(),
      cancellation: Cancellation(), version: "test")
  }

  func files(in kind: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/cache/" + kind)) ?? []).sorted()
  }
}

/// A search with halving, in three rounds, and a final cell after it.
let halvingStudy = validStudy.replacingOccurrences(
  of: "    candidates: 3\n", with: "    candidates: 3\n    method: halving\n    factor: 2\n    min_epochs: 1\n")

@Suite(.serialized) struct Distributed {
  @Test func stagesFollowWhatEachRunWaitsFor() throws {
    let study = try Study.parse(halvingStudy, file: "s.yaml")
    // The test profile halves the search's 2 epochs once: two rounds, then the final cell.
    #expect(study.firstStages(profile: TinyBuild.profile) == [1, 1, 1, 1, 3])
    #expect(study.stageCount(profile: TinyBuild.profile) == 3)
    let plain = try Study.parse(validStudy, file: "s.yaml")
    #expect(plain.firstStages(profile: TinyBuild.profile) == [1, 1, 1, 1, 2])
  }

  @Test func aPlanListsEveryRunOnceAndEstimatesWhatItCannotSeeYet() throws {
    var build = TinyBuild()
    build.study = halvingStudy
    defer { build.remove() }
    let plan = try build.studyBuild().plan()
    #expect(plan.stages.count == 3)
    let first = plan.stages[0]
    // baseline 1 + optimizers 2 (Adam's is the baseline's: one run) + 3 candidates × 2 folds
    // in round 1.
    #expect(first.runs.count == 8 && first.isKnown, "\(first.runs.map { "\($0.cell)/\($0.name)" })")
    #expect(first.runs.allSatisfy { $0.state == .pending && $0.cost > 0 })
    #expect(Set(first.runs.map(\.key)).count == first.runs.count, "no run twice")
    #expect(plan.stages[1].estimate?.cells == ["search"], "round 2 waits for round 1's scores")
    #expect(plan.stages[2].estimate?.cells == ["tuned"], "the final cell waits for the winner")
    let tuned = try #require(plan.stages[2].estimate)
    #expect(tuned.possibleRuns == 3 && abs(tuned.expectedRuns - 1) < 1e-9, "one of three candidates is retrained")
    #expect(plan.earliestUnfinished?.number == 1 && !plan.isComplete)
    #expect(!plan.calibrated, "nothing timed in an empty cache")
    #expect(build.files(in: "runs").isEmpty, "a plan trains and writes nothing")
  }

  @Test func longestFirstOntoTheLeastLoadedTask() {
    // Longest first: 5 → task 0, 4 → 1, the first 3 → 1 (4 < 5), the next → 0 (5 < 7), the
    // last → 1 (7 < 8); ties go to the lower task.
    #expect(StudyPlan.balance([3, 5, 3, 4, 3], tasks: 2) == [[1, 2], [3, 0, 4]])
    #expect(StudyPlan.balance([1, 1, 1, 1], tasks: 3) == [[0, 3], [1], [2]])
    #expect(StudyPlan.balance([], tasks: 2) == [[], []])
  }

  @Test func theSplitIsBalancedAndTheSameWhateverIsCached() throws {
    let build = TinyBuild()
    defer { build.remove() }
    let before = try build.studyBuild().plan()
    for tasks in [1, 2, 3, 8] {
      let parts = before.split(stage: 1, tasks: tasks)
      #expect(parts.count == tasks)
      #expect(parts.flatMap { $0 }.map(\.key).sorted() == before.stages[0].scheduled.map(\.key).sorted())
      // Longest first onto the least loaded: no task carries more than the lightest one plus
      // the largest run.
      let loads = parts.map { $0.reduce(0) { $0 + $1.cost } }
      let largest = before.stages[0].runs.map(\.cost).max()!
      #expect(loads.max()! - loads.min()! <= largest + 1e-6)
    }
    // Task 0 trains its share; the split that task 1 computes afterwards is unchanged.
    let summary = try build.studyBuild().work(WorkTask(index: 0, count: 2), stage: nil)
    #expect(summary.stage == 1 && !summary.trained.isEmpty)
    let after = try build.studyBuild().plan()
    #expect(
      after.split(stage: 1, tasks: 2).map { $0.map(\.key) } == before.split(stage: 1, tasks: 2).map { $0.map(\.key) })
    #expect(after.split(stage: 1, tasks: 2)[0].allSatisfy { $0.state == .cached })
    #expect(after.split(stage: 1, tasks: 2)[1].allSatisfy { $0.state == .pending })
  }

  @Test func tasksTrainEveryStageAndTheBuildThenTrainsNothing() throws {
    let local = TinyBuild()
    let build = TinyBuild()
    defer {
      local.remove()
      build.remove()
    }
    let reference = try local.run(threads: 2)
    // Stage 2 cannot start before stage 1 is done.
    #expect(throws: WorkError.self) { try build.studyBuild().work(WorkTask(index: 0, count: 2), stage: 2) }
    #expect(throws: WorkError.self) { try build.studyBuild().work(WorkTask(index: 0, count: 2), stage: 3) }
    for stage in 1...2 {
      for task in 0..<2 {
        let summary = try build.studyBuild().work(WorkTask(index: task, count: 2), stage: stage)
        #expect(summary.stage == stage)
      }
    }
    let done = try build.studyBuild().work(WorkTask(index: 1, count: 2), stage: nil)
    #expect(done.stage == nil, "nothing left")
    let plan = try build.studyBuild().plan()
    #expect(plan.isComplete && plan.calibrated)
    let observer = RecordingObserver()
    let results = try build.run(threads: 2, observer: observer)
    #expect(observer.started.isEmpty, "the build trained nothing")
    #expect(results.epochsTrainedNow == 0)
    for (x, y) in zip(reference.cells, results.cells) {
      for (u, v) in zip(x.runs, y.runs) { #expect(try u.all.map(untimed) == v.all.map(untimed), "\(x.id)/\(u.name)") }
      #expect(x.search?.candidates.map(\.meanScore) == y.search?.candidates.map(\.meanScore))
    }
    #expect(results.hosts.values.reduce(0, +) > 0)
  }

  @Test func aDistributedBuildNamesTheMissingRunsUnlessToldToTrainThem() throws {
    let build = TinyBuild()
    defer { build.remove() }
    _ = try build.studyBuild().work(WorkTask(index: 0, count: 2), stage: 1)
    #expect {
      try build.studyBuild().checkDistributedRuns()
    } throws: { error in
      guard case BuildError.missingRuns(let missing) = error else { return false }
      return missing.contains("stage 1: ") && missing.contains("stage 2: about 1 run(s) of tuned")
    }
    let missing = try build.studyBuild(trainMissing: true)
    try missing.checkDistributedRuns()
    let results = try missing.run()
    #expect(results.results.cells.allSatisfy { $0.status == .ran })
  }

  @Test func twoTasksThatTrainTheSameRunWriteTheSameBytes() throws {
    let a = TinyBuild()
    let b = TinyBuild()
    defer {
      a.remove()
      b.remove()
    }
    _ = try a.studyBuild(threads: 1).work(WorkTask(index: 0, count: 1), stage: 1)
    _ = try b.studyBuild(threads: 2).work(WorkTask(index: 0, count: 1), stage: 1)
    let names = a.files(in: "runs")
    #expect(!names.isEmpty && names == b.files(in: "runs"))
    for name in names {
      let x = FileManager.default.contents(atPath: a.folder + "/cache/runs/" + name)
      let y = FileManager.default.contents(atPath: b.folder + "/cache/runs/" + name)
      #expect(x == y, "\(name): one thread and two write the same record")
    }
    #expect(a.files(in: "timings") == names, "each run's timing beside it")
    #expect(!names.contains { $0.hasPrefix(".") }, "no temporary file is left")
  }

  @Test func recordsKeepWhereTheyTrained() throws {
    let build = TinyBuild()
    defer { build.remove() }
    let results = try build.run(threads: 2)
    let run = try #require(results.cells[1].runs.first?.run)
    #expect(run.trainedOn?.host == ProcessInfo.processInfo.hostName)
    #expect(run.trainedOn?.threads == 2 && run.trainedOn?.kernels.isEmpty == false)
    // Read back from the run cache (not the cell's), with its timing.
    try FileManager.default.removeItem(atPath: build.folder + "/cache/cells")
    let again = try build.run(threads: 1)
    #expect(again.cells[1].cachedRuns > 0)
    #expect(again.cells[1].runs.first?.run.trainedOn == run.trainedOn)
  }
}
