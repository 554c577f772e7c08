import NN
import Testing

@testable import Study

/// A valid study to break one line at a time.
let validStudy = """
  title: Test
  data:
    validation: 600
    seed: 7
  base:
    hidden: [32, 16]
    dropout: [0.2, 0.1]
    optimizer: adam
    learning_rate: 0.001
    epochs: 2
  cells:
    - id: data
      kind: data
    - id: baseline
      kind: train
      title: Baseline
      settings:
        epochs: 3
    - id: optimizers
      kind: compare
      variants:
        - {name: SGD, optimizer: sgd, learning_rate: 0.1}
        - {name: Adam, optimizer: adam}
    - id: search
      kind: search
      candidates: 3
      folds: 2
      space:
        width: {choice: [16, 32]}
        learning_rate: {log_uniform: [0.0001, 0.01]}
    - id: tuned
      kind: final
      from: search
      settings: {epochs: 4}
  """

/// Parses `text` and returns the error it must raise.
func studyError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> StudyError? {
  #expect(throws: StudyError.self, sourceLocation: sourceLocation) { try Study.parse(text, file: "study.yaml") }
}

@Suite struct StudyFile {
  @Test func aValidStudyParses() throws {
    let study = try Study.parse(validStudy, file: "study.yaml")
    #expect(study.cells.map(\.id) == ["data", "baseline", "optimizers", "search", "tuned"])
    #expect(study.data.validation == 600 && study.data.seed == 7)
    let baseline = study.cell("baseline")!
    #expect(baseline.settings.epochs == 3 && baseline.settings.hidden == [32, 16])
    #expect(baseline.source.hasPrefix("id: baseline") && baseline.source.contains("epochs: 3"))
    let optimizers = study.cell("optimizers")!
    #expect(optimizers.compare!.variants.map(\.name) == ["SGD", "Adam"])
    #expect(
      optimizers.compare!.variants[0].settings.optimizer == .sgd
        && optimizers.compare!.variants[0].settings.learningRate == 0.1)
    #expect(optimizers.compare!.variants[1].settings.learningRate == 0.001, "a variant keeps what it does not change")
    let tuned = study.cell("tuned")!
    #expect(tuned.final!.settings.count == 3 && tuned.final!.settings.allSatisfy { $0.epochs == 4 })
  }

  @Test func unknownOptimizerNamesTheAllowedOnes() {
    let error = studyError(validStudy.replacingOccurrences(of: "optimizer: adam\n", with: "optimizer: adm\n"))
    #expect(
      error?.description
        == "study.yaml:8: base.optimizer: unknown optimizer 'adm' (allowed: sgd, momentum, nesterov, rmsprop, adam, adamw)"
    )
  }

  @Test func unknownKeyNamesTheAllowedOnes() {
    let error = studyError(validStudy.replacingOccurrences(of: "  learning_rate: 0.001", with: "  learning_rat: 0.001"))
    #expect(error?.line == 9)
    #expect(error?.key == "base.learning_rat")
    #expect(error?.message.hasPrefix("unknown key 'learning_rat' (allowed: hidden, layers, width, activation") == true)
  }

  @Test func negativeLearningRate() {
    let error = studyError(validStudy.replacingOccurrences(of: "learning_rate: 0.1}", with: "learning_rate: -0.1}"))
    #expect(error?.key == "cells[2].variants[0].learning_rate")
    #expect(error?.line == 22)
    #expect(error?.message == "expected a number in (0.0, 10.0], found -0.1")
  }

  @Test func batchSizeZero() {
    let error = studyError(validStudy.replacingOccurrences(of: "      epochs: 3\n", with: "      batch_size: 0\n"))
    #expect(
      error?.description
        == "study.yaml:18: cells[1].settings.batch_size: expected a whole number from 1 to 65536, found 0")
  }

  @Test func dropoutListOfTheWrongLength() {
    let error = studyError(validStudy.replacingOccurrences(of: "dropout: [0.2, 0.1]", with: "dropout: [0.2, 0.1, 0.1]"))
    #expect(error?.key == "base")
    #expect(error?.message.hasPrefix("dropout has 3 rates for 2 hidden layers") == true)
  }

  @Test func dropoutMismatchFromAVariantsLayers() {
    let error = studyError(
      validStudy.replacingOccurrences(of: "{name: Adam, optimizer: adam}", with: "{name: Adam, hidden: [64]}"))
    #expect(error?.key == "cells[2].variants[1]")
    #expect(error?.message.hasPrefix("dropout has 2 rates for 1 hidden layer;") == true)
  }

  @Test func emptySearchSpace() {
    let text = validStudy.replacingOccurrences(
      of: "    space:\n      width: {choice: [16, 32]}\n      learning_rate: {log_uniform: [0.0001, 0.01]}\n",
      with: "    space: {}\n")
    let error = studyError(text)
    #expect(error?.key == "cells[3].space")
    #expect(error?.message == "the search space is empty; give at least one parameter")
  }

  @Test func searchRangeOutsideTheAllowedValues() {
    let error = studyError(
      validStudy.replacingOccurrences(of: "{log_uniform: [0.0001, 0.01]}", with: "{log_uniform: [0.0001, 20]}"))
    #expect(error?.message == "expected a number in (0.0, 10.0], found 20.0")
  }

  @Test func unknownCellKind() {
    let error = studyError(validStudy.replacingOccurrences(of: "kind: compare", with: "kind: compair"))
    #expect(error?.message == "unknown cell kind 'compair' (allowed: data, train, compare, grid, search, final)")
  }

  @Test func duplicateCellIDs() {
    let error = studyError(validStudy.replacingOccurrences(of: "id: optimizers", with: "id: baseline"))
    #expect(error?.message == "the id 'baseline' is used by an earlier cell")
  }

  @Test func finalCellNeedsAnEarlierSearch() {
    let error = studyError(validStudy.replacingOccurrences(of: "from: search", with: "from: optimizers"))
    #expect(error?.message == "'optimizers' is not an earlier search cell (earlier search cells: search)")
  }

  @Test func yamlSyntaxErrorsGiveTheirLine() {
    let error = studyError(validStudy.replacingOccurrences(of: "  seed: 7\n", with: "  seed: [7\n"))
    #expect(error?.line != nil)
    #expect(error?.message.hasPrefix("not valid YAML") == true)
  }

  @Test func wrongTypes() {
    #expect(
      studyError(validStudy.replacingOccurrences(of: "epochs: 2\n", with: "epochs: two\n"))?.message
        == "expected a whole number, found 'two'")
    #expect(
      studyError(validStudy.replacingOccurrences(of: "hidden: [32, 16]", with: "hidden: 32"))?.message
        == "expected a list, found '32'")
  }

  @Test func unknownScheduleNamesTheAllowedOnes() {
    let error = studyError(
      validStudy.replacingOccurrences(of: "settings: {epochs: 4}", with: "settings: {schedule: {kind: linear}}"))
    #expect(error?.message == "unknown schedule 'linear' (allowed: none, plateau, step, exponential, cosine)")
  }

  @Test func theDefaultStudyIsValid() throws {
    let study = try Study.load(packageRoot + "/studies/default.yaml")
    #expect(study.cells.count >= 9)
    #expect(Set(study.cells.map(\.kind)) == Set(CellKind.allCases))
    #expect(
      study.keyResults.map { [study.cells[$0.baseline!].id, study.cells[$0.tuned].id] } == ["baseline", "tuned"])
    #expect(study.base.hidden == RunSettings.reference.hidden, "the base starts from the reference network")
  }

  @Test func keyResultsNameTestedCells() throws {
    let tested = validStudy.replacingOccurrences(of: "title: Baseline\n", with: "title: Baseline\n    test: true\n")
    let study = try Study.parse(tested + "\nkey_results: {baseline: baseline, tuned: tuned}\n", file: "study.yaml")
    #expect(study.keyResults?.baseline == 1 && study.keyResults?.tuned == 4, "resolved to the cells' places")
    #expect(try Study.parse(validStudy, file: "study.yaml").keyResults == nil, "no roles are guessed")

    let untested = studyError(validStudy + "\nkey_results: {baseline: baseline, tuned: tuned}\n")
    #expect(untested?.key == "key_results.baseline")
    #expect(
      untested?.message
        == "'baseline' is not tested; expected a final cell or a train cell with test: true (tested cells: tuned)")
    let unknown = studyError(validStudy + "\nkey_results: {tuned: tunned}\n")
    #expect(unknown?.message.hasPrefix("no cell is called 'tunned'") == true)
    #expect(unknown?.line == validStudy.components(separatedBy: "\n").count + 1)
    let missing = studyError(validStudy + "\nkey_results: {baseline: tuned}\n")
    #expect(missing?.message == "key_results needs tuned: the id of a tested cell")
    let same = studyError(tested + "\nkey_results: {baseline: tuned, tuned: tuned}\n")
    #expect(same?.message == "baseline and tuned name the same cell 'tuned'")
  }

  @Test func aCompareReferenceNamesOneOfItsVariants() throws {
    let study = try Study.parse(
      validStudy.replacingOccurrences(of: "    variants:\n", with: "    reference: SGD\n    variants:\n"),
      file: "s.yaml")
    #expect(study.cell("optimizers")?.compare?.reference == 0)
    #expect(
      try Study.parse(validStudy, file: "s.yaml").cell("optimizers")?.compare?.reference == 1, "the unchanged one")
    let error = studyError(
      validStudy.replacingOccurrences(of: "    variants:\n", with: "    reference: Adagrad\n    variants:\n"))
    #expect(error?.key == "cells[2].reference")
    #expect(error?.message == "no variant is named 'Adagrad' (variants: SGD, Adam)")
  }

  @Test func aDataPathIsAFolderBesideTheStudyFile() throws {
    let text = validStudy.replacingOccurrences(of: "  validation: 600\n", with: "  validation: 600\n  path: my-data\n")
    let study = try Study.parse(text, file: "/work/studies/mine.yaml")
    guard case .folder(let path) = study.data.source else {
      Issue.record("expected a folder, got \(study.data.source)")
      return
    }
    #expect(path == "/work/studies/my-data")
    let named = try Study.parse(
      text.replacingOccurrences(of: "  path: my-data\n", with: "  path: /data/f\n  dataset: fashion-mnist\n"),
      file: "s.yaml")
    guard case .builtIn("fashion-mnist", path: "/data/f") = named.data.source else {
      Issue.record("expected Fashion-MNIST in /data/f, got \(named.data.source)")
      return
    }
    #expect(
      studyError(validStudy.replacingOccurrences(of: "  seed: 7\n", with: "  seed: 7\n  dataset: cifar\n"))?.message
        == "unknown dataset 'cifar' (allowed: mnist, fashion-mnist; or path: DIR for a folder of IDX files)")
  }
}

