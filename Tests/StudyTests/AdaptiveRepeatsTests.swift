import Foundation
import Statistics
import Testing

@testable import Study

/// Adaptive repeats (`repeats: {min, max}` on a compare cell): a comparison decided at a
/// look gets no more repeats, the undecided ones and their reference go on to the next,
/// and the analysis replays the same looks from the runs, so that a rebuild from the cache
/// makes the same decisions without training.
@Suite(.serialized) struct AdaptiveRepeats {
  /// The tiny study whose optimizers cell has adaptive repeats, a variant far worse than
  /// Adam (plain SGD at a learning rate too small to learn in two epochs) and one close to it.
  static let study = validStudy.replacingOccurrences(
    of:
      "    variants:\n      - {name: SGD, optimizer: sgd, learning_rate: 0.1}\n      - {name: Adam, optimizer: adam}\n",
    with: "    repeats: {min: 3, max: 5, step: 2}\n    variants:\n"
      + "      - {name: SGD, optimizer: sgd, learning_rate: 0.00001}\n      - {name: Adam, optimizer: adam}\n"
      + "      - {name: close, optimizer: adam, learning_rate: 0.00099}\n")

  @Test func decidedComparisonsStopAndTheRestGoOn() throws {
    #expect(Self.study.contains("repeats: {min: 3"), "the study was rewritten")
    var build = TinyBuild()
    build.study = Self.study
    defer { build.remove() }
    let results = try build.run(only: ["optimizers"])
    let cell = results.cells[2]
    let counts = Dictionary(uniqueKeysWithValues: cell.runs.map { ($0.name, $0.all.count) })
    guard case .compare(let facts)? = cell.findings else {
      Issue.record("compare facts")
      return
    }
    let sgd = try #require(facts.variant("SGD"))
    #expect(sgd.comparison?.verdict == .worse && sgd.stoppedAt == 3 && counts["SGD"] == 3, "\(counts)")
    let close = try #require(facts.variant("close"))
    #expect(counts["close"] == 5 && close.stoppedAt == 5, "undecided at 3, it goes to the last look: \(counts)")
    #expect(counts["Adam"] == 5, "the reference keeps up with the open comparisons")
    #expect(facts.sequential?.looks == [3, 5])
    // Each comparison is on the repeats of its look, paired by repeat.
    #expect(sgd.comparison?.nA == 3 && sgd.comparison?.nB == 3 && sgd.comparison?.design == .paired)

    // Built again from the cache: the same decisions, nothing trained.
    let observer = RecordingObserver()
    let again = try build.run(only: ["optimizers"], observer: observer)
    #expect(observer.started.isEmpty)
    guard case .compare(let replayed)? = again.cells[2].findings else { return }
    #expect(replayed.variants.map(\.stoppedAt) == facts.variants.map(\.stoppedAt))
    #expect(replayed.variants.map { $0.comparison?.verdict } == facts.variants.map { $0.comparison?.verdict })
  }

  /// Tasks working stage by stage, a look a stage, on one thread each (as Slurm's would),
  /// make the decisions and the bits of a local build on two.
  @Test func tasksLookStageByStageAndDecideAsALocalBuild() throws {
    var local = TinyBuild()
    var build = TinyBuild()
    (local.study, build.study) = (Self.study, Self.study)
    defer {
      local.remove()
      build.remove()
    }
    let reference = try local.run(threads: 2)
    let stages = try Study.parse(Self.study, file: "s.yaml").stageCount(profile: TinyBuild.profile)
    #expect(stages >= 2, "the looks are stages")
    for stage in 1...stages {
      for task in 0..<2 {
        _ = try build.studyBuild(threads: 1).work(WorkTask(index: task, count: 2), stage: stage)
      }
    }
    let observer = RecordingObserver()
    let results = try build.run(threads: 1, observer: observer)
    #expect(observer.started.isEmpty, "the tasks trained every look's runs")
    for (x, y) in zip(reference.cells, results.cells) {
      for (u, v) in zip(x.runs, y.runs) { #expect(try u.all.map(untimed) == v.all.map(untimed), "\(x.id)/\(u.name)") }
    }
    guard case .compare(let a)? = reference.cells[2].findings, case .compare(let b)? = results.cells[2].findings else {
      Issue.record("compare facts")
      return
    }
    #expect(a.variants.map(\.stoppedAt) == b.variants.map(\.stoppedAt))
  }

  @Test func theStudyFileSaysHowAdaptiveRepeatsAreWritten() throws {
    let looks = try Study.parse(Self.study, file: "s.yaml").cells[2]
    guard case .compare(let compare) = looks.body else {
      Issue.record("a compare cell")
      return
    }
    #expect(compare.replication.sequential?.looks == [3, 5] && compare.replication.count == 5)
    #expect(compare.replication.sequential?.spending == .pocock)
    let margin = try Study.parse(
      Self.study.replacingOccurrences(of: "cells:\n", with: "equivalence: 0.2\ncells:\n"), file: "s.yaml")
    #expect(margin.replication.equivalence == 0.002, "points of accuracy")
    for (text, message) in [
      ("repeats: {min: 5, max: 3}", "max must be above min (5), found 3"),
      ("repeats: {min: 3}", "adaptive repeats need min and max"),
      ("repeats: {min: 3, max: 12, spending: pocok}", "spending"),
      ("repeats: {min: 2, max: 100, step: 1}", "at most 10"),
      ("repeats: {min: 3, max: 5}\n    equivalence: 0", "expected a number"),
    ] {
      let broken = Self.study.replacingOccurrences(of: "repeats: {min: 3, max: 5, step: 2}", with: text)
      #expect(throws: StudyError.self) { try Study.parse(broken, file: "s.yaml") }
      do {
        _ = try Study.parse(broken, file: "s.yaml")
      } catch {
        #expect("\(error)".contains(message), "\(error)")
      }
    }
    // A train cell cannot decide its repeats.
    let train = validStudy.replacingOccurrences(
      of: "    settings:\n      epochs: 3\n", with: "    repeats: {min: 3, max: 5}\n    settings:\n      epochs: 3\n")
    #expect(train != validStudy)
    do {
      _ = try Study.parse(train, file: "s.yaml")
      Issue.record("a train cell with adaptive repeats is refused")
    } catch {
      #expect("\(error)".contains("adaptive repeats ({min, max}) are for compare cells"), "\(error)")
    }
  }
}
