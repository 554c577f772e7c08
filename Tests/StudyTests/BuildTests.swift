import Foundation
import NN
import TestFixtures
import Testing

@testable import Study

/// Records what a build reports.
final class RecordingObserver: BuildObserver, @unchecked Sendable {
  private let lock = NSLock()
  private(set) var started: [String] = []
  private(set) var finished: [RunRecord] = []
  private(set) var finishedLabels: Set<String> = []
  private(set) var notes: [String] = []
  /// Cancels the build once this many runs have finished.
  var cancelAfter: Int?
  var cancellation: Cancellation?

  func runStarted(_ run: RunLabel) { lock.withLock { started.append("\(run.cell)/\(run.name)") } }
  func runFinished(_ run: RunLabel, _ record: RunRecord) {
    lock.withLock {
      finished.append(record)
      finishedLabels.insert("\(run.cell)/\(run.name)")
      if let cancelAfter, finished.count >= cancelAfter { cancellation?.cancel() }
    }
  }
  func note(_ message: String) { lock.withLock { notes.append(message) } }
}

/// A build of `validStudy` on a few hundred images, in temporary folders.
struct TinyBuild {
  var folder = NSTemporaryDirectory() + "mnist-report-build-" + UUID().uuidString
  var study = validStudy
  var profile = TinyBuild.profile

  static let profile = Profile(
    name: "test", trainLimit: 600, validationLimit: 200, testLimit: 300, maxEpochs: 2, maxCandidates: 3, maxFolds: 2)

  func run(
    threads: Int = 2, force: Bool = false, only: [String] = [], observer: RecordingObserver = RecordingObserver(),
    cancellation: Cancellation = Cancellation(), output: String? = nil
  ) throws -> StudyResults {
    var options = BuildOptions(output: output ?? folder + "/out", cacheDirectory: folder + "/cache")
    options.profile = profile
    options.threads = threads
    options.force = force
    options.only = only
    options.dataDirectory = packageRoot + "/data/mnist"
    observer.cancellation = cancellation
    let build = StudyBuild(
      study: try Study.parse(study, file: "study.yaml"), options: options, observer: observer,
      cancellation: cancellation, version: "test")
    let results = try build.run().results
    // Every results.json a build writes must be what schemas/results.schema.json describes.
    let problems = resultsSchemaViolations(ofFile: options.output + "/results.json")
    let count = problems.count
    #expect(count == 0, "results.json breaks the schema: \(problems.prefix(5).joined(separator: "; "))")
    return results
  }

  func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

@Suite(.serialized) struct Builds {
  @Test func aBuildRunsEveryCellAndWritesItsResults() throws {
    let build = TinyBuild()
    defer { build.remove() }
    let results = try build.run()
    #expect(results.cells.map(\.status) == [.ran, .ran, .ran, .ran, .ran])
    let search = try #require(results.cells[3].search)
    #expect(search.candidates.count == 3 && search.candidates.allSatisfy { $0.foldScores.count == 2 })
    #expect(search.candidates.map(\.rank).contains(1))
    #expect(search.candidates[search.bestIndex].rank == 1)
    let tuned = results.cells[4]
    let test = try #require(tuned.runs.first?.run.test)
    #expect(test.confusion.total == 300)
    #expect(abs(test.report.accuracy - test.accuracy) < 1e-12)
    // Under the test profile's two-epoch cap the baseline and the Adam variant are the same
    // run (same settings, data and seed), so the variant is read back from the run cache.
    #expect(results.cells[2].cachedRuns == 1)
    #expect(results.epochsUsed == results.epochsTrainedNow + 2, "the Adam variant's 2 epochs are the baseline's")
    #expect(results.epochsTrained == results.epochsTrainedNow, "each run trained once")
    #expect(results.cells[2].origins.fromOtherCells == 1 && results.cells[1].origins.trained == 1)
    // The gap's training side: the kept weights evaluated as Keras's evaluate does, without
    // dropout, on a sample of the training part as large as the validation part (200 here),
    // not the last epoch's accuracy measured with dropout on while training.
    let baseline = try #require(results.cells[1].runs.first?.run)
    let sample = try #require(baseline.trainEvaluation)
    #expect(sample.images == 200)
    #expect(sample.accuracy != baseline.history.epochs.last?.trainAccuracy)

    let out = build.folder + "/out"
    let files = try FileManager.default.subpathsOfDirectory(atPath: out).sorted()
    #expect(files.contains("results.json") && files.contains("predictions.csv"))
    #expect(files.contains("runs/baseline/baseline.csv") && files.contains("runs/optimizers/sgd.csv"))
    let predictions = try String(contentsOfFile: out + "/predictions.csv", encoding: .utf8).split(separator: "\n")
    #expect(predictions.first == "index,label,predicted,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9")
    #expect(predictions.count == 301)
    let history = try String(contentsOfFile: out + "/runs/baseline/baseline.csv", encoding: .utf8).split(
      separator: "\n")
    #expect(history.first == "epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds")
    #expect(history.count == 3)

    // The classification report uses scikit-learn's output_dict names.
    let json =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/results.json")))
      as! [String: Any]
    let cells = json["cells"] as! [[String: Any]]
    let run = ((cells[4]["runs"] as! [[String: Any]])[0]["repeats"] as! [[String: Any]])[0]
    let report = (run["test"] as! [String: Any])["report"] as! [String: Any]
    #expect(Set(report.keys).isSuperset(of: ["accuracy", "macro avg", "weighted avg", "0", "9"]))
    #expect(Set((report["macro avg"] as! [String: Any]).keys) == ["precision", "recall", "f1-score", "support"])
  }

