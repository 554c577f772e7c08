import Foundation
import NN
import Testing
import Yams

@testable import Study

/// results.json, format 2: the study file's names, numbers at full precision, enums as named
/// fields, and non-finite numbers as null.
@Suite struct ResultsFormat {
  /// Settings written to results.json read back as a study file's settings mapping (JSON is
  /// YAML) give the same settings: the names and forms are the study file's.
  @Test(arguments: [
    "{}",
    "{dropout: 0.25, initializer: he_normal, optimizer: momentum, momentum: 0.8, batch_norm: true}",
    "{schedule: {kind: step, step: 3, gamma: 0.5}, warmup: {epochs: 2, start: 0.2}, epochs: 9}",
    "{schedule: {kind: cosine, min_lr: 0.00001}, early_stopping: {monitor: val_accuracy, patience: 2}}",
    "{schedule: {kind: plateau, factor: 0.5, patience: 3}, learning_rate: 0.0006614477241158286}",
    "{schedule: {kind: exponential, gamma: 0.9}, dropout: [0.1, 0.2, 0.3], input_dropout: 0.2}",
  ])
  func settingsReadBackAsTheStudyFileWritesThem(_ yaml: String) throws {
    var settings = RunSettings()
    try settings.apply(YAMLValue(node: try #require(try compose(yaml: yaml)), path: "", file: "t"))
    let json = String(decoding: try ResultsJSON.encode(settings), as: UTF8.self)
    #expect(!json.contains("_0") && !json.contains("Rate") && !json.contains("Size"), "\(json)")
    var read = RunSettings()
    try read.apply(YAMLValue(node: try #require(try compose(yaml: json)), path: "", file: "results.json"))
    #expect(read == settings, "\(json)")
    #expect(try ResultsJSON.decode(RunSettings.self, from: Data(json.utf8)) == settings)
  }

  @Test func nonFiniteNumbersAreNullAndReadBackAsNaN() throws {
    struct Sample: Codable {
      var values: [Double]
      var loss: Double?
      var names: [String]
    }
    let sample = Sample(values: [1.5, .nan, .infinity, -.infinity], loss: .nan, names: ["NaN", "null", "a \"null\""])
    let text = String(decoding: try ResultsJSON.encode(sample), as: UTF8.self)
    #expect(text.contains("null,\n    null,\n    null"), "\(text)")
    #expect(text.contains("\"loss\" : null"))
    #expect(text.contains("\"NaN\"") && text.contains("\"null\"") && text.contains("\"a \\\"null\\\"\""))
    let back = try ResultsJSON.decode(Sample.self, from: Data(text.utf8))
    #expect(back.values[0] == 1.5 && back.values.dropFirst().allSatisfy(\.isNaN))
    #expect(back.loss?.isNaN == true)
    #expect(back.names == sample.names)
  }

  @Test func enumsAreNamedFields() throws {
    func json<T: Encodable>(_ value: T) throws -> String {
      String(decoding: try ResultsJSON.encode(value), as: UTF8.self).filter { !$0.isWhitespace }
    }
    #expect(try json(StopReason.earlyStopped(epoch: 12)) == #"{"epoch":12,"reason":"early_stopped"}"#)
    #expect(try json(StopReason.diverged(epoch: 1, batch: 7)) == #"{"batch":7,"epoch":1,"reason":"diverged"}"#)
    #expect(try json(TrainingData.fold(1, of: 3)) == #"{"fold":1,"folds":3,"kind":"fold"}"#)
    #expect(try json(TrainingData.resampled(2)) == #"{"kind":"resampled","repeat":2}"#)
    #expect(try json(ScheduleSettings.none) == #"{"kind":"none"}"#)
    #expect(try json(RunSettings.Dropout.all(0.3)) == "0.3")
    #expect(try json(Distribution.logUniform(0.0005, 0.003)) == #"{"log_uniform":[0.0005,0.003]}"#)
    for value in [StopReason.completed, .earlyStopped(epoch: 3), .diverged(epoch: 2, batch: 0), .cancelled] {
      #expect(try ResultsJSON.decode(StopReason.self, from: ResultsJSON.encode(value)) == value)
    }
  }

  /// A search's candidates as scikit-learn's cv_results_, numbered from 1 as the report
  /// numbers them, with the drawn values at full precision.
  @Test func searchResultsAreCVResultsColumns() throws {
    let study = try Study.parse(validStudy, file: "s")
    let search = try #require(study.cell("search")?.search)
    let drawn = search.candidates.map { $0.settings.learningRate }
    let candidates = search.candidates.enumerated().map { i, c in
      SearchCandidateResult(
        index: i, parameters: c.parameters, foldScores: [0.9, i == 1 ? .nan : 0.8], meanScore: 0.85, stdScore: 0.05,
        rank: i + 1, meanFitSeconds: 1, stdFitSeconds: 0.1, epochs: 2, round: 0)
    }
    let result = SearchResult(
      method: .random, folds: 2,
      space: Dictionary(uniqueKeysWithValues: search.space.map { ($0.key, $0.distribution) }),
      candidates: candidates, bestIndex: 0, rounds: [SearchRound(candidates: 3, epochs: 2)], foldEpochs: 12,
      fullSearchFoldEpochs: 12)
    let data = try ResultsJSON.encode(result)
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let columns = try #require(object["cv_results"] as? [String: Any])
    #expect(object["best_candidate"] as? Int == 1)
    #expect(columns["candidate"] as? [Int] == Array(1...candidates.count))
    #expect(columns["param_learning_rate"] as? [Any] != nil)
    #expect((columns["split1_test_score"] as? [Any])?[1] is NSNull)
    #expect(
      Set(columns.keys).isSuperset(of: [
        "params", "param_width", "split0_test_score", "mean_test_score", "std_test_score", "rank_test_score",
        "mean_fit_time", "std_fit_time",
      ]))
    #expect(columns["iter"] == nil, "iter and n_resources are halving's")
    let back = try ResultsJSON.decode(SearchResult.self, from: data)
    #expect(back.candidates.map(\.parameters) == candidates.map(\.parameters))
    #expect(back.candidates.map { $0.parameters[.learningRate]?.number } == drawn, "the rates trained, in full")
    #expect(back.candidates[1].foldScores[1].isNaN && back.bestIndex == 0 && back.candidates[2].epochs == 2)
    #expect(back.space == result.space)
  }

  /// Halving's cv_results has a row per candidate per round, round by round, ranked over all
  /// rows as scikit-learn ranks them (`rankdata(-mean_test_score, method="min")`: scipy gives
  /// [3, 6, 2, 5, 4, 1] for these means); read back, each candidate is its last round's row
  /// with its earlier ones, ranked as the report ranks it, by round reached and then score.
  @Test func halvingHasARowPerCandidatePerRound() throws {
    func row(_ index: Int, _ score: Double, round: Int, earlier: [SearchCandidateResult] = []) -> SearchCandidateResult
    {
      SearchCandidateResult(
        index: index, parameters: [.learningRate: .number(0.001 * Double(index + 1))], foldScores: [score, score],
        meanScore: score, stdScore: 0, rank: 0, meanFitSeconds: 1, stdFitSeconds: 0, epochs: round + 1,
        round: round, earlierRounds: earlier)
    }
    let first = [0.80, 0.70, 0.85, 0.75].enumerated().map { row($0, $1, round: 0) }
    let candidates = [
      row(0, 0.78, round: 1, earlier: [first[0]]), first[1], row(2, 0.90, round: 1, earlier: [first[2]]), first[3],
    ]
    let result = SearchResult(
      method: .halving, folds: 2, space: [.learningRate: .logUniform(0.001, 0.004)],
      candidates: rankedByEpochsReached(candidates), bestIndex: 2,
      rounds: [SearchRound(candidates: 4, epochs: 1), SearchRound(candidates: 2, epochs: 2)], foldEpochs: 16,
      fullSearchFoldEpochs: 16)
    let data = try ResultsJSON.encode(result)
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let columns = try #require(object["cv_results"] as? [String: Any])
    #expect(columns["candidate"] as? [Int] == [1, 2, 3, 4, 1, 3])
    #expect(columns["iter"] as? [Int] == [0, 0, 0, 0, 1, 1])
    #expect(columns["n_resources"] as? [Int] == [1, 1, 1, 1, 2, 2])
    #expect(columns["mean_test_score"] as? [Double] == [0.80, 0.70, 0.85, 0.75, 0.78, 0.90])
    #expect(columns["rank_test_score"] as? [Int] == [3, 6, 2, 5, 4, 1])
    #expect(object["best_candidate"] as? Int == 3)
    let back = try ResultsJSON.decode(SearchResult.self, from: data)
    #expect(back.candidates.map(\.index) == [0, 1, 2, 3])
    #expect(back.candidates.map(\.round) == [1, 0, 1, 0])
    #expect(back.candidates.map(\.rank) == [2, 4, 1, 3])
    #expect(back.candidates[0].earlierRounds.map(\.meanScore) == [0.80])
    #expect(try ResultsJSON.encode(back) == data, "read back and written again, the same bytes")
  }

  @Test func aDrawnValueIsShownRoundedAndKeptWhole() {
    let value = SettingValue(Node("0.0006614477241158286"))
    #expect(value == .number(0.0006614477241158286) && value.description == "0.000661")
    #expect(SettingValue(Node([Node("512"), Node("256")])).description == "[512, 256]")
    #expect(SettingValue(Node("adam")) == .text("adam") && SettingValue(Node("true")) == .bool(true))
  }
}
