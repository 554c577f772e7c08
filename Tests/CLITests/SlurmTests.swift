import Foundation
import TestFixtures
import Testing

/// The cluster path against a real Slurm: `scripts/test.sh` (what `make test` runs) starts a
/// single-node cluster on localhost with scripts/slurm-cluster.sh and sets SLURM_CONF. With
/// MNIST_REPORT_REQUIRE_SLURM=1 (as CI sets it) a missing cluster is a failure, not a skip.
let slurmConfigured = ProcessInfo.processInfo.environment["SLURM_CONF"] != nil
let slurmRequired = ProcessInfo.processInfo.environment["MNIST_REPORT_REQUIRE_SLURM"] == "1"

@Suite(
  .serialized, .enabled(if: slurmConfigured || slurmRequired, "needs a Slurm cluster (scripts/test.sh starts one)"))
struct SlurmCluster {
  /// The quick study built on this machine alone, once: what every distributed build must
  /// reproduce.
  static let local: Result<URL, Error> = Result {
    let scratch = try Scratch()
    let result = try run([
      "build", "--profile", "quick", "--cache", scratch.path("cache"), "--out", scratch.path("out"), "--quiet",
    ])
    guard result.status == 0 else { throw Failure("the local quick build failed: \(result.stderr)") }
    return scratch.url.appendingPathComponent("out")
  }

  @Test func theQuickStudyThroughSlurmMatchesALocalBuildBitForBit() throws {
    #expect(slurmConfigured, "SLURM_CONF is not set: start the cluster with scripts/slurm-cluster.sh start")
    let local = try Self.local.get()
    let scratch = try Scratch()
    defer { scratch.remove() }
    let started = Date()
    let jobs = try submit(scratch)
    #expect(
      jobs.map(\.name) == ["stage 1", "stage 2", "stage 3", "stage 4", "build"], "four stages of arrays, then the build"
    )
    let states = try wait(for: jobs.map(\.id))
    #expect(states.values.allSatisfy { $0 == "COMPLETED" }, "every job and array task completed: \(states)")
    #expect(states.count == 4 * 2 + 1, "2 array tasks per stage and the build: \(states)")
    try expectSameStudy(local, scratch.url.appendingPathComponent("out"))
    print("slurm: the quick study through Slurm took \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

    // The provenance lists where the runs trained.
    let results = try String(contentsOfFile: scratch.path("out/results.json"), encoding: .utf8)
    #expect(results.contains("\"hosts\""))
    #expect(try String(contentsOfFile: scratch.path("out/report.md"), encoding: .utf8).contains("Trained on"))
    // Every job logged, and submitting again finds nothing to train but the build.
    let again = try run(
      [
        "slurm", "submit", "--profile", "quick", "--cache", scratch.path("cache"), "--out", scratch.path("out"),
        "--dry-run",
      ])
    #expect(again.status == 0)
    #expect(again.stderr.contains("every run is cached"), "\(again.stderr)")
  }

