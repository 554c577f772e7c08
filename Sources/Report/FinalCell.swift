import Charts
import Metrics
import Study

/// The outputs of a final cell.
struct FinalView {
  let candidate: TableView
  let configuration: TableView
  let summary: TableView
  let classification: TableView
  let curves: [FigureView]
  let errors: [FigureView]
}

/// A final cell: the best candidate of a search, retrained and tested once.
enum FinalCell {
  static func figures(_ cell: Cell, _ run: RunRecord, _ test: TestEvaluation) -> [FigureSpec] {
    var specs = TrainCell.figures(cell, run)
    let names = test.report.classNames
    let confusion = Heatmap(
      values: test.confusion.counts.map { $0.map(Double.init) }, rowLabels: names, columnLabels: names,
      rowTitle: "true class", columnTitle: "predicted class", cellText: .countAndRowShare, colorsByRowShare: true,
      colorbarTitle: "share of the true class")
    let errors = test.confusion.total - test.confusion.correct
    specs.append(
      FigureSpec(
        id: "\(cell.id)-confusion",
        figure: Figure(
          title: "Confusion matrix, test set",
          subtitle: "\(Format.count(test.confusion.total)) images, \(Format.count(errors)) misclassified",
          width: 680, height: 620, chart: .heatmap(confusion)),
        alt:
          "The confusion matrix of the test set: rows are true classes, columns predicted ones. \(topConfusions(test, count: 3).map { "\($0.0) taken for \($0.1) \($0.2) times" }.joined(separator: "; ")).",
        caption: "Counts of test images by true class (rows) and prediction (columns); off the diagonal are mistakes.",
        wide: true))
    let tiles = zip(test.mistakes, test.mistakeImages).map { mistake, image in
      ImageTile(
        pixels: image.values, rows: 28, columns: 28,
        caption:
          "\(names[mistake.label]) → \(names[mistake.predicted]), \(Format.percent(mistake.confidence, decimals: 0))",
        highlighted: true)
    }
    if !tiles.isEmpty {
      let columns = 8
      let rows = (tiles.count + columns - 1) / columns
      specs.append(
        FigureSpec(
          id: "\(cell.id)-mistakes",
          figure: Figure(
            title: "The most confident mistakes", subtitle: "true class → predicted class, confidence",
            width: 760, height: 110 + 100 * Double(rows), chart: .images(ImageGrid(images: tiles, columns: columns))),
          alt: "The \(tiles.count) test images the model got wrong with the highest confidence.",
          caption:
            "Test images the model misclassified with the highest confidence: many are ambiguous even to a person.",
          wide: true))
    }
    return specs
  }

  static func view(
    _ cell: Cell, _ result: CellResult, _ run: RunRecord, _ test: TestEvaluation, _ context: ReportContext
  )
    -> FinalView
  {
    var candidate = TableBuilder("The chosen candidate", columns: [("Parameter", .left), ("Value", .left)])
    if let from = cell.from, let search = context.result(from)?.search,
      let best = search.candidates.first(where: { $0.index == search.bestIndex })
    {
      candidate.add([
        "From", "\(context.result(from)?.title ?? from), candidate #\(best.index + 1) of \(search.candidates.count)",
      ])
      for (key, value) in best.parameters.sorted(by: { $0.key < $1.key }) { candidate.add([key, value]) }
      candidate.add([
        "Cross-validation accuracy", "\(Format.percent(best.meanScore)) ± \(Format.percent(best.stdScore))",
      ])
    } else if let parameters = result.candidateParameters {
      for (key, value) in parameters.sorted(by: { $0.key < $1.key }) { candidate.add([key, value]) }
    }
    var classification = TableBuilder(
      "Classification report, test set",
      columns: [("Class", .left), ("Precision", .right), ("Recall", .right), ("F1-score", .right), ("Support", .right)])
    let report = test.report
    let worstF1 = report.perClass.map(\.f1).min()
    for (name, scores) in zip(report.classNames, report.perClass) {
      classification.add(row(name, scores), emphasis: scores.f1 == worstF1)
    }
    classification.add([
      "accuracy", "", "", String(format: "%.4f", report.accuracy), Format.count(test.confusion.total),
    ])
    classification.add(row("macro avg", report.macroAverage))
    classification.add(row("weighted avg", report.weightedAverage))
    return FinalView(
      candidate: candidate.table,
      configuration: SettingsText.table(run.settings, caption: "Configuration", parameters: run.parameterCount),
      summary: TrainCell.summary(run), classification: classification.table,
      curves: ["loss", "accuracy", "learning-rate"].compactMap { context.figure("\(cell.id)-\($0)") },
      errors: ["confusion", "mistakes"].compactMap { context.figure("\(cell.id)-\($0)") })
  }

  private static func row(_ name: String, _ scores: ClassScores) -> [String] {
    [
      name, String(format: "%.4f", scores.precision), String(format: "%.4f", scores.recall),
      String(format: "%.4f", scores.f1), Format.count(scores.support),
    ]
  }

  /// The most frequent (true, predicted, count) confusions.
  static func topConfusions(_ test: TestEvaluation, count: Int) -> [(String, String, Int)] {
    let names = test.report.classNames
    var pairs: [(String, String, Int)] = []
    for (t, row) in test.confusion.counts.enumerated() {
      for (p, n) in row.enumerated() where t != p && n > 0 { pairs.append((names[t], names[p], n)) }
    }
    return Array(pairs.sorted { $0.2 > $1.2 }.prefix(count))
  }

  static func finding(_ run: RunRecord, _ test: TestEvaluation) -> String {
    let errors = test.confusion.total - test.confusion.correct
    var sentences = [
      "On the \(Format.count(test.confusion.total)) test images the tuned model reaches **\(Format.percent(test.accuracy))** accuracy (loss \(Format.loss(test.loss))): \(Format.count(errors)) mistakes."
    ]
    if let restored = run.history.restoredEpoch {
      sentences.append(
        "Training ran \(run.history.epochs.count) epochs\(TrainCell.stopNote(run)) and kept the weights of epoch \(restored)."
      )
    }
    let report = test.report
    if let worst = report.perClass.indices.min(by: { report.perClass[$0].f1 < report.perClass[$1].f1 }),
      let best = report.perClass.indices.max(by: { report.perClass[$0].f1 < report.perClass[$1].f1 })
    {
      sentences.append(
        "The hardest class is \(report.classNames[worst]) (F1 \(Format.number(report.perClass[worst].f1, decimals: 4))), the easiest \(report.classNames[best]) (F1 \(Format.number(report.perClass[best].f1, decimals: 4)))."
      )
    }
    let top = topConfusions(test, count: 3)
    if !top.isEmpty {
      sentences.append(
        "The commonest confusions: " + Format.list(top.map { "\($0.0) taken for \($0.1) (\($0.2) times)" }) + ".")
    }
    return sentences.joined(separator: " ")
  }
}
