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