  @Test func aRebuildReadsTheCacheAndAChangedCellAloneReruns() throws {
    var build = TinyBuild()
    defer { build.remove() }
    _ = try build.run()
    let observer = RecordingObserver()
    let again = try build.run(observer: observer)
    #expect(again.cells.allSatisfy { $0.status == .cached })
    #expect(observer.started.isEmpty)
    #expect(again.epochsTrainedNow == 0)

    // One variant's learning rate changes: that cell reruns, training only that variant.
    build.study = build.study.replacingOccurrences(of: "learning_rate: 0.1}", with: "learning_rate: 0.05}")
    let edited = RecordingObserver()
    let third = try build.run(observer: edited)
    #expect(third.cells.map(\.status) == [.cached, .cached, .ran, .cached, .cached])
    #expect(edited.started == ["optimizers/SGD"])
    #expect(third.cells[2].cachedRuns == 1)
  }

  @Test func aCorruptCacheEntryIsReportedAndRecomputed() throws {
    let build = TinyBuild()
    defer { build.remove() }
    _ = try build.run()
    let cells = build.folder + "/cache/cells"
    let entries = try FileManager.default.contentsOfDirectory(atPath: cells)
    for entry in entries { try Data("{ not json".utf8).write(to: URL(fileURLWithPath: cells + "/" + entry)) }
    let observer = RecordingObserver()
    let results = try build.run(observer: observer)
    #expect(results.cells.allSatisfy { $0.status == .ran })
    #expect(observer.notes.contains { $0.contains("corrupt cache entry") })
    #expect(observer.started.isEmpty, "the runs themselves are still cached")
  }

  @Test func anInterruptedBuildResumes() throws {
    let build = TinyBuild()
    defer { build.remove() }
    let observer = RecordingObserver()
    observer.cancelAfter = 4
    #expect(throws: BuildError.self) { try build.run(observer: observer) }
    let finished = observer.finished.count
    #expect(finished >= 4)
    #expect(!FileManager.default.fileExists(atPath: build.folder + "/out/results.json"), "nothing half-written")
    let resumed = RecordingObserver()
    let results = try build.run(observer: resumed)
    #expect(results.cells.allSatisfy { $0.status == .ran || $0.status == .cached })
    #expect(results.cells.last?.status == .ran)
    #expect(!resumed.started.isEmpty)
    #expect(Set(resumed.started).isDisjoint(with: observer.finishedLabels), "the finished runs were kept")
  }

  @Test func aShorterRunIsReadOffTheFirstEpochsOfALongerOne() throws {
    // The baseline trains 3 epochs; the optimizers' Adam variant asks for 2 of the same run.
    var profile = TinyBuild.profile
    profile.maxEpochs = 3
    var both = TinyBuild(profile: profile)
    both.study = both.study.replacingOccurrences(of: "{name: Adam, optimizer: adam}", with: "{name: Adam, epochs: 2}")
    var alone = both
    alone.folder = both.folder + "-alone"
    defer {
      both.remove()
      alone.remove()
    }
    let observer = RecordingObserver()
    let shared = try both.run(only: ["baseline", "optimizers"], observer: observer)
    #expect(!observer.started.contains("optimizers/Adam"), "read off the baseline's run")
    #expect(shared.cells[2].cachedRuns == 1)
    let trained = try alone.run(only: ["optimizers"])
    func record(_ results: StudyResults) throws -> Data {
      var run = try #require(results.cells[2].runs.first { $0.name == "Adam" }?.run)
      (run.timedIn, run.readOff) = (nil, nil)  // where its seconds come from, not its bits
      run.trainEvaluation = nil  // a run read off a longer one never kept its own weights
      run.seconds = 0
      for i in run.history.epochs.indices { run.history.epochs[i].seconds = 0 }
      let encoder = JSONEncoder()
      encoder.outputFormatting = .sortedKeys
      return try encoder.encode(run)
    }
    let derived = try record(shared)
    #expect(try derived == record(trained), "bit for bit the run trained for 2 epochs")
    #expect(String(decoding: derived, as: UTF8.self).contains("\"epochs\":2"))
  }

  @Test func onlyBuildsTheCellsNamed() throws {
    let build = TinyBuild()
    defer { build.remove() }
    let results = try build.run(only: ["baseline"])
    #expect(results.cells.map(\.status) == [.skipped, .ran, .skipped, .skipped, .skipped])
    #expect(throws: BuildError.self) { try build.run(only: ["nope"]) }
  }

  @Test func sameSeedSameResultsOnOneOrTwoThreads() throws {
    let one = TinyBuild()
    let two = TinyBuild()
    defer {
      one.remove()
      two.remove()
    }
    _ = try one.run(threads: 1)
    _ = try two.run(threads: 2)
    func stripped(_ folder: String) throws -> Data {
      try resultsWithoutTimings(Data(contentsOf: URL(fileURLWithPath: folder + "/out/results.json")))
    }
    #expect(try stripped(one.folder) == stripped(two.folder))
  }

  @Test func anUnwritableOutputFolderIsAClearError() throws {
    let build = TinyBuild()
    defer { build.remove() }
    try FileManager.default.createDirectory(atPath: build.folder, withIntermediateDirectories: true)
    #expect(FileManager.default.createFile(atPath: build.folder + "/file", contents: Data()))
    let error = #expect(throws: OutputError.self) { try build.run(output: build.folder + "/file/out") }
    #expect(error?.description.hasPrefix(build.folder + "/file/out: cannot create the output folder") == true)
  }
}
