import Data
import Statistics
import Study

/// The whole report as the templates see it.
struct ReportView {
  let title: String
  let description: String
  let descriptionHTML: String
  /// Set when the build used a reduced profile: the numbers are not the study's.
  let profileWarning: String?
  let profileWarningHTML: String?
  let keyResults: KeyResultsView?
  let contents: [ContentsEntry]
  /// The number of the provenance section, after the cells.
  let provenanceNumber: Int
  let cells: [CellView]
  /// The CSS that colours the inline figures' theme classes from the page's `--chart-*`
  /// properties (each standalone SVG carries the same rules).
  let chartStyle: String
  let provenance: ProvenanceView
  /// The stylesheet of the template set, for the HTML page to inline.
  let stylesheet: String
  let generator: String
}

struct ContentsEntry {
  let number: Int
  let id: String
  let title: String
  let status: String
  /// The anchor GitHub gives the cell's Markdown heading (`## 2. The baseline` → `2-the-baseline`).
  let slug: String

  init(number: Int, id: String, title: String, status: String) {
    self.number = number
    self.id = id
    self.title = title
    self.status = status
    slug = Self.slug("\(number). \(title)")
  }

  /// GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens.
  static func slug(_ heading: String) -> String {
    String(
      heading.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "_" }
        .map { $0 == " " ? "-" : $0 })
  }
}

/// The report's opening: the tuned model's test results beside the baseline's.
struct KeyResultsView {
  let headline: String
  let headlineHTML: String
  let table: TableView
  let configuration: String
}

/// Where the numbers come from.
struct ProvenanceView {
  let table: TableView
  let files: TableView
  let cells: TableView
  let summary: String
}

extension ReportView {
  /// The key results' view; nil when the study no longer has the cells they name.
  static func keyResults(_ facts: KeyResultFacts, _ built: BuiltStudy) -> KeyResultsView? {
    guard let tunedCell = built.cells.first(where: { $0.cell.id == facts.tuned }), let tunedRun = tunedCell.testedRun
    else { return nil }
    let baselineCell = facts.baseline.flatMap { id in built.cells.first { $0.cell.id == id } }
    let (tuned, baseline, change) = (facts.tunedRun, facts.baselineRun, facts.change)
    var columns: [(String, TableBuilder.Alignment)] = [("Measure", .left)]
    if let baselineCell { columns.append((baselineCell.cell.title, .right)) }
    columns.append((tunedCell.cell.title, .right))
    if baseline != nil { columns.append(("Change", .right)) }
    var table = TableBuilder("The baseline and the tuned model", columns: columns)

    func add(_ name: String, _ tuned: String, _ baseline: String?, change: String?, emphasis: Bool = false) {
      var row = [name]
      if let baseline { row.append(baseline) }
      row.append(tuned)
      if facts.baselineRun != nil { row.append(change ?? "") }
      table.add(row, emphasis: emphasis)
    }
    add(
      "Test accuracy", Format.percent(tuned.testAccuracy), baseline.map { Format.percent($0.testAccuracy) },
      change: change?.testAccuracy.map { Format.points($0) }, emphasis: true)
    add(
      "Test loss", Format.loss(tuned.testLoss), baseline.map { Format.loss($0.testLoss) },
      change: change?.testLoss.map { String(format: "%+.4f", $0) })
    add(
      "Test errors", tuned.testErrors.map(Format.count) ?? "–", baseline.map { $0.testErrors.map(Format.count) ?? "–" },
      change: change?.testErrors.map { String(format: "%+d", $0) })
    add(
      "Best validation accuracy", Format.percent(tuned.bestValidationAccuracy),
      baseline.map { Format.percent($0.bestValidationAccuracy) },
      change: change?.bestValidationAccuracy.map { Format.points($0) })
    add(
      "Parameters", Format.count(tuned.parameters), baseline.map { Format.count($0.parameters) },
      change: change.map { String(format: "×%.1f", $0.parameterRatio) })
    add("Epochs trained", "\(tuned.epochs)", baseline.map { "\($0.epochs)" }, change: nil)
    let repeated = facts.tunedAccuracy.n > 1 || (facts.baselineAccuracy?.n ?? 1) > 1
    if repeated {
      func row(_ name: String, _ base: Spread?, _ tuned: Spread, _ format: (Spread) -> String, change: String) {
        var cells = [name]
        if baseline != nil { cells.append(base.map(format) ?? "–") }
        cells.append(format(tuned))
        if baseline != nil { cells.append(change) }
        table.add(cells, emphasis: true)
      }
      let change =
        facts.comparison.map { "\(Format.difference($0.difference)), P(better) \(Format.probability($0))" } ?? ""
      row(
        "Test accuracy over repeats", facts.baselineAccuracy, facts.tunedAccuracy,
        { "\(Format.percent($0)) (n = \($0.n))" }, change: change)
      row(
        "Test loss over repeats", facts.baselineLoss, facts.tunedLoss, { Format.spread($0) { Format.loss($0) } },
        change: "")
    }
    add(
      "Training time", Format.seconds(tuned.trainingSeconds), baseline.map { Format.seconds($0.trainingSeconds) },
      change: nil)

    let images = tuned.testImages ?? 0
    let errors = tuned.testErrors ?? 0
    var headline =
      "The tuned model classifies **\(Format.percent(tuned.testAccuracy))** of the \(Format.count(images)) test images correctly (test loss \(Format.loss(tuned.testLoss)), \(Format.count(errors)) mistakes)"
    if let baseAccuracy = baseline?.testAccuracy, let fewer = facts.fewerMistakes {
      headline +=
        ", against \(Format.percent(baseAccuracy)) for the baseline: \(Format.count(fewer)) fewer mistakes."
    } else {
      headline += "."
    }
    if repeated {
      headline =
        "Over \(facts.tunedAccuracy.n) repeats the tuned model classifies **\(Format.percent(facts.tunedAccuracy))** of the \(Format.count(images)) test images correctly (± one standard deviation; 95% interval \(TrainPresenter.interval(facts.tunedAccuracy)))"
      if let base = facts.baselineAccuracy, let comparison = facts.comparison {
        let verdict: String
        switch comparison.verdict {
        case .better: verdict = "better beyond what the repeats leave in doubt"
        case .worse: verdict = "worse beyond what the repeats leave in doubt"
        case .indistinguishable: verdict = "which these repeats cannot tell from noise"
        case .single: verdict = "which one run each cannot rank"
        }
        headline +=
          ", against \(Format.percent(base)) for the baseline over \(base.n): a change of \(Format.difference(comparison.difference)), P(better) \(Format.probability(comparison)), \(verdict)."
      } else {
        headline += "."
      }
      headline +=
        " Repeat 0 of the tuned model, whose confusion matrix and mistakes the report shows, makes \(Format.count(errors)) mistakes."
    }
    return KeyResultsView(
      headline: headline, headlineHTML: Markdown.html(headline), table: table.table,
      configuration: SettingsText.summary(tunedRun.settings, built.results.shape))
  }

