import Foundation
import TestFixtures
import Testing

/// schemas/results.schema.json describes results.json: the published study's holds to it
/// (and every build and render in these tests is checked too, in `run`), and what the schema
/// does not describe — an old name, a number as text, an unknown enum value — is caught.
@Suite struct ResultsSchema {
  static let published = packageRoot.appendingPathComponent("reports/results.json").path

  @Test func thePublishedResultsMatchTheSchema() {
    let problems = resultsSchemaViolations(ofFile: Self.published)
    let count = problems.count
    #expect(count == 0, "\(problems.prefix(10).joined(separator: "\n"))")
  }

  /// Each change to the published results.json, with what the validator must say of it.
  @Test(arguments: [
    (#""format_version" : 3"#, #""format_version" : 2"#, "expected 3, found 2"),
    (#""epochs_trained" : "#, #""epochsTrained" : "#, "unexpected key 'epochsTrained'"),
    (#""val_accuracy" : "#, #""validationAccuracy" : "#, "unexpected key 'validationAccuracy'"),
    (#""batch_size" : 128,"#, #""batch_size" : "128","#, "expected integer, found string"),
    (#""reason" : "completed""#, #""reason" : "finished""#, "matches 0 of oneOf"),
    (#""kind" : "split""#, #""split" : {}"#, "matches 0 of oneOf"),
    (#""status" : "completed""#, #""status" : "early-stopped""#, "'early-stopped' is not one of"),
    (#""mean_test_score" : ["#, #""mean_test_score" : ["NaN", "#, "expected number or null, found string"),
    (#""best_candidate" : "#, #""bestIndex" : "#, "missing 'best_candidate'"),
  ])
  func theSchemaCatchesWhatItDoesNotDescribe(_ change: (String, String, String)) throws {
    let text = try String(contentsOfFile: Self.published, encoding: .utf8)
    let range = try #require(text.range(of: change.0), "the published results have \(change.0)")
    let changed = text.replacingCharacters(in: range, with: change.1)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("results-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: file) }
    try changed.write(to: file, atomically: true, encoding: .utf8)
    let problems = resultsSchemaViolations(ofFile: file.path)
    let caught = problems.contains { $0.contains(change.2) }
    #expect(caught, "\(problems.prefix(5))")
  }
}
