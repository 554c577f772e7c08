import Data
import Testing

@testable import Study
@testable import Tensor

@Suite struct SearchSemantics {
  @Test func foldsMatchAnIndependentComputation() {
    // Computed by a Python transcription of SplitMix64, xoshiro256**, Lemire's bounded draw,
    // Fisher-Yates and the round-robin dealing of StratifiedSplit.foldAssignment.
    let labels: [Int32] = [0, 0, 0, 1, 1, 1, 1, 2, 2, 0, 1]
    #expect(
      StratifiedSplit.foldAssignment(labels: labels, folds: 3, seed: SeedPath(1)) == [1, 0, 2, 0, 1, 2, 2, 0, 1, 0, 1])
  }

  @Test func choicesAreDrawnFromTheGridWithoutReplacement() throws {
    let study = try Study.parse(validStudy.replacingOccurrences(of: "candidates: 3", with: "candidates: 3"), file: "s")
    let widths = study.cell("search")!.search!.candidates.map(\.settings.hidden)
    #expect(widths.count == 3)
    let allChoice = validStudy.replacingOccurrences(
      of: "learning_rate: {log_uniform: [0.0001, 0.01]}", with: "learning_rate: {choice: [0.001, 0.01]}"
    ).replacingOccurrences(of: "candidates: 3", with: "candidates: 10")
    let grid = try Study.parse(allChoice, file: "s").cell("search")!.search!
    // 2 widths × 2 rates: all four, each once, although ten were asked for.
    #expect(grid.candidates.count == 4)
    let pairs = Set(grid.candidates.map { "\($0.settings.hidden)-\($0.settings.learningRate)" })
    #expect(pairs.count == 4)
  }

  @Test func drawnValuesStayInTheirRangesAndRepeatWithTheSeed() throws {
    let spec = try Study.parse(validStudy, file: "s").cell("search")!.search!
    for candidate in spec.candidates {
      #expect(candidate.settings.learningRate >= 0.0001 && candidate.settings.learningRate <= 0.01)
      #expect(candidate.settings.hidden == [16, 16] || candidate.settings.hidden == [32, 32])
      #expect(candidate.parameters.keys.sorted() == [.learningRate, .width])
    }
    let again = try Study.parse(validStudy, file: "s").cell("search")!.search!
    #expect(again.candidates.map(\.settings) == spec.candidates.map(\.settings))
    let reseeded = try Study.parse(validStudy.replacingOccurrences(of: "seed: 7", with: "seed: 8"), file: "s")
    #expect(reseeded.cell("search")!.search!.candidates.map(\.settings) != spec.candidates.map(\.settings))
  }

  @Test func halvingRoundsFollowHalvingRandomSearchCV() throws {
    let text = validStudy.replacingOccurrences(
      of: "    candidates: 3\n", with: "    method: halving\n    candidates: 12\n    factor: 3\n    min_epochs: 2\n"
    )
    .replacingOccurrences(of: "    folds: 2\n", with: "    folds: 2\n    settings: {epochs: 8}\n")
    let spec = try Study.parse(text, file: "s").cell("search")!.search!
    // n_required = 1 + ⌊log₃ 12⌋ = 3, n_possible = 1 + ⌊log₃(8 / 2)⌋ = 2: two rounds.
    let rounds = spec.rounds(maxEpochs: 8)
    #expect(rounds.map(\.candidates) == [12, 4] && rounds.map(\.epochs) == [2, 6])
    #expect(spec.rounds(maxEpochs: 54).map(\.epochs) == [2, 6, 18])
    #expect(spec.rounds(maxEpochs: 54).map(\.candidates) == [12, 4, 2])
  }
}