let packageRoot = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/")).withLeadingSlash

extension String {
  var withLeadingSlash: String { hasPrefix("/") ? self : "/" + self }
}

@Suite struct StudyFileFaults {
  @Test func windowsLineEndingsReadAsUnixOnes() throws {
    let unix = try Study.parse(validStudy, file: "s.yaml")
    let windows = try Study.parse(validStudy.replacingOccurrences(of: "\n", with: "\r\n"), file: "s.yaml")
    #expect(windows.cells.map(\.id) == unix.cells.map(\.id))
    #expect(windows.cells.map(\.source) == unix.cells.map(\.source))
    #expect(windows.cells.map(\.line) == unix.cells.map(\.line))
  }

  @Test func aKeyGivenTwiceIsNamedWithItsLine() {
    let text = "title: T\ncells:\n  - id: a\n    kind: data\n    id: b\n"
    let error = studyError(text)
    #expect(error?.line == 5)
    #expect(error?.message == "'id' is given twice (first on line 3)")
    let top = studyError("title: T\ntitle: U\ncells:\n  - {id: a, kind: data}\n")
    #expect(top?.line == 2 && top?.message == "'title' is given twice (first on line 1)", "\(String(describing: top))")
  }

  @Test func aCellIdLongerThanAFileNameAllowsIsRefused() {
    let id = String(repeating: "a", count: 300)
    let error = studyError(validStudy.replacingOccurrences(of: "- id: baseline", with: "- id: \(id)"))
    #expect(error?.message == "a cell id has at most 64 characters, found 300")
    #expect(error?.line == 14)
  }

