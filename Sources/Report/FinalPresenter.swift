import Charts
import Metrics
import Study

/// The outputs of a final cell.
struct FinalView {
  let candidate: TableView
  /// The search's top candidates re-scored at the final budget, when they were.
  let rescored: TableView?
  let configuration: TableView
  let summary: TableView
  let classification: TableView
  let curves: [FigureView]
  let errors: [FigureView]
}

/// A final cell: the best candidate of a search, retrained and tested once.
struct FinalPresenter: Presenter {
  enum FigureKind: FigureName, Hashable {
    case curve(CurveFigure)
    case confusion, pooledConfusion, mistakes

    var slug: String {
      switch self {
      case .curve(let curve): return curve.slug
      case .confusion: return "confusion"
      case .pooledConfusion: return "confusion-pooled"
      case .mistakes: return "mistakes"
      }
    }
  }

  let cell: Cell
  let final: FinalOutcome
  let test: TestEvaluation
  /// The search cell the candidate came from.
  let search: SearchContents?
  let facts: TrainFacts
  /// The tested model's facts (`facts.tested`).
  let tested: TestedModelFacts
  let context: PresentationContext

  var run: RunRecord { final.run.run }

  func figures() -> [(FigureKind, FigureSpec)] {
    var specs = CurveFigure.specs(
      final.run, curves: facts.curves, subtitle: SettingsText.summary(run.settings, context.shape)
    ).map {
      (FigureKind.curve($0.0), $0.1)
    }
    let names = test.report.classNames
    func heatmap(_ matrix: ConfusionMatrix) -> Heatmap {
      Heatmap(
        values: matrix.counts.map { $0.map(Double.init) }, rowLabels: names, columnLabels: names,
        rowTitle: "true class", columnTitle: "predicted class", cellText: .countAndRowShare, colorsByRowShare: true,
        colorbarTitle: "share of the true class")
    }
    let confusion = heatmap(test.confusion)
    let errors = test.confusion.errors
    let confusions = tested.confusions
    // With repeats, these figures show repeat 0's model, as the classification table does.
    let whose = tested.accuracy.n > 1 ? "repeat 0, " : ""
    let whoseSentence = tested.accuracy.n > 1 ? " Repeat 0's model, of the \(tested.accuracy.n) repeats." : ""
    specs.append(
      (
        .confusion,
        FigureSpec(
          figure: Figure(
            title: "Confusion matrix, test set",
            subtitle: "\(whose)\(Format.count(test.confusion.total)) images, \(Format.count(errors)) misclassified",
            width: 680, height: 620, chart: .heatmap(confusion)),
          alt:
            "The confusion matrix of the test set: rows are true classes, columns predicted ones. \(confusions.map { "\($0.actual) taken for \($0.predicted): \(Self.times($0.count))" }.joined(separator: "; ")).",
          caption:
            "Counts of test images by true class (rows) and prediction (columns); off the diagonal are mistakes."
            + whoseSentence,
          wide: true)
      ))
    if let pooled = tested.pooled, let pooledConfusions = tested.pooledConfusions {
      let repeats = tested.accuracy.n
      specs.append(
        (
          .pooledConfusion,
          FigureSpec(
            figure: Figure(
              title: "Confusion matrix, test set, all \(repeats) repeats",
              subtitle:
                "\(Format.count(pooled.total)) predictions (\(Format.count(test.confusion.total)) images × \(repeats)), \(Format.count(pooled.errors)) misclassified",
              width: 680, height: 620, chart: .heatmap(heatmap(pooled))),
            alt:
              "The confusion matrix of the test set added up over the \(repeats) repeats: rows are true classes, columns predicted ones. \(pooledConfusions.map { "\($0.actual) taken for \($0.predicted): \(Self.times($0.count))" }.joined(separator: "; ")).",
            caption:
              "The same counts added up over the \(repeats) repeats' models. A count here may come from one seed or from all of them: the finding gives the commonest confusions repeat by repeat.",
            wide: true)
        ))
    }
    let shape = context.shape
    let tiles = zip(test.mistakes, test.mistakeImages).map { mistake, image in
      ImageTile(
        pixels: image.values, rows: shape.rows, columns: shape.columns,
        caption:
          // A confidence of 0.99996 is not 100%: as many decimals as keep it below.
          "\(names[mistake.label]) → \(names[mistake.predicted]), \(Format.fixed(mistake.confidence * 100, decimals: 0, beside: 100))%",
        highlighted: true)
    }
    if !tiles.isEmpty {
      let columns = 8
      let rows = (tiles.count + columns - 1) / columns
      specs.append(
        (
          .mistakes,
          FigureSpec(
            figure: Figure(
              title: "The most confident mistakes", subtitle: "\(whose)true class → predicted class, confidence",
              width: 760, height: 110 + 100 * Double(rows), chart: .images(ImageGrid(images: tiles, columns: columns))
            ),
            alt: "The \(tiles.count) test images the model got wrong with the highest confidence.",
            caption:
              "Test images the model misclassified with the highest confidence, each with its true and predicted class."
              + whoseSentence,
            wide: true)
        ))
    }
    return specs
  }

