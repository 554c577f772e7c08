import Foundation
import Testing

/// A scratch folder for one test, removed by `remove()`.
struct Scratch {
  let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mnist-report-cli-" + UUID().uuidString)
  init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
  func remove() { try? FileManager.default.removeItem(at: url) }
}

let smallStudy = """
  title: Small
  data: {validation: 600, seed: 1}
  base: {hidden: [16], dropout: 0.1, epochs: 1}
  cells:
    - id: baseline
      kind: train
  """

@Suite struct BuildCommand {
  @Test func everyOptionOfBuildHasHelp() throws {
    let result = try run(["build", "--help"])
    #expect(result.status == 0)
    for option in [
      "--study", "--out", "--cache", "--profile", "--data", "--threads", "--force", "--only", "--quiet", "--verbose",
      "--templates", "--no-report", "--memory",
    ] {
      let line = result.stdout.split(separator: "\n").first { $0.contains(option + " ") || $0.hasSuffix(option) }
      #expect(line != nil, "\(option) is listed")
    }
    let top = try run(["--help"])
    for command in ["build", "list", "open"] { #expect(top.stdout.contains("  \(command) ")) }
  }

  @Test func anInvalidStudyStopsBeforeAnythingRuns() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try smallStudy.replacingOccurrences(of: "epochs: 1}", with: "epochs: 1, optimizer: adagrad}")
      .write(toFile: scratch.path("study.yaml"), atomically: true, encoding: .utf8)
    let result = try run(["build", "--study", scratch.path("study.yaml"), "--out", scratch.path("out")])
    #expect(result.status != 0)
    #expect(result.stderr.contains("study.yaml:3: base.optimizer: unknown optimizer 'adagrad'"))
    #expect(result.stderr.contains("allowed: sgd, momentum, nesterov, rmsprop, adam, adamw"))
    #expect(!FileManager.default.fileExists(atPath: scratch.path("out")))
  }

  @Test func aBrokenTemplateStopsTheBuildAndKeepsThePreviousReport() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try smallStudy.write(toFile: scratch.path("study.yaml"), atomically: true, encoding: .utf8)
    try FileManager.default.copyItem(
      atPath: packageRoot.appendingPathComponent("templates").path, toPath: scratch.path("templates"))
    try "{{% CONTENT_TYPE: MARKDOWN}}\n# {{title}}\n{{#cells}}\n".write(
      toFile: scratch.path("templates/report.md.mustache"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: true)
    try "previous".write(toFile: scratch.path("out/report.md"), atomically: true, encoding: .utf8)
    let result = try run([
      "build", "--study", scratch.path("study.yaml"), "--out", scratch.path("out"), "--cache", scratch.path("cache"),
      "--templates", scratch.path("templates"),
    ])
    #expect(result.status != 0)
    #expect(result.stderr.contains("template error: \(scratch.path("templates/report.md.mustache")):"))
    #expect(result.stderr.contains("a section is never closed"))
    #expect(try String(contentsOfFile: scratch.path("out/report.md"), encoding: .utf8) == "previous")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("cache")), "nothing trained")
  }

  @Test func listShowsEachCellAndItsCacheState() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try smallStudy.write(toFile: scratch.path("study.yaml"), atomically: true, encoding: .utf8)
    let result = try run(["list", "--study", scratch.path("study.yaml"), "--cache", scratch.path("cache")])
    #expect(result.status == 0)
    #expect(result.stdout.contains("baseline") && result.stdout.contains("to run"))
  }
}

@Suite struct OpenCommand {
  @Test func withoutAReportItSaysWhatToDo() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let result = try run(["open", "--out", scratch.path("nothing")])
    #expect(result.status != 0)
    #expect(result.stderr.contains("no report yet; run `mnist-report build` first"))
  }

  @Test func printsThePathWhenAsked() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try "<html></html>".write(toFile: scratch.path("report.html"), atomically: true, encoding: .utf8)
    let result = try run(["open", "--out", scratch.url.path, "--print-path"])
    #expect(result.status == 0)
    #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("/report.html"))
  }
}
