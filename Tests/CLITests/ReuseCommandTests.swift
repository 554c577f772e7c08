import Foundation
import Testing

/// The commands' data for scripts (`--json`), file sizes as they are on disk and
/// decompressed, and the cache's maintenance.
@Suite struct CommandsForScripts {
  @Test func dataShowsBothSizesAndPrintsJSON() throws {
    let text = try run(["data"])
    #expect(text.status == 0, "\(text.stderr)")
    // train-images: 9,719,438 bytes of gzip, 47,040,016 decompressed.
    #expect(text.stdout.contains("train-images-idx3-ubyte.gz  9,719,438    47,040,016"), "\(text.stdout)")
    let result = try run(["data", "--json", "--validation", "1000"])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let files = try #require(object["files"] as? [[String: Any]])
    #expect(files.count == 4)
    #expect(files[0]["file_bytes"] as? Int == 9_719_438 && files[0]["decompressed_bytes"] as? Int == 47_040_016)
    #expect(files.allSatisfy { $0["check"] as? String == "ok" })
    let split = try #require(object["split"] as? [String: Any])
    #expect(split["train"] as? Int == 59_000 && split["validation"] as? Int == 1_000 && split["test"] as? Int == 10_000)
    let classes = try #require(object["classes"] as? [[String: Any]])
    #expect(classes.count == 10 && classes.map { $0["train"] as! Int }.reduce(0, +) == 59_000)
    #expect(((object["pixels"] as? [String: Any])?["mean"] as? Double).map { abs($0 - 0.1307) < 0.001 } == true)
  }

  @Test func listPrintsJSONAndCacheInfoAndPruneKeepWhatAStudyUses() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let study = scratch.path("study.yaml")
    try smallStudy.write(toFile: study, atomically: true, encoding: .utf8)
    let cache = scratch.path("cache")
    func build() throws {
      let built = try run([
        "build", "--study", study, "--out", scratch.path("out"), "--profile", "quick", "--cache", cache, "--quiet",
      ])
      #expect(built.status == 0, "\(built.stderr)")
    }
    try build()
    let listed = try run(["list", "--study", study, "--profile", "quick", "--cache", cache, "--json"])
    #expect(listed.status == 0, "\(listed.stderr)")
    let cells = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
    #expect(cells.count == 1 && cells[0]["cell"] as? String == "baseline" && cells[0]["state"] as? String == "cached")
    #expect((cells[0]["key"] as? String)?.count == 64)

    // Another setting: the old entries are no longer used.
    try smallStudy.replacingOccurrences(of: "epochs: 1}", with: "epochs: 2}")
      .write(toFile: study, atomically: true, encoding: .utf8)
    try build()
    let info = try run(["cache", "info", "--cache", cache, "--json"])
    #expect(info.status == 0, "\(info.stderr)")
    let kinds = try #require(
      (try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])?["kinds"] as? [[String: Any]])
    func entries(_ kind: String) -> Int? { kinds.first { $0["kind"] as? String == kind }?["entries"] as? Int }
    #expect(entries("cells") == 2 && entries("runs") == 2 && entries("timings") == 2)
    let table = try run(["cache", "info", "--cache", cache])
    #expect(table.stdout.contains("cells") && table.stdout.contains("each cell's result"))

    // A killed writer's temporary file, an hour old.
    let stale = cache + "/runs/.abc.json.host-1-2.tmp"
    try "{".write(toFile: stale, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: stale)

    let arguments = ["cache", "prune", "--cache", cache, "--study", study, "--profile", "quick"]
    let dry = try run(arguments + ["--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.contains("would remove 1 runs, 1 timings, 1 cells, 1 temporary files"), "\(dry.stdout)")
    #expect(FileManager.default.fileExists(atPath: stale), "a dry run removes nothing")
    let pruned = try run(arguments)
    #expect(pruned.status == 0, "\(pruned.stderr)")
    #expect(pruned.stdout.contains("removed 1 runs, 1 timings, 1 cells, 1 temporary files"), "\(pruned.stdout)")
    #expect(!FileManager.default.fileExists(atPath: stale))
    // What the study uses is still there: the next build trains nothing.
    let again = try run([
      "build", "--study", study, "--out", scratch.path("out"), "--profile", "quick", "--cache", cache,
    ])
    #expect(again.stdout.contains("1 cells (1 cached), 0 epochs trained in this build"), "\(again.stdout)")
    let none = try run(arguments + ["--dry-run"])
    #expect(none.stdout.contains("would remove no entries"), "\(none.stdout)")
  }
}

