import Foundation
import Testing

/// results.json carries the study's conclusions: each comparison's verdict read from a
/// build's results.json is the one its report states, in the words the report uses for it.
@Suite struct Findings {
  static let study = """
    title: Findings
    data: {validation: 600, seed: 3}
    base: {hidden: [16], dropout: 0.1, optimizer: adam, learning_rate: 0.003, epochs: 2}
    repeats: 3
    cells:
      - id: optimizers
        kind: compare
        variants:
          - {name: Adam}
          - {name: slow SGD, optimizer: sgd, learning_rate: 0.0001}
          - {name: AdamW, optimizer: adamw}
    """

  /// The word a finding uses for each verdict, in the sentence that names the variant.
  static let words = ["better": "better", "worse": "worse", "indistinguishable": "indistinguishable"]

  @Test func theReportStatesTheVerdictsThatResultsJSONHolds() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let study = scratch.path("study.yaml")
    try Self.study.write(toFile: study, atomically: true, encoding: .utf8)
    let built = try run([
      "build", "--study", study, "--profile", "quick", "--cache", scratch.path("cache"), "--out", scratch.path("out"),
      "--quiet",
    ])
    #expect(built.status == 0, "\(built.stderr)")
    let results =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("out/results.json"))))
      as! [String: Any]
    let cell = (results["cells"] as! [[String: Any]]).first { $0["id"] as? String == "optimizers" }!
    let findings = cell["findings"] as! [String: Any]
    #expect(findings["reference_name"] as? String == "Adam")
    let verdicts = (findings["variants"] as! [[String: Any]]).compactMap { variant -> (String, String)? in
      guard let comparison = variant["comparison"] as? [String: Any] else { return nil }
      return (variant["name"] as! String, comparison["verdict"] as! String)
    }
    #expect(verdicts.map(\.0) == ["slow SGD", "AdamW"])
    #expect(
      verdicts.contains { $0 == ("slow SGD", "worse") }, "a learning rate 30 times too small is worse: \(verdicts)")
    let report = try String(contentsOfFile: scratch.path("out/report.md"), encoding: .utf8)
    let sentences = report.components(separatedBy: ". ")
    for (name, verdict) in verdicts {
      let word = try #require(Self.words[verdict])
      #expect(
        sentences.contains { $0.contains(name) && $0.contains(word) },
        "the report says '\(word)' of \(name), as results.json's verdict '\(verdict)'")
      for other in Self.words.values where other != word {
        #expect(
          !sentences.contains { $0.contains(name) && $0.contains(other) && !$0.contains(word) },
          "the report says '\(other)' of \(name), against results.json's verdict '\(verdict)'")
      }
    }
  }
}