  /// "once", "twice", "8 times".
  static func times(_ count: Int) -> String {
    count == 1 ? "once" : count == 2 ? "twice" : "\(count) times"
  }

  func outputs(_ figures: Figures<FigureKind>) -> CellOutputs {
    var candidate = TableBuilder("The chosen candidate", columns: [("Parameter", .left), ("Value", .left)])
    let chosenIndex = final.rescored.first { $0.chosen }.map { $0.candidate - 1 } ?? search?.result.bestIndex
    if let search, let best = search.result.candidates.first(where: { $0.index == chosenIndex }) {
      candidate.add([
        "From",
        "\(search.cell.title), candidate #\(best.index + 1) of \(search.result.candidates.count)"
          + (final.rescored.isEmpty ? "" : ", re-scored at this cell's settings"),
      ])
      for (key, value) in best.parameters.sorted(by: { $0.key < $1.key }) {
        candidate.add([key.rawValue, value.description])
      }
      candidate.add(
        best.foldScores.count < 2
          ? ["Validation accuracy in the search", "\(Format.percent(best.meanScore)) after \(best.epochs) epochs"]
          : ["Cross-validation accuracy", "\(Format.percent(best.meanScore)) ± \(Format.percent(best.stdScore))"])
    } else {
      for (key, value) in final.candidateParameters.sorted(by: { $0.key < $1.key }) {
        candidate.add([key.rawValue, value.description])
      }
    }
    var classification = TableBuilder(
      "Classification report, test set\(tested.accuracy.n > 1 ? ", repeat 0" : ""). Bold: the lowest F1-score.",
      columns: [("Class", .left), ("Precision", .right), ("Recall", .right), ("F1-score", .right), ("Support", .right)])
    let report = test.report
    for (name, scores) in zip(report.classNames, report.perClass) {
      classification.add(row(name, scores), emphasis: scores.f1 == tested.hardest?.f1)
    }
    classification.add([
      "accuracy", "", "", String(format: "%.4f", report.accuracy), Format.count(test.confusion.total),
    ])
    classification.add(row("macro avg", report.macroAverage))
    classification.add(row("weighted avg", report.weightedAverage))
    var rescored: TableView?
    if !final.rescored.isEmpty {
      var table = TableBuilder(
        "The search's top \(final.rescored.count) candidates, each trained once (repeat 0) with this cell's settings: the highest validation accuracy is retrained and tested. Bold: chosen.",
        columns: [
          ("Candidate", .right), ("Search score", .right), ("Search epochs", .right),
          ("Validation accuracy here", .right), ("Test accuracy (not used)", .right),
        ])
      for entry in final.rescored {
        table.add(
          [
            "#\(entry.candidate)", Format.percent(entry.searchScore), "\(entry.searchEpochs)",
            Format.percent(entry.validationAccuracy), Format.percent(entry.testAccuracy),
          ], emphasis: entry.chosen)
      }
      rescored = table.table
    }
    return .final(
      FinalView(
        candidate: candidate.table, rescored: rescored,
        configuration: SettingsText.table(
          run.settings, context.shape, caption: "Configuration", parameters: run.parameterCount),
        summary: TrainPresenter.summary(final.run, facts), classification: classification.table,
        curves: figures.list(CurveFigure.allCases.map(FigureKind.curve)),
        errors: figures.list([.confusion, .pooledConfusion, .mistakes]))
    )
  }

