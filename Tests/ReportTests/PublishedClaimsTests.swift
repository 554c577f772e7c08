import Charts
import Data
import Foundation
import NN
import Testing

@testable import Report
@testable import Study

/// The published study's report (`reports/`, which `RenderCommand` keeps what this checkout
/// draws) says what its results hold, where a first reading found it did not (issue 23's
/// findings, one test each), and the drawing rules behind its figures.
@Suite struct PublishedClaims {
  let markdown = (try? String(contentsOfFile: packageRoot + "/reports/report.md", encoding: .utf8)) ?? ""
  var results: [String: Any] {
    let data = (try? Data(contentsOf: URL(fileURLWithPath: packageRoot + "/reports/results.json"))) ?? Data()
    return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
  }
  var cells: [[String: Any]] { results["cells"] as? [[String: Any]] ?? [] }

  func lines(matching pattern: String) -> [String] {
    markdown.split(separator: "\n").map(String.init).filter {
      $0.range(of: pattern, options: .regularExpression) != nil
    }
  }

  /// 1. Every cell heading and status line carries the cell's number.
  @Test func headingsAndStatusLinesCarryTheirNumber() {
    let headings = lines(matching: "^## ").filter {
      $0 != "## Key results" && $0 != "## Contents" && $0 != "## What mattered" && $0 != "## Provenance"
    }
    #expect(headings.count == cells.count)
    for (index, heading) in headings.enumerated() {
      #expect(heading.hasPrefix("## \(index + 1). "), "\(heading)")
    }
    let status = lines(matching: "^<sub>")
    #expect(status.count == cells.count)
    for (index, line) in status.enumerated() { #expect(line.hasPrefix("<sub>\(index + 1). "), "\(line)") }
  }

  /// 6. The key results lead with the means over repeats; a single run's row says so and is
  /// not bold.
  @Test func theKeyResultsLeadWithTheMeansOverRepeats() throws {
    let key = try #require(lines(matching: "^Over \\d+ repeats the tuned model").first)
    let tuned = try #require(cells.first { $0["id"] as? String == "tuned" })
    let facts = try #require((tuned["findings"] as? [String: Any])?["tested"] as? [String: Any])
    let accuracy = try #require(facts["accuracy"] as? [String: Any])
    let mean = try #require(accuracy["mean"] as? Double)
    #expect(key.contains("**" + String(format: "%.2f ± ", mean * 100)), "\(key)")
    for row in lines(matching: "^\\| .*repeat 0") {
      #expect(!row.contains("**"), "a single run's row is not bold: \(row)")
    }
    #expect(!lines(matching: "^\\| Test accuracy, repeat 0").isEmpty)
  }

  /// 7. A results table names one epoch, the kept one, for every row of the kept weights.
  @Test func aResultsTableNamesTheKeptEpochForEveryRow() {
    for kept in lines(matching: "^\\| Weights kept, repeat 0 \\| epoch \\d+") {
      let epoch = kept.split(separator: "|")[1].split(separator: " ")[1].filter(\.isNumber)
      let named = lines(
        matching: "^\\| (Validation accuracy|Validation loss|Training-sample accuracy|Gap).*, epoch \\d+")
      #expect(!named.isEmpty)
      // Each table's rows follow its "Weights kept" row: they name its epoch.
      let after = markdown.components(separatedBy: kept)[1].split(separator: "\n").prefix(5)
      for row in after where row.contains(", epoch ") {
        #expect(
          row.contains("epoch \(epoch) ") || row.contains("epoch \(epoch),"), "\(row) against the kept epoch \(epoch)")
      }
    }
  }

  /// 9. The provenance counts trained and read runs apart, as results.json does; Table 23's
  /// "all" time is the sum of its column.
  @Test func countsSayTrainedAndReadApart() throws {
    let runs = try #require((results["findings"] as? [String: Any])?["runs"] as? [String: Int])
    let sentence = try #require(lines(matching: "^The study trained").first)
    #expect(sentence.hasPrefix("The study trained \(runs["trained"]!) runs, \(runs["epochs_trained"]!) epochs"))
    #expect(
      sentence.contains("used \(runs["from_other_cells"]!) of those runs again and read \(runs["read_off"]!) off"))
    let all = try #require(lines(matching: "^\\| \\*\\*all\\*\\* \\| \\*\\*\\d+ of").first)
    let seconds = cells.compactMap { $0["seconds"] as? Double }.reduce(0, +)
    #expect(all.contains("**\(Format.seconds(seconds))**"), "\(all)")
    #expect(!markdown.contains("halving trained"))
  }

  /// 10. No threshold or machine fact written by hand: the payoff rule is stated from its
  /// constant, times say where they were measured from the runs, the schedule's cuts are
  /// counted, and the search's ± says it is scikit-learn's population deviation.
  @Test func wordsComeFromFacts() throws {
    #expect(
      !markdown.contains("a fifth") && !markdown.contains("one core each") && !markdown.contains("on this machine"))
    #expect(markdown.contains(String(format: "at least %.2f times faster", CompareFacts.BatchSizes.payoffRatio)))
    let threads = results["threads"] as? Int ?? 0
    #expect(markdown.contains("| Threads | \(threads) for the build"))
    let baseline = try #require(cells.first { $0["id"] as? String == "baseline" })
    let cuts = try #require((baseline["findings"] as? [String: Any])?["rate_cut_repeats"] as? Int)
    if cuts == 0 { #expect(markdown.contains("The schedule never lowered the learning rate in any of the")) }
    #expect(markdown.contains("population standard deviation, as scikit-learn's std_test_score"))
    #expect(!markdown.contains("used once"))
  }
}

