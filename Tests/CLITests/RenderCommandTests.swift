import Foundation
import Testing

/// A study of every kind that tests a model (so that it has predictions.csv), small enough
/// for the quick profile to build in a few seconds.
let renderedStudy = """
  title: Rendered
  description: A study rendered again from its results.
  data: {validation: 600, seed: 2, normalization: standardize}
  base: {hidden: [16], dropout: 0.1, optimizer: adam, learning_rate: 0.003, epochs: 2}
  key_results: {baseline: baseline, tuned: tuned}
  cells:
    - id: data
      kind: data
    - id: baseline
      kind: train
      title: Baseline
      explanation: The reference network.
      test: true
    - id: optimizers
      kind: compare
      variants:
        - {name: SGD, optimizer: sgd, learning_rate: 0.1}
        - {name: Adam}
    - id: search
      kind: search
      candidates: 2
      folds: 2
      space:
        learning_rate: {log_uniform: [0.001, 0.01]}
    - id: tuned
      kind: final
      from: search
  """

/// Writes `study` as `scratch`'s study.yaml and builds it on the quick profile into out/,
/// its cache in cache/.
func buildQuick(_ study: String, in scratch: Scratch) throws -> CommandResult {
  try study.write(toFile: scratch.path("study.yaml"), atomically: true, encoding: .utf8)
  return try run([
    "build", "--study", scratch.path("study.yaml"), "--out", scratch.path("out"), "--profile", "quick", "--cache",
    scratch.path("cache"), "--quiet",
  ])
}

/// `render` reproduces a build's report from its results folder alone, as a fresh clone of
/// the published `reports/` would: no cache, no training, the same bytes.
@Suite struct RenderCommand {
  /// Every file under `folder`, by its path inside it.
  func files(_ folder: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let manager = FileManager.default
    for path in try manager.subpathsOfDirectory(atPath: folder) {
      var isFolder: ObjCBool = false
      let full = (folder as NSString).appendingPathComponent(path)
      guard manager.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue else { continue }
      files[path] = try Data(contentsOf: URL(fileURLWithPath: full))
    }
    return files
  }

  func build(_ scratch: Scratch) throws -> CommandResult {
    try run([
      "build", "--study", scratch.path("study.yaml"), "--out", scratch.path("built"), "--profile", "quick", "--cache",
      scratch.path("cache"), "--quiet",
    ])
  }

  @Test func renderReproducesTheBuildsReportByteForByteWithoutTheCache() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try renderedStudy.write(toFile: scratch.path("study.yaml"), atomically: true, encoding: .utf8)
    let built = try build(scratch)
    #expect(built.status == 0, "\(built.stderr)")
    let original = try files(scratch.path("built"))
    #expect(original["predictions.csv"] != nil && original["report.html"] != nil && original["results.json"] != nil)
    #expect(original.keys.contains { $0.hasPrefix("figures/") && $0.hasSuffix(".png") })