  private func row(_ name: String, _ scores: ClassScores) -> [String] {
    [
      name, String(format: "%.4f", scores.precision), String(format: "%.4f", scores.recall),
      String(format: "%.4f", scores.f1), Format.count(scores.support),
    ]
  }

  func finding() -> String {
    var text = Self.finding(tested, run)
    if let chosen = final.rescored.first(where: \.chosen), let first = final.rescored.first {
      let rescoring =
        chosen.candidate == first.candidate
        ? "Re-scored at this cell's settings, the search's top candidate, #\(chosen.candidate), stays the best of the \(final.rescored.count) on validation (\(Format.percent(chosen.validationAccuracy)); one run each, a choice and not a test). The others' runs were evaluated on the test set too, as any tested model's repeat 0 is; their test accuracies are in the table for the record, and chose nothing."
        : "Re-scored at this cell's settings, #\(chosen.candidate) (\(Format.percent(chosen.validationAccuracy)) on validation; one run each, a choice and not a test) overtakes the search's top candidate, #\(first.candidate) (\(Format.percent(first.validationAccuracy))), so it is the one retrained: at \(first.searchEpochs) epochs the search ranked them otherwise. The others' runs were evaluated on the test set too, as any tested model's repeat 0 is; their test accuracies are in the table for the record, and chose nothing."
      text = rescoring + " " + text
    }
    return text
  }

  static func finding(_ facts: TestedModelFacts, _ run: RunRecord) -> String {
    let test = facts.test
    var sentences: [String]
    if facts.accuracy.n > 1 {
      sentences = [
        "Over \(facts.accuracy.n) repeats the tuned model reaches **\(Format.percent(facts.accuracy))** accuracy on the \(Format.count(test.images)) test images (95% interval \(TrainPresenter.interval(facts.accuracy))), loss \(Format.spread(facts.loss) { Format.loss($0) }).",
        "Repeat 0, whose confusion matrix, classification report, mistakes and predictions.csv the report shows, reaches \(Format.percent(test.accuracy)) (loss \(Format.loss(test.loss))): \(Format.count(test.errors)) mistakes.",
      ]
    } else {
      sentences = [
        "On the \(Format.count(test.images)) test images the tuned model reaches **\(Format.percent(test.accuracy))** accuracy (loss \(Format.loss(test.loss))): \(Format.count(test.errors)) mistakes."
      ]
    }
    let zero = facts.accuracy.n > 1 ? "Repeat 0's t" : "T"
    if let restored = facts.restoredEpoch, restored != facts.epochs {
      sentences.append(
        "\(zero)raining ran \(facts.epochs) epochs\(TrainPresenter.stopNote(run)) and kept the weights of epoch \(restored)."
      )
    }
    if let worst = facts.hardest, let best = facts.easiest {
      sentences.append(
        "\(facts.accuracy.n > 1 ? "In repeat 0, t" : "T")he hardest class is \(worst.name) (F1 \(Format.number(worst.f1, decimals: 4))), the easiest \(best.name) (F1 \(Format.number(best.f1, decimals: 4)))."
      )
    }
    if !facts.confusions.isEmpty {
      sentences.append(
        "The commonest confusions\(facts.accuracy.n > 1 ? " of repeat 0" : ""): "
          + Format.list(facts.confusions.map { "\($0.actual) taken for \($0.predicted) (\(times($0.count)))" }) + ".")
    }
    if let pooled = facts.pooledConfusions, !pooled.isEmpty {
      sentences.append(
        "Over all \(facts.accuracy.n) repeats: "
          + Format.list(
            pooled.map { confusion in
              let each = confusion.perRepeat.map { ": \(Format.list($0.map(String.init))) in the repeats" } ?? ""
              return "\(confusion.actual) taken for \(confusion.predicted) (\(times(confusion.count))\(each))"
            }) + ".")
    }
    return sentences.joined(separator: " ")
  }
}