/// Hyperband (`method: hyperband`): its brackets are Li et al.'s, each bracket races its own
/// candidates, survivors are the best of their bracket's round, and the winner is the best
/// of those that reached the full epochs.
@Suite struct HyperbandSearch {
  /// Li et al., "Hyperband" (JMLR 2018), Table 1: R = 81, η = 3.
  @Test func bracketsAreTheOnesOfThePaper() {
    let brackets = SearchCell.hyperband(maxEpochs: 81, minEpochs: 1, factor: 3)
    #expect(brackets.map { $0.map(\.candidates) } == [[81, 27, 9, 3, 1], [34, 11, 3, 1], [15, 5, 1], [8, 2], [5]])
    #expect(brackets.map { $0.map(\.epochs) } == [[1, 3, 9, 27, 81], [3, 9, 27, 81], [9, 27, 81], [27, 81], [81]])
    // Every bracket's last round trains on the full budget, whatever R.
    for bracket in SearchCell.hyperband(maxEpochs: 20, minEpochs: 1, factor: 3) { #expect(bracket.last?.epochs == 20) }
  }

  static let study = validStudy.replacingOccurrences(
    of: "    candidates: 3\n    folds: 2\n",
    with: "    method: hyperband\n    factor: 2\n    min_epochs: 1\n    settings: {epochs: 4}\n")

  @Test func theStudyFileGivesItsCandidatesAndScoresOnValidation() throws {
    let spec = try #require(try Study.parse(Self.study, file: "s").cell("search")?.search)
    // R = 4, η = 2: brackets of 4, 3 and 3 candidates.
    #expect(spec.candidates.count == 10 && spec.folds == 1)
    let refused = studyError(
      Self.study.replacingOccurrences(
        of: "    method: hyperband\n", with: "    method: hyperband\n    candidates: 27\n"))
    #expect(refused?.description.contains("Hyperband draws as many candidates as its brackets start with (10") == true)
  }

  /// A tiny build of `study` with every candidate, fold and epoch it asks for (the test
  /// profile cuts only the images).
  static func fullBuild(_ study: String) -> TinyBuild {
    var build = TinyBuild()
    build.study = study
    build.profile = Profile(
      name: "test", trainLimit: 600, validationLimit: 200, testLimit: 300, maxEpochs: nil, maxCandidates: nil,
      maxFolds: nil)
    return build
  }

  @Test func eachBracketRacesItsOwnCandidatesAndTheWinnerReachedTheFullBudget() throws {
    let build = Self.fullBuild(Self.study)
    defer { build.remove() }
    let results = try build.run()
    let search = try #require(results.cells.first { $0.id == "search" }?.search)
    #expect(search.method == .hyperband && search.folds == 1)
    #expect(search.rounds.map(\.candidates) == [4, 2, 1, 3, 1, 3])
    #expect(search.rounds.map(\.bracket) == [0, 0, 0, 1, 1, 2])
    let byBracket = Dictionary(grouping: search.candidates, by: \.bracket)
    #expect(byBracket.mapValues(\.count) == [0: 4, 1: 3, 2: 3])
    // Survivors of each round are the best of their bracket's candidates at that round.
    for (_, members) in byBracket {
      let rounds = members.map { $0.trainedRounds.count }.max() ?? 1
      for round in 0..<(rounds - 1) {
        let scored = members.compactMap { m in m.trainedRounds.first { $0.round == round } }
        let survivors = Set(members.filter { $0.round > round }.map(\.index))
        let worstKept = scored.filter { survivors.contains($0.index) }.map(\.meanScore).min() ?? 1
        let bestDropped = scored.filter { !survivors.contains($0.index) }.map(\.meanScore).max() ?? 0
        #expect(worstKept >= bestDropped)
      }
    }
    let best = try #require(search.best)
    let finalists = search.candidates.filter { $0.epochs == 4 }
    #expect(finalists.count == 1 + 1 + 3 && best.epochs == 4)
    #expect(best.meanScore == finalists.map(\.meanScore).max())
    // The rows of cv_results read back to the same candidates.
    let decoded = try ResultsJSON.decoder().decode(
      SearchResult.self, from: ResultsJSON.encoder(nonFinite: true).encode(search))
    #expect(decoded.candidates.map(\.bracket) == search.candidates.map(\.bracket))
    #expect(decoded.candidates.map(\.rank) == search.candidates.map(\.rank) && decoded.bestIndex == search.bestIndex)
  }

  /// `rescore: 3`: the search's three best retrained once at the final settings; the highest
  /// validation accuracy there is the model retrained and tested, its repeat 0 that run.
  @Test func theTopCandidatesAreRescoredAtTheFinalBudget() throws {
    let build = Self.fullBuild(
      Self.study.replacingOccurrences(of: "    from: search\n", with: "    from: search\n    rescore: 3\n"))
    defer { build.remove() }
    let results = try build.run()
    let search = try #require(results.cells.first { $0.id == "search" }?.search)
    guard case .final(let final)? = results.cells.first(where: { $0.id == "tuned" })?.outcome else {
      Issue.record("the final cell has no outcome")
      return
    }
    let top = search.candidates.sorted { ($0.rank, $0.index) < ($1.rank, $1.index) }.prefix(3)
    #expect(final.rescored.map(\.candidate) == top.map { $0.index + 1 })
    let chosen = try #require(final.rescored.first { $0.chosen })
    #expect(final.rescored.filter(\.chosen).count == 1)
    #expect(chosen.validationAccuracy == final.rescored.map(\.validationAccuracy).max())
    #expect(final.candidateParameters == search.candidate(number: chosen.candidate)?.parameters)
    #expect(final.run.run.bestValidationAccuracy == chosen.validationAccuracy)
    #expect(final.rescored.allSatisfy { $0.testAccuracy != nil })
    // The winner's re-scoring run is its repeat 0: trained once, counted once.
    let tuned = try #require(results.cells.first { $0.id == "tuned" })
    #expect(tuned.origins.trained == 3 && tuned.origins.epochsTrained == tuned.epochsUsed)
    let study = try Study.parse(build.study, file: "s")
    #expect(study.cell("tuned")?.body.behaviour.stageCount(profile: build.profile, settings: RunSettings()) == 2)
  }
}