  static func provenance(_ results: StudyResults) -> ProvenanceView {
    let provenance = results.provenance
    var table = TableBuilder("Provenance", columns: [("Item", .left), ("Value", .left)])
    let commit = provenance.commit.map {
      String($0.prefix(12)) + (provenance.dirty ? " (with uncommitted changes)" : "")
    }
    table.add(["Commit", commit ?? "not a git checkout"])
    table.add(["mnist-report", provenance.version])
    table.add(["Compiler", provenance.swift])
    table.add(["CPU", "\(provenance.cpu), \(provenance.cores) cores"])
    table.add(["Kernels", "\(results.kernels), engine \(results.engine)"])
    table.add(["Threads", "\(results.threads)"])
    if !results.hosts.isEmpty {
      let hosts = results.hosts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
      table.add([
        "Trained on",
        hosts.map { "\($0.key) (\(Format.count($0.value)) run\($0.value == 1 ? "" : "s"))" }.joined(separator: ", "),
      ])
    }
    table.add(["System", provenance.operatingSystem])
    table.add(["Study file", results.studyFile])
    if !results.overrides.isEmpty {
      table.add(["Changed from the command line", results.overrides.map(\.flag).joined(separator: ", ")])
    }
    table.add(["Profile", results.profile.name])
    table.add(["Seed", "\(results.data.seed)"])
    table.add(["Dataset", "\(results.data.datasetName), \(Format.count(results.data.validation)) validation images"])
    table.add(["Built", "\(provenance.started) to \(provenance.finished)"])

    var files = TableBuilder("Dataset files", columns: [("File", .left), ("SHA-256 (decompressed)", .left)])
    for file in results.files { files.add([file.file, file.sha256]) }

    var cells = TableBuilder(
      "Cells",
      columns: [
        ("Cell", .left), ("Status", .left), ("Time", .right), ("Runs from the cache", .right), ("Epochs", .right),
      ])
    for cell in results.cells {
      cells.add([
        cell.title, cell.status.rawValue, Format.seconds(cell.seconds), "\(cell.cachedRuns)",
        Format.count(cell.epochsTrained),
      ])
    }
    cells.add(
      [
        "all", "\(results.cachedCells) of \(results.cells.count) cached", Format.seconds(results.seconds), "",
        Format.count(results.epochsTrained),
      ], emphasis: true)
    let computing = results.findings?.cellSeconds ?? 0
    let summary =
      "The study comprises \(Format.count(results.epochsTrained)) epochs of training, each fold of a search counted. Its cells took \(Format.seconds(computing)) to compute, as each last ran; this build trained \(Format.count(results.epochsTrainedNow)) epochs and took \(Format.seconds(results.seconds))."
    return ProvenanceView(table: table.table, files: files.table, cells: cells.table, summary: summary)
  }
}
