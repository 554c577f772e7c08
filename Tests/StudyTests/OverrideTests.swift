import Foundation
import Testing

@testable import Study

/// `build --set`, `--seed` and `--dataset`: the study read as if its file said so, with the
/// file's checks, and errors that name the flag.
@Suite struct Overrides {
  func parse(_ assignments: [String], seed: UInt64? = nil, dataset: String? = nil) throws(StudyError) -> Study {
    var overrides = try assignments.map { a throws(StudyError) in try StudyOverride(assignment: a) }
    if let seed { overrides.append(.seed(seed)) }
    if let dataset { overrides.append(.dataset(dataset)) }
    return try Study.parse(validStudy, file: "s.yaml", overrides: overrides)
  }

  func message(_ assignments: [String], seed: UInt64? = nil, dataset: String? = nil) -> String {
    do {
      _ = try parse(assignments, seed: seed, dataset: dataset)
      return "accepted"
    } catch {
      return error.description
    }
  }

  @Test func valuesReachTheStudyAsIfTheFileSaidSo() throws {
    let plain = try Study.parse(validStudy, file: "s.yaml")
    let study = try parse(
      ["base.learning_rate=3e-3", "cells.baseline.settings.epochs=5", "base.hidden=[64, 32]", "title=Other"],
      seed: 11, dataset: "fashion-mnist")
    #expect(study.base.learningRate == 3e-3 && study.base.hidden == [64, 32] && study.title == "Other")
    #expect(study.cell("baseline")?.settings.epochs == 5)
    #expect(study.cell("optimizers")?.settings.epochs == 2, "only the cell named changes")
    #expect(study.cell("optimizers")?.settings.learningRate == 3e-3, "cells start from the changed base")
    #expect(study.data.seed == 11 && study.data.datasetName == "fashion-mnist")
    #expect(study.overrides.map(\.flag).last == "--dataset fashion-mnist")
    // The same study file and no changes is the plain study.
    #expect(try parse([]).base.learningRate == plain.base.learningRate)
  }

  @Test func badValuesAndPathsNameTheFlag() {
    #expect(
      message(["base.learning_rate=abc"]).hasPrefix(
        "--set base.learning_rate=abc: base.learning_rate: expected a number"))
    #expect(message(["base.lr=1"]).hasPrefix("--set base.lr=1: base.lr: unknown key 'lr' (allowed: "))
    #expect(
      message(["cells.nope.settings.epochs=5"])
        == "--set cells.nope.settings.epochs=5: cells.nope.settings.epochs: no cell has the id 'nope' (cells: data, baseline, optimizers, search, tuned)"
    )
    #expect(message(["title.x=1"]).contains("'title' is a single value, not a mapping with a key 'x'"))
    #expect(message(["base.epochs"]).contains("expected KEY=VALUE"))
    #expect(message(["base.epochs="]).contains("expected a value after '='"))
    #expect(message(["base.epochs=[1,"]).contains("--set base.epochs=[1,: base.epochs: the value is not valid YAML"))
    #expect(message(["data.seed=-1"]).hasPrefix("--set data.seed=-1: data.seed: "))
    #expect(message([], dataset: "cifar").hasPrefix("--dataset cifar: data.dataset: "))
    // An error elsewhere in the file still names its line.
    #expect(message(["cells.baseline.settings.epochs=5"]) == "accepted")
  }
}

@Suite struct SavedModels {
  @Test func aTrainCellSavesItsModelOnlyWhenTested() throws {
    let saved = try Study.parse(
      validStudy.replacingOccurrences(
        of: "title: Baseline", with: "title: Baseline\n    test: true\n    save: true"),
      file: "s.yaml")
    #expect(saved.cell("baseline")?.exportsModel == true && saved.cell("tuned")?.exportsModel == true)
    #expect(saved.cell("optimizers")?.exportsModel == false)
    #expect {
      try Study.parse(
        validStudy.replacingOccurrences(of: "title: Baseline", with: "title: Baseline\n    save: true"),
        file: "s.yaml")
    } throws: { error in
      "\(error)"
        == "s.yaml:17: cells[1].save: save: true needs test: true (a saved model is evaluated on the test set first)"
    }
  }
}
