import Foundation
import Testing

/// `mnist-report diff OLD NEW`: the change made and nothing else, in three formats, and a
/// failing exit for CI when the tuned model got worse.
@Suite struct DiffCommand {
  @Test func aChangedSettingShowsThatChangeAndTheMetricsItMoved() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let study = scratch.path("study.yaml")
    try renderedStudy.write(toFile: study, atomically: true, encoding: .utf8)
    let common = ["--study", study, "--profile", "quick", "--cache", scratch.path("cache"), "--quiet"]
    #expect(try run(["build"] + common + ["--out", scratch.path("a")]).status == 0)
    let worse = try run(["build"] + common + ["--out", scratch.path("b"), "--set", "base.hidden=[1]"])
    #expect(worse.status == 0, "\(worse.stderr)")

    let same = try run(["diff", scratch.path("a"), scratch.path("a") + "/results.json"])
    #expect(same.status == 0, "\(same.stderr)")
    #expect(same.stdout.contains("Study: the same data, seed, profile and engine"))
    #expect(same.stdout.contains("Cells: the same cells with the same settings"))
    #expect(same.stdout.contains("every metric the same, bit for bit"))
    #expect(same.stdout.contains("every verdict the same, as each build's results.json states them"))

    let text = try run(["diff", scratch.path("a"), scratch.path("b")])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.contains("changed from the command line") && text.stdout.contains("--set base.hidden=[1]"))
    #expect(text.stdout.contains("hidden: [16] → [1]"), "\(text.stdout)")
    #expect(text.stdout.contains("tuned") && text.stdout.contains("test accuracy") && text.stdout.contains("changed"))
    #expect(!text.stdout.contains("data  "), "the data cell has no settings or metrics to change")

    let markdown = try run(["diff", scratch.path("a"), scratch.path("b"), "--markdown"])
    #expect(markdown.stdout.contains("## Metrics") && markdown.stdout.contains("| tuned | tuned | test accuracy |"))
    let html = try run(["diff", scratch.path("a"), scratch.path("b"), "--html"])
    #expect(html.stdout.hasPrefix("<!doctype html>") && html.stdout.contains("<td>hidden: [16] → [1]</td>"))
    #expect(!html.stdout.contains("<script"))

    // For CI: a fall of more than the points given fails; a rise never does.
    let failing = try run(["diff", scratch.path("a"), scratch.path("b"), "--fail-if-worse", "1"])
    #expect(failing.status == 1)
    #expect(failing.stderr.contains("the tuned model's test accuracy (tuned) fell from"), "\(failing.stderr)")
    #expect(try run(["diff", scratch.path("b"), scratch.path("a"), "--fail-if-worse", "1"]).status == 0)
    let negative = try run(["diff", scratch.path("a"), scratch.path("b"), "--fail-if-worse", "-1"])
    #expect(negative.status != 0 && negative.stderr.contains("--fail-if-worse must be a number of points, 0 or more"))
    let missing = try run(["diff", scratch.path("a"), scratch.path("nowhere")])
    #expect(missing.status != 0 && missing.stderr.contains("nowhere/results.json: no results there"))
  }
}
