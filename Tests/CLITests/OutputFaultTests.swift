import Foundation
import Testing

/// A build replaces its output whole or not at all: a target of the wrong kind stops it before
/// anything is replaced, and a build that succeeds leaves nothing of the previous one's.
@Suite struct OutputReplacement {
  func build(_ scratch: Scratch, epochs: Int) throws -> CommandResult {
    try smallStudy.replacingOccurrences(of: "epochs: 1}", with: "epochs: \(epochs)}")
      .write(toFile: scratch.path("study.yaml"), atomically: true, encoding: .utf8)
    return try run([
      "build", "--study", scratch.path("study.yaml"), "--out", scratch.path("out"), "--profile", "quick", "--cache",
      scratch.path("cache"), "--quiet",
    ])
  }

  func contents(_ scratch: Scratch, _ name: String) throws -> String {
    try String(contentsOfFile: scratch.path("out/" + name), encoding: .utf8)
  }

  /// What a failed build must leave as it was.
  func snapshot(_ scratch: Scratch) throws -> [String] {
    try ["results.json", "report.md", "runs/baseline/baseline.csv"].map { try contents(scratch, $0) }
  }

  func leftovers(_ scratch: Scratch) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).filter { $0.hasPrefix(".staging-") }
  }

  /// A cache that cannot hold entries, or data the study cannot use, stops the build before
  /// it trains or writes anything: neither the output nor (for bad data) the cache is made.
  @Test func anUnusableCacheOrBadDataStopsTheBuildBeforeAnyWrite() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try smallStudy.write(toFile: scratch.path("study.yaml"), atomically: true, encoding: .utf8)
    try "not a folder".write(toFile: scratch.path("cache-file"), atomically: true, encoding: .utf8)
    func build(cache: String, _ extra: [String] = []) throws -> CommandResult {
      try run(
        [
          "build", "--study", scratch.path("study.yaml"), "--out", scratch.path("out"), "--profile", "quick", "--cache",
          cache,
        ]
          + extra)
    }
    var result = try build(cache: scratch.path("cache-file"))
    #expect(result.status != 0)
    #expect(
      result.stderr.contains("--cache \(scratch.path("cache-file")): it is a file, not a folder; nothing was trained"),
      "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("out")), "no output folder")
    // A folder no one may write, even root: under /proc.
    result = try build(cache: "/proc/mnist-report-cache")
    #expect(result.status != 0)
    #expect(result.stderr.contains("--cache /proc/mnist-report-cache: the folder cannot be made"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("out")))
    // Data the study cannot use: refused before the cache or the output exists.
    result = try build(cache: scratch.path("cache"), ["--set", "data.validation=60000"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("data.validation: expected fewer than the 60000 images"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("out")))
    #expect(!FileManager.default.fileExists(atPath: scratch.path("cache")))
  }

  @Test func aFailedBuildLeavesThePreviousOutputWhole() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let manager = FileManager.default
    #expect(try build(scratch, epochs: 1).status == 0)
    let before = try snapshot(scratch)

    // The figures folder is a file: nothing is replaced, results.json included.
    try manager.moveItem(atPath: scratch.path("out/figures"), toPath: scratch.path("figures-aside"))
    try "in the way".write(toFile: scratch.path("out/figures"), atomically: true, encoding: .utf8)
    var result = try build(scratch, epochs: 2)
    #expect(result.status != 0)
    #expect(
      result.stderr.contains(
        "\(scratch.path("out/figures")): is a file where the build writes a folder; move it away (nothing was replaced)"
      ))
    #expect(try snapshot(scratch) == before)
    #expect(try leftovers(scratch).isEmpty)

    // report.html is a folder.
    try manager.removeItem(atPath: scratch.path("out/figures"))
    try manager.moveItem(atPath: scratch.path("figures-aside"), toPath: scratch.path("out/figures"))
    try manager.moveItem(atPath: scratch.path("out/report.html"), toPath: scratch.path("report-aside.html"))
    try manager.createDirectory(atPath: scratch.path("out/report.html"), withIntermediateDirectories: false)
    result = try build(scratch, epochs: 2)
    #expect(result.status != 0)
    #expect(result.stderr.contains("\(scratch.path("out/report.html")): is a folder where the build writes a file"))
    #expect(try snapshot(scratch) == before)
    #expect(try leftovers(scratch).isEmpty)
  }

  @Test func aBuildReplacesWhatItWritesAndNothingElse() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let manager = FileManager.default
    #expect(try build(scratch, epochs: 1).status == 0)
    let before = try snapshot(scratch)
    // A CSV and a figure of cells the study no longer has, a user's own file, and the staging
    // folder of a build that was killed (a process id that cannot be running).
    try manager.createDirectory(atPath: scratch.path("out/runs/gone"), withIntermediateDirectories: true)
    try "epoch\n".write(toFile: scratch.path("out/runs/gone/old.csv"), atomically: true, encoding: .utf8)
    try "x".write(toFile: scratch.path("out/figures/gone-curves.svg"), atomically: true, encoding: .utf8)
    try "mine".write(toFile: scratch.path("out/notes.txt"), atomically: true, encoding: .utf8)
    try manager.createDirectory(atPath: scratch.path("out/.staging-2147483646-1"), withIntermediateDirectories: true)

    #expect(try build(scratch, epochs: 2).status == 0)
    #expect(try snapshot(scratch) != before)
    #expect(!manager.fileExists(atPath: scratch.path("out/runs/gone")), "stale CSVs go")
    #expect(!manager.fileExists(atPath: scratch.path("out/figures/gone-curves.svg")), "stale figures go")
    #expect(try contents(scratch, "notes.txt") == "mine", "what the build does not write stays")
    #expect(try leftovers(scratch).isEmpty, "an abandoned staging folder is removed")
    #expect(try contents(scratch, "report.md").contains("# Small"))
  }
}

/// Ctrl-C ends a build the same way wherever it comes: while the data loads (the first thing
/// the build does once it has its thread count), with a message and exit status 130, and
/// nothing written.
@Suite struct Interrupts {
  @Test func ctrlCWhileTheDataLoadsEndsWithAMessageAndStatus130() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try smallStudy.write(toFile: scratch.path("study.yaml"), atomically: true, encoding: .utf8)
    let result = try runInterrupted(
      [
        "build", "--study", scratch.path("study.yaml"), "--out", scratch.path("out"), "--cache", scratch.path("cache"),
        "--profile", "quick", "--threads", "auto",
      ], at: "threads: auto")
    #expect(result.status == 130, "\(result.stderr)")
    #expect(result.stderr.contains("stopping at the next batch or check"), "\(result.stderr)")
    #expect(result.stderr.contains("interrupted"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("out")))
  }
}
