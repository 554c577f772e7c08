import Foundation
import NN
import Testing

@testable import Study

/// The tiny study with `repeats: N` at the top (and `resample` when asked).
func repeatedStudy(_ repeats: Int, resample: Bool = false) -> String {
  validStudy.replacingOccurrences(
    of: "cells:\n", with: "repeats: \(repeats)\n" + (resample ? "resample: true\n" : "") + "cells:\n")
}

/// A run's record without its timings, as JSON.
func untimed(_ run: RunRecord) throws -> Data {
  let encoder = JSONEncoder()
  encoder.outputFormatting = .sortedKeys
  return try encoder.encode(run.withoutTiming)
}

@Suite(.serialized) struct Repeats {
  @Test func repeatZeroIsTheUnrepeatedRunAndOtherRepeatsDrawOtherSeeds() throws {
    let plain = TinyBuild()
    var twice = TinyBuild()
    twice.study = repeatedStudy(2)
    defer {
      plain.remove()
      twice.remove()
    }
    let one = try plain.run(only: ["optimizers"])
    let two = try twice.run(only: ["optimizers"])
    let single = try #require(one.cells[2].runs.first { $0.name == "SGD" })
    let repeated = try #require(two.cells[2].runs.first { $0.name == "SGD" })
    #expect(single.repeats.isEmpty && repeated.repeats.count == 1)
    #expect(try untimed(repeated.run) == untimed(single.run), "repeat 0 keeps the unrepeated run's streams")
    #expect(repeated.repeats[0].history.epochs.map(\.trainLoss) != repeated.run.history.epochs.map(\.trainLoss))
    #expect(repeated.repeats[0].key != repeated.run.key)
    #expect(repeated.repeats[0].data == .split, "without resample, every repeat trains on the study's split")
  }

  @Test func resultsJSONLeavesOutEveryRepeatsTestProbabilities() throws {
    var build = TinyBuild()
    build.study = repeatedStudy(2)
    defer { build.remove() }
    let results = try build.run(only: ["baseline", "search", "tuned"])
    #expect(results.cells[4].runs[0].repeats.count == 1)
    let json = try String(contentsOfFile: build.folder + "/out/results.json", encoding: .utf8)
    #expect(!json.contains("\"probabilities\""), "predictions.csv has repeat 0's; the others are not published")
    #expect(json.contains("\"summary\""))
  }

  @Test func resampledRepeatsTrainOnSplitsOfTheirOwn() throws {
    var build = TinyBuild()
    build.study = repeatedStudy(2, resample: true)
    defer { build.remove() }
    let results = try build.run(only: ["baseline"])
    let baseline = try #require(results.cells[1].runs.first)
    #expect(baseline.run.data == .split && baseline.repeats[0].data == .resampled(1))
    #expect(baseline.repeats[0].validationAccuracy != baseline.run.validationAccuracy)
  }

  @Test func raisingRepeatsTrainsOnlyTheNewOnes() throws {
    var build = TinyBuild()
    build.study = repeatedStudy(2)
    defer { build.remove() }
    _ = try build.run(only: ["optimizers"])
    build.study = repeatedStudy(3)
    let observer = RecordingObserver()
    let results = try build.run(only: ["optimizers"], observer: observer)
    // Under the test profile's two-epoch cap, Adam is the baseline's run: 2 variants × 1 new
    // repeat train, the rest is read from the cache.
    #expect(observer.started.count == 2, "\(observer.started)")
    #expect(results.cells[2].runs.allSatisfy { $0.repeats.count == 2 })
    #expect(results.cells[2].cachedRuns == 4)
  }

  @Test func aRepeatedStudyGivesTheSameBitsOnOneAndTwoThreads() throws {
    var one = TinyBuild()
    var two = TinyBuild()
    one.study = repeatedStudy(2, resample: true)
    two.study = one.study
    defer {
      one.remove()
      two.remove()
    }
    let a = try one.run(threads: 1)
    let b = try two.run(threads: 2)
    for (x, y) in zip(a.cells, b.cells) {
      for (u, v) in zip(x.runs, y.runs) {
        #expect(try u.all.map(untimed) == v.all.map(untimed), "\(x.id)/\(u.name)")
      }
    }
  }

  @Test func repeatsAreCheckedLikeEveryValue() {
    #expect(
      studyError(repeatedStudy(0))?.message == "expected a whole number from 1 to 100, found 0")
    let error = studyError(validStudy.replacingOccurrences(of: "kind: data\n", with: "kind: data\n    repeats: 3\n"))
    #expect(
      error?.message.hasPrefix("unknown key 'repeats' (allowed: id, kind, title, explanation, samples_per_class)")
        == true)
  }
}

@Suite struct DivergedRuns {
  @Test func aDivergedRunIsCachedLikeAnyOther() throws {
    let folder = NSTemporaryDirectory() + "mnist-report-nan-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let cache = ResultCache(directory: folder)
    var run = handRun([0.5, nil], diverged: true)
    run.history.epochs[1].trainLoss = .nan
    run.history.epochs[1].validationLoss = .infinity
    cache.store(run, kind: "runs", key: run.key)
    #expect(cache.problems.isEmpty, "\(cache.problems)")
    let back = try #require(cache.load(RunRecord.self, kind: "runs", key: run.key, keyOf: \.key))
    #expect(back.history.epochs[1].trainLoss.isNaN && back.history.epochs[1].validationLoss == .infinity)
    #expect(back.status == .diverged)
  }
}
