import Study

/// One cell of the notebook as the templates see it: its header, explanation and input (the
/// cell as written in the study file), the outputs of its kind, a finding written from its
/// results, and a status line.
struct CellView {
  let id: String
  let number: Int
  let title: String
  let kind: String
  /// Markdown as written in the study file, and as HTML.
  let explanation: String
  let explanationHTML: String
  /// The cell as written in the study file, shown like a notebook's input cell.
  let source: String
  /// "ran in 12.3 s", "cached (ran in 12.3 s)", "failed", …
  let status: String
  /// ran, cached, failed, diverged or skipped: for styling.
  let statusClass: String
  let error: String?
  /// What the results say, in a sentence or three (Markdown, and as HTML).
  let finding: String?
  let findingHTML: String?
  /// The outputs of the cell's kind; nil when it failed or was not built.
  let outputs: CellOutputs?
}

extension CellView {
  /// The cell as written in the study file, without its title and explanation (the report
  /// shows those above it): what a notebook's input cell would hold.
  static func input(_ source: String) -> String {
    var kept: [Substring] = []
    var skipping = false
    for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
      let topLevel = !line.hasPrefix(" ") && !line.isEmpty
      if topLevel { skipping = line.hasPrefix("title:") || line.hasPrefix("explanation:") }
      if !skipping { kept.append(line) }
    }
    return kept.joined(separator: "\n")
  }

  /// The status line: how the cell came to be in this build, its runs said trained or read.
  static func status(_ result: CellResult) -> String {
    let o = result.origins
    var runs: [String] = []
    if o.trained > 0 {
      runs.append(
        "trained \(Format.count(o.trained)) run\(o.trained == 1 ? "" : "s") (\(Format.count(o.epochsTrained)) epochs)")
    }
    if o.fromOtherCells > 0 { runs.append("used \(Format.count(o.fromOtherCells)) of other cells'") }
    if o.readOff > 0 { runs.append("read \(Format.count(o.readOff)) off longer runs") }
    let detail = runs.isEmpty ? "" : "; " + runs.joined(separator: ", ")
    switch result.status {
    case .ran:
      var text = "ran in \(Format.seconds(result.seconds))\(detail)"
      if result.cachedRuns > 0 {
        text += "; \(result.cachedRuns) of its runs came from the cache"
      }
      return text
    case .cached: return "cached (it ran in \(Format.seconds(result.seconds))\(detail))"
    case .diverged: return "ran in \(Format.seconds(result.seconds))\(detail); a run diverged"
    case .failed: return "failed"
    case .skipped: return "not built (--only named other cells)"
    }
  }
}
