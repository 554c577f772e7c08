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
  /// The number of the provenance section, after the cells and what mattered.
  let provenanceNumber: Int
  let cells: [CellView]
  /// The closing section, after the cells.
  let effects: EffectsView?
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
    // The build's threads, and each run's: a build of 2 threads may train two runs at a time.
    let perRun = Set(results.cells.flatMap(\.runs).flatMap(\.all).compactMap { $0.trainedOn?.threads }).sorted()
    let eachRun = perRun.isEmpty ? "" : ", \(perRun.map(String.init).joined(separator: " or ")) per run"
    table.add(["Threads", "\(results.threads) for the build\(eachRun)"])
    if !results.hosts.isEmpty {
      let hosts = results.hosts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
      // A host's count is of the runs as the cells use them: a run reused by another cell, or
      // read off a longer one, counts in each.
      table.add([
        "Trained on",
        hosts.count == 1
          ? "\(hosts[0].key), every run"
          : hosts.map { "\($0.key) (\(Format.count($0.value)) of the runs the cells use)" }.joined(separator: ", "),
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
    table.add(["This build ran", "\(provenance.started) to \(provenance.finished)"])

    var files = TableBuilder("Dataset files", columns: [("File", .left), ("SHA-256 (decompressed)", .left)])
    for file in results.files { files.add([file.file, file.sha256]) }

    var cells = TableBuilder(
      "Cells: each one's time as it last ran, and its runs by where they come from",
      columns: [
        ("Cell", .left), ("Status", .left), ("Time", .right), ("Runs trained", .right), ("Epochs trained", .right),
        ("Runs of other cells", .right), ("Runs read off longer ones", .right),
      ])
    for cell in results.cells {
      cells.add([
        cell.title, cell.status.rawValue, Format.seconds(cell.seconds), Format.count(cell.origins.trained),
        Format.count(cell.origins.epochsTrained), Format.count(cell.origins.fromOtherCells),
        Format.count(cell.origins.readOff),
      ])
    }
    let runs = results.findings?.runs ?? RunOrigins()
    let computing = results.findings?.cellSeconds ?? 0
    cells.add(
      [
        "all", "\(results.cachedCells) of \(results.cells.count) cached", Format.seconds(computing),
        Format.count(runs.trained), Format.count(runs.epochsTrained), Format.count(runs.fromOtherCells),
        Format.count(runs.readOff),
      ], emphasis: true)
    let summary =
      "The study trained \(Format.count(runs.trained)) runs, \(Format.count(runs.epochsTrained)) epochs (each fold of a search counted), each once; its cells also used \(Format.count(runs.fromOtherCells)) of those runs again and read \(Format.count(runs.readOff)) off the first epochs of longer ones. The cells took \(Format.seconds(computing)) to compute, as each last ran; this build trained \(Format.count(results.epochsTrainedNow)) epochs and took \(Format.seconds(results.seconds))."
    return ProvenanceView(table: table.table, files: files.table, cells: cells.table, summary: summary)
  }
}