extension CommandsForScripts {
  @Test func buildTakesChangesFromTheCommandLineAndRenderKeepsThem() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let study = scratch.path("study.yaml")
    try smallStudy.write(toFile: study, atomically: true, encoding: .utf8)
    let common = ["--study", study, "--profile", "quick", "--cache", scratch.path("cache")]
    let changes = ["--set", "base.epochs=2", "--set", "cells.baseline.settings.learning_rate=2e-3", "--seed", "5"]
    let built = try run(["build"] + common + changes + ["--out", scratch.path("out"), "--quiet"])
    #expect(built.status == 0, "\(built.stderr)")
    let history = try String(contentsOfFile: scratch.path("out/runs/baseline/baseline.csv"), encoding: .utf8)
    #expect(history.split(separator: "\n").count == 3, "2 epochs")
    let report = try String(contentsOfFile: scratch.path("out/report.md"), encoding: .utf8)
    #expect(
      report.contains(
        "Changed from the command line | --set base.epochs=2, --set cells.baseline.settings.learning_rate=2e-3, --seed 5"
      ),
      "the provenance lists the changes")
    let results = try String(contentsOfFile: scratch.path("out/results.json"), encoding: .utf8)
    #expect(results.contains("\"flag\" : \"--seed 5\""))

    // Part of the keys: the same changes find the cache, the file alone does not.
    let same = try run(["list"] + common + changes + ["--json"])
    #expect(same.stdout.contains("\"state\" : \"cached\""), "\(same.stdout)")
    let plain = try run(["list"] + common + ["--json"])
    #expect(plain.stdout.contains("\"state\" : \"to_run\""), "\(plain.stdout)")

    // render applies the build's changes again.
    let before = try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/report.html")))
    let rendered = try run(["render", "--from", scratch.path("out"), "--quiet"])
    #expect(rendered.status == 0, "\(rendered.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/report.html"))) == before)

    // A seed is a whole number, 0 or more, for every command that takes one.
    let bad = try run(["build"] + common + ["--seed", "-3", "--out", scratch.path("bad")])
    #expect(bad.status != 0 && bad.stderr.contains("The value '-3' is invalid for '--seed <n>'"), "\(bad.stderr)")
    let unknown = try run(["build"] + common + ["--set", "cells.nope.epochs=1", "--out", scratch.path("bad")])
    #expect(unknown.stderr.contains("no cell has the id 'nope' (cells: baseline)"), "\(unknown.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("bad")))
    let help = try run(["build", "--help"])
    #expect(help.stdout.contains("--set <key=value>") && help.stdout.contains("--seed <n>"))
  }
}

extension CommandsForScripts {
  /// A saved model whose run diverged has no model to export: it is not trained again on
  /// every build for want of one.
  @Test func aDivergedSavedRunIsCachedLikeAnyOther() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let study = scratch.path("study.yaml")
    // A learning rate of 10 with momentum 0.99 blows up in the first epoch.
    try """
    title: Diverging
    data: {validation: 600, seed: 1}
    base: {hidden: [512, 512], dropout: 0, epochs: 2, optimizer: momentum, momentum: 0.99, learning_rate: 10, initializer: he_normal}
    cells:
      - id: baseline
        kind: train
        test: true
        save: true
    """.write(toFile: study, atomically: true, encoding: .utf8)
    let arguments = [
      "build", "--study", study, "--out", scratch.path("out"), "--profile", "quick", "--cache", scratch.path("cache"),
    ]
    let first = try run(arguments)
    #expect(first.status == 0, "\(first.stderr)")
    let results = try String(contentsOfFile: scratch.path("out/results.json"), encoding: .utf8)
    #expect(results.contains("\"status\" : \"diverged\""))
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("out/models")).isEmpty)
    let second = try run(arguments)
    #expect(second.stdout.contains("1 cells (1 cached), 0 epochs trained in this build"), "\(second.stdout)")
  }
}