  @Test func aCancelledTaskIsRecoveredBySubmittingAgain() throws {
    #expect(slurmConfigured, "SLURM_CONF is not set: start the cluster with scripts/slurm-cluster.sh start")
    let local = try Self.local.get()
    let scratch = try Scratch()
    defer { scratch.remove() }
    let jobs = try submit(scratch)
    // Cancel stage 1's second task once it has trained for a moment.
    let task = "\(jobs[0].id)_1"
    let deadline = Date().addingTimeInterval(60)
    while try jobStates(task)[task] != "RUNNING" && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
    Thread.sleep(forTimeInterval: 1.5)
    let cancel = try shell(["scancel", task])
    #expect(cancel.status == 0, "\(cancel.stderr)")
    let states = try wait(for: jobs.map(\.id))
    #expect(states[task] == "CANCELLED", "\(states)")
    #expect(states["\(jobs[2].id)"] == "CANCELLED", "the build is cancelled after a failed stage: \(states)")
    let plan = try run(["plan", "--profile", "quick", "--cache", scratch.path("cache"), "--json"])
    let document = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
    let stages = document?["stages"] as? [[String: Any]]
    #expect(stages?.first?["finished"] as? Bool == false, "stage 1 was left unfinished")
    #expect(
      (stages?.first?["runs"] as? [[String: Any]])?.contains { $0["state"] as? String == "cached" } == true,
      "task 0's runs are cached")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("out/results.json")), "no report from a partial run")
    // A build now names what is missing and fails.
    let build = try run(["build", "--profile", "quick", "--cache", scratch.path("cache"), "--out", scratch.path("out")])
    #expect(build.status != 0)
    #expect(build.stderr.contains("missing") && build.stderr.contains("stage 1:"), "\(build.stderr)")

    let resubmitted = try submit(scratch)
    let after = try wait(for: resubmitted.map(\.id))
    #expect(after.values.allSatisfy { $0 == "COMPLETED" }, "\(after)")
    try expectSameStudy(local, scratch.url.appendingPathComponent("out"))
  }

  // MARK: - Helpers

  struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }

  /// `slurm submit` of the quick study, 2 tasks of 1 CPU per stage; the jobs it printed.
  private func submit(_ scratch: Scratch) throws -> [(name: String, id: String)] {
    let result = try run([
      "slurm", "submit", "--profile", "quick", "--cache", scratch.path("cache"), "--out", scratch.path("out"),
      "--tasks", "2", "--cpus-per-task", "1", "--time", "10",
    ])
    guard result.status == 0 else { throw Failure("slurm submit failed: \(result.stderr)") }
    return result.stdout.split(separator: "\n").compactMap { line in
      guard let range = line.range(of: ": job ") else { return nil }
      let id = line[range.upperBound...].prefix { $0.isNumber }
      return (String(line[..<range.lowerBound]), String(id))
    }
  }

  /// Waits until no job of `ids` (array tasks included) is pending or running; their states
  /// by id (`ID` or `ID_TASK`).
  private func wait(for ids: [String]) throws -> [String: String] {
    let deadline = Date().addingTimeInterval(600)
    while Date() < deadline {
      var states: [String: String] = [:]
      for id in ids { states.merge(try jobStates(id)) { $1 } }
      let active = states.values.contains { ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING"].contains($0) }
      if !active && !states.isEmpty { return states }
      Thread.sleep(forTimeInterval: 0.5)
    }
    throw Failure("jobs \(ids) still running after 10 minutes")
  }

  /// The state of a job, or of each task of an array, from `scontrol -o show job` (there is no
  /// accounting database: finished jobs stay visible for MinJobAge).
  private func jobStates(_ id: String) throws -> [String: String] {
    let result = try shell(["scontrol", "-o", "show", "job", id])
    var states: [String: String] = [:]
    for line in result.stdout.split(separator: "\n") {
      let fields = Dictionary(
        line.split(separator: " ").compactMap { field -> (String, String)? in
          guard let equals = field.firstIndex(of: "=") else { return nil }
          return (String(field[..<equals]), String(field[field.index(after: equals)...]))
        }, uniquingKeysWith: { a, _ in a })
      guard let state = fields["JobState"] else { continue }
      if let array = fields["ArrayJobId"], let task = fields["ArrayTaskId"], !task.contains("-"), !task.contains(",") {
        states["\(array)_\(task)"] = state
      } else if let job = fields["JobId"] {
        states[job] = state
      }
    }
    return states
  }

  /// The results of two builds agree bit for bit, timings and hosts aside: results.json
  /// without its timing fields and the build's thread count, predictions.csv, the run CSVs without their seconds column,
  /// and every figure that does not plot time.
  private func expectSameStudy(_ local: URL, _ distributed: URL) throws {
    // The build job's own thread count is where it ran, too (it had one CPU).
    func normalized(_ url: URL) throws -> Data {
      try resultsWithoutTimings(Data(contentsOf: url.appendingPathComponent("results.json")))
    }
    let (a, b) = (try normalized(local), try normalized(distributed))
    if a != b {
      // Kept for a look: the two results without their timings.
      let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mnist-report-slurm-diff")
      try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try? a.write(to: folder.appendingPathComponent("local.json"))
      try? b.write(to: folder.appendingPathComponent("distributed.json"))
    }
    #expect(a == b, "results.json differs beyond timings (both in $TMPDIR/mnist-report-slurm-diff)")
    #expect(
      try Data(contentsOf: local.appendingPathComponent("predictions.csv"))
        == Data(contentsOf: distributed.appendingPathComponent("predictions.csv")))
    let files = FileManager.default.enumerator(atPath: local.path)!.compactMap { $0 as? String }
    var compared = 0
    for file in files where file.hasPrefix("figures/") && !file.contains("-time.") {
      compared += 1
      #expect(
        try Data(contentsOf: local.appendingPathComponent(file))
          == Data(contentsOf: distributed.appendingPathComponent(file)), "\(file) differs")
    }
    #expect(compared > 20, "the figures were compared")
    for file in files where file.hasPrefix("runs/") && file.hasSuffix(".csv") {
      func withoutSeconds(_ url: URL) throws -> [String] {
        try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").map {
          $0.split(separator: ",").dropLast().joined(separator: ",")
        }
      }
      #expect(try withoutSeconds(local) == withoutSeconds(distributed), "\(file) differs beyond its seconds")
    }
  }
}