    // The results folder alone, as a clone has it: the cache is gone.
    try FileManager.default.removeItem(atPath: scratch.path("cache"))
    try FileManager.default.copyItem(atPath: scratch.path("built"), toPath: scratch.path("clone"))
    let result = try run(["render", "--from", scratch.path("clone"), "--study", scratch.path("study.yaml")])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("report: "))
    #expect(!FileManager.default.fileExists(atPath: scratch.path("cache")), "render never touches a cache")
    let rendered = try files(scratch.path("clone"))
    #expect(Set(rendered.keys) == Set(original.keys), "the same files")
    for (path, bytes) in original { #expect(rendered[path] == bytes, "\(path) is rendered byte for byte") }

    // Into another folder, with the study file that results.json names.
    let again = try run(["render", "--from", scratch.path("built"), "--out", scratch.path("again")])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try files(scratch.path("again")) == original)
  }

  @Test func captionsChangeWithoutTrainingAndChangedSettingsAreNamed() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try renderedStudy.write(toFile: scratch.path("study.yaml"), atomically: true, encoding: .utf8)
    #expect(try build(scratch).status == 0)
    try FileManager.default.removeItem(atPath: scratch.path("cache"))
    let study = scratch.path("study.yaml")

    // `list` sees the cells in the results folder though the cache is empty.
    let listed = try run([
      "list", "--study", study, "--profile", "quick", "--cache", scratch.path("cache"), "--results",
      scratch.path("built"),
    ])
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(listed.stdout.split(separator: "\n").filter { $0.contains("in results") }.count == 5)
    #expect(listed.stdout.contains("holds every cell: mnist-report render"))
    // The full profile's cells are other runs.
    let full = try run([
      "list", "--study", study, "--cache", scratch.path("cache"), "--results", scratch.path("built"),
    ])
    #expect(!full.stdout.contains("in results") && full.stdout.contains("to run"))

    // A new explanation and title render at once.
    try renderedStudy.replacingOccurrences(
      of: "The reference network.", with: "The network everything is compared with."
    )
    .replacingOccurrences(of: "title: Baseline", with: "title: Reference")
    .write(toFile: study, atomically: true, encoding: .utf8)
    var result = try run(["render", "--from", scratch.path("built"), "--study", study])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try String(contentsOfFile: scratch.path("built/report.md"), encoding: .utf8)
    #expect(report.contains("The network everything is compared with.") && report.contains("Reference"))
    let results = try String(contentsOfFile: scratch.path("built/results.json"), encoding: .utf8)
    #expect(results.contains("\"title\" : \"Reference\""))
    let before = try files(scratch.path("built"))

    // A changed setting is a cell the results do not hold: named, and nothing is replaced.
    try renderedStudy.replacingOccurrences(of: "candidates: 2", with: "candidates: 3")
      .write(toFile: study, atomically: true, encoding: .utf8)
    result = try run(["render", "--from", scratch.path("built"), "--study", study])
    #expect(result.status != 0)
    #expect(result.stderr.contains("holds no result for 'search', 'tuned'"), "\(result.stderr)")
    #expect(result.stderr.contains("build the study"))
    #expect(try files(scratch.path("built")) == before)

    // Another seed changes every cell.
    try renderedStudy.replacingOccurrences(of: "seed: 2", with: "seed: 3")
      .write(toFile: study, atomically: true, encoding: .utf8)
    result = try run(["render", "--from", scratch.path("built"), "--study", study])
    #expect(result.status != 0 && result.stderr.contains("any of the study's cells"))

    // A missing predictions file and a folder without results are named.
    try renderedStudy.write(toFile: study, atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(atPath: scratch.path("built/predictions.csv"))
    result = try run(["render", "--from", scratch.path("built"), "--study", study])
    #expect(result.status != 0)
    #expect(result.stderr.contains("predictions.csv: missing: it holds the test predictions of cell 'tuned'"))
    #expect(FileManager.default.fileExists(atPath: scratch.path("built/report.html")), "the old report stays")
    result = try run(["render", "--from", scratch.path("nowhere"), "--study", study])
    #expect(result.status != 0 && result.stderr.contains("nowhere/results.json: no results there"))

    // Results of the first format (camelCase, no format_version) and a file that is not
    // JSON are named as such, by render and by diff.
    try FileManager.default.createDirectory(atPath: scratch.path("old"), withIntermediateDirectories: true)
    try #"{"title": "Old", "studyFile": "studies/default.yaml", "epochsTrained": 3, "cells": []}"#
      .write(toFile: scratch.path("old/results.json"), atomically: true, encoding: .utf8)
    result = try run(["render", "--from", scratch.path("old"), "--study", study])
    #expect(result.status != 0)
    #expect(
      result.stderr.contains("old/results.json: results of format 1, and this mnist-report reads format 3"),
      "\(result.stderr)")
    result = try run(["diff", scratch.path("old"), scratch.path("built")])
    #expect(result.status != 0 && result.stderr.contains("results of format 1"), "\(result.stderr)")
    try "not json".write(toFile: scratch.path("old/results.json"), atomically: true, encoding: .utf8)
    result = try run(["render", "--from", scratch.path("old"), "--study", study])
    #expect(result.status != 0 && result.stderr.contains("old/results.json: not a results file"), "\(result.stderr)")
  }
}

extension RenderCommand {
  /// The published study is what this checkout renders from it: a clone can draw `reports/`
  /// again without training, byte for byte (and a template change that was not rendered
  /// into `reports/` fails here).
  @Test func thePublishedReportIsWhatRenderDrawsFromIt() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let published = packageRoot.appendingPathComponent("reports").path
    let result = try run(["render", "--from", published, "--out", scratch.path("out"), "--quiet"])
    #expect(result.status == 0, "\(result.stderr)")
    let expected = try files(published)
    let rendered = try files(scratch.path("out"))
    #expect(Set(rendered.keys) == Set(expected.keys), "the same files")
    for (path, bytes) in expected {
      #expect(rendered[path] == bytes, "reports/\(path) is what render draws (render or build the study again)")
    }
  }
}