  @Test func variantsThatWouldWriteOneFileAreRefused() {
    let clash = validStudy.replacingOccurrences(
      of: "{name: Adam, optimizer: adam}", with: "{name: sgd, optimizer: adam}")
    #expect(
      studyError(clash)?.message
        == "variants 'SGD' and 'sgd' would both write runs/optimizers/sgd.csv: give names that differ in more than case and punctuation"
    )
    let empty = validStudy.replacingOccurrences(of: "{name: Adam,", with: "{name: '???',")
    #expect(studyError(empty)?.message.hasPrefix("a variant's name needs a letter or digit") == true)
  }

  @Test func anExplanationTooLongIsRefusedBeforeItIsParsed() {
    let long = validStudy.replacingOccurrences(
      of: "title: Baseline\n", with: "title: Baseline\n    explanation: '\(String(repeating: "<", count: 40_000))'\n")
    #expect(studyError(long)?.message == "expected at most 20000 characters of text, found 40000")
  }
}

@Suite struct MemoryRefusal {
  /// A batch larger than the split is the split: the buffers hold the split's rows, not the
  /// batch size's, and it trains as a batch of any size past the split does, bit for bit.
  @Test func aBatchLargerThanTheSplitIsTheSplit() throws {
    func history(_ batch: Int) throws -> [EpochRecord] {
      var build = TinyBuild()
      defer { build.remove() }
      build.study = validStudy.replacingOccurrences(
        of: "learning_rate: 0.001\n", with: "learning_rate: 0.001\n  batch_size: \(batch)\n")
      let results = try build.run(only: ["baseline"])
      return try #require(results.cells.first { $0.id == "baseline" }?.runs.first?.run.history.epochs)
    }
    let million = try history(65_536)
    let split = try history(50_000)
    #expect(million.map(\.trainLoss) == split.map(\.trainLoss))
    #expect(million.map(\.validationAccuracy) == split.map(\.validationAccuracy))
    #expect(RunSettings.reference.batchRows(examples: 54_000) == 128)
    var huge = RunSettings.reference
    huge.batchSize = 1_000_000
    #expect(huge.batchRows(examples: 54_000) == 54_000)
  }

  @Test func aNetworkThatCannotFitIsRefusedWithItsEstimate() throws {
    var build = TinyBuild()
    defer { build.remove() }
    build.study = validStudy.replacingOccurrences(
      of: "hidden: [32, 16]\n  dropout: [0.2, 0.1]",
      with: "hidden: [\(Array(repeating: "8192", count: 16).joined(separator: ", "))]\n  dropout: 0.1"
    )
    .replacingOccurrences(of: "learning_rate: 0.001\n", with: "learning_rate: 0.001\n  batch_size: 65536\n")
    #expect {
      _ = try build.run()
    } throws: { error in
      guard let error = error as? StudyError else { return false }
      // 65,536 asked for, the 59,400 images of the training split given: a batch is at most
      // the split.
      return error.message.hasPrefix("a run of hidden [16 layers] with batches of 59400 needs about")
        && error.message.contains("GB (weights, gradients, optimizer state and a batch's activations)")
    }
  }
}