/// 8 and 11: what the figures draw.
@Suite struct FigureRules {
  func runs(_ curves: [[Double]]) -> [RunRecord] {
    curves.map { accuracies in
      var history = History()
      history.epochs = accuracies.enumerated().map { i, a in
        EpochRecord(
          epoch: i + 1, trainLoss: 0.1, trainAccuracy: 0.99, validationLoss: 0.1, validationAccuracy: a,
          learningRate: 0.001, seconds: 1)
      }
      return RunRecord(
        key: "k", settings: RunSettings(), data: .split, history: history, status: .completed, seconds: 1,
        parameterCount: 1, validationLoss: 0.1, validationAccuracy: accuracies.last)
    }
  }

  /// 8. With repeats the band belongs to the line it surrounds: the mean's.
  @Test func aBandSurroundsTheMeanItBelongsTo() throws {
    let curves = EpochCurves(runs([[0.90, 0.95, 0.96], [0.80, 0.97, 0.99], [0.85, 0.93, 0.97]]))
    guard case .line(let chart) = Curves.accuracy(curves, subtitle: "").figure.chart else {
      Issue.record("a line chart")
      return
    }
    let banded = try #require(chart.series.first { $0.band != nil })
    #expect(banded.name.contains("mean"))
    #expect(banded.y == curves.validationAccuracy.mean)
    for (y, band) in zip(banded.y, banded.band!) { #expect(band.low <= y && y <= band.high) }
  }

  /// 11. Accuracies near 98% are dots with intervals, not bars cut above zero; times are bars
  /// from zero.
  @Test func accuraciesAreDotsAndTimesAreBarsFromZero() throws {
    let settings = [
      RunSettings(),
      {
        var s = RunSettings(); s.optimizer = .sgd; return s
      }(),
    ]
    let named = zip(["Adam", "SGD"], settings).map { name, s -> NamedRun in
      var all = runs([[0.97, 0.98], [0.971, 0.981]])
      for i in all.indices {
        all[i].settings = s
        all[i].trainEvaluation = Evaluation(loss: 0.05, accuracy: 0.99, images: 100)
      }
      return NamedRun(name: name, run: all[0], repeats: Array(all.dropFirst()))
    }
    let cell = CompareCell(
      variants: zip(named, settings).map { .init(name: $0.0.name, settings: $0.1) }, sequential: true,
      replication: Replication(count: 2))
    let facts = CompareFacts(cell, runs: named, settings: RunSettings())
    let study = try Study.parse(
      "title: t\ncells:\n  - {id: c, kind: compare, variants: [{name: Adam}, {name: SGD, optimizer: sgd}]}",
      file: "t.yaml")
    let presenter = ComparePresenter(
      cell: study.cells[0], body: cell, facts: facts,
      context: PresentationContext(
        shape: DataShape(rows: 28, columns: 28, classes: 10), results: TinyReport.shared.results, built: []))
    for (kind, spec) in presenter.figures() {
      switch (kind, spec.figure.chart) {
      case (.gap, .intervals): break
      case (.time, .bar(let bars)): #expect(bars.y.includesZero)
      case (.accuracy, .line), (.loss, .line): break
      default: Issue.record("\(kind) drawn as \(spec.figure.chart)")
      }
    }
  }

  /// 11. A compact heatmap keeps its spreads, and a compact image grid its captions.
  /// The texts of a figure's SVG.
  static func texts(_ figure: Figure) throws -> [String] {
    let svg = String(decoding: try figure.render(.svg), as: UTF8.self)
    return svg.matches(of: #/<text[^>]*>([^<]*)</text>/#).map { String($0.output.1) }
  }

  @Test func compactFiguresKeepWhatTheirCaptionsPromise() throws {
    let heat = FigureSpec(
      figure: Figure(
        title: "Mean best validation accuracy: hidden layers × neurons per layer",
        subtitle: "each trained 3 epochs: ReLU, dropout 0.2, Adam 5e-4, weight decay 5e-5, batch 128; 3 repeats",
        width: 560, height: 380,
        chart: .heatmap(
          Heatmap(
            values: [[0.938, 0.951, 0.960, 0.967], [0.947, 0.961, 0.969, 0.973], [0.950, 0.963, 0.968, 0.973]],
            rowLabels: ["1", "2", "3"], columnLabels: ["64", "128", "256", "512"], rowTitle: "hidden layers",
            columnTitle: "neurons per layer", cellText: .valueAndSpread(.percent), colorsByRowShare: false,
            colorbarTitle: "mean best validation accuracy",
            spreads: Array(repeating: [0.0003, 0.0011, 0.0016, 0.0015], count: 3)))),
      alt: "", caption: "")
    let texts = try Self.texts(heat.compact)
    #expect(texts.filter { $0.hasPrefix("± ") }.count == 12, "\(texts)")
    let tiles = (0..<20).map { i in
      ImageTile(pixels: Array(repeating: 0.5, count: 784), rows: 28, columns: 28, caption: "\(i % 10) · #\(i)")
    }
    let grid = FigureSpec(
      figure: Figure(title: "Samples", width: 760, height: 282, chart: .images(ImageGrid(images: tiles, columns: 10))),
      alt: "", caption: "")
    let captions = try Self.texts(grid.compact).filter { $0.contains("#") }
    #expect(captions.count == tiles.count, "\(captions)")
  }
}
