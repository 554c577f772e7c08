import ArgumentParser
import Foundation
import Study

struct ListCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List the study's cells and whether each can be rendered without training.",
    discussion: """
      A cell is "cached" when the cache holds its result, "in results" when only the results folder's results.json does (mnist-report render re-renders the report from it, training nothing), and "to run" when neither holds it under the key the cell has now.
      """)

  @OptionGroup var options: StudyOptions

  @Option(
    help: ArgumentHelp(
      "The results folder to look in besides the cache (a build's --out).", valueName: "dir"))
  var results = "reports"

  @Flag(help: "Print a JSON array, one object per cell (cell, kind, runs, state, title, key).")
  var json = false

  func run() throws {
    let study = try options.loadStudy()
    let build = StudyBuild(
      study: study, options: options.buildOptions(), observer: SilentObserver(), cancellation: Cancellation(),
      version: mnistReportVersion)
    // Results of another profile are other numbers: not this listing's.
    var published: [CellResult?] = study.cells.map { _ in nil }
    if FileManager.default.fileExists(atPath: (results as NSString).appendingPathComponent("results.json")) {
      do {
        let folder = try PublishedResults(folder: results)
        if folder.results.profile.name == options.profile { published = folder.matches(study) }
      } catch {
        // Results of another version are of no use here, and no reason to fail.
        FileHandle.standardError.write(Data("note: \(error) (its cells are not listed as in results)\n".utf8))
      }
    }
    var table = TextTable(header: ["cell", "kind", "runs", "state", "title"])
    var objects: [[String: Any]] = []
    for (state, result) in zip(try build.states(), published) {
      let text = state.cached ? "cached" : result != nil ? "in results" : "to run"
      table.rows.append([state.cell.id, state.cell.kind.rawValue, String(state.cell.runCount), text, state.cell.title])
      objects.append([
        "cell": state.cell.id, "kind": state.cell.kind.rawValue, "runs": state.cell.runCount,
        "state": text.replacingOccurrences(of: " ", with: "_"), "title": state.cell.title, "key": state.key,
      ])
    }
    if json {
      print(jsonText(objects))
      return
    }
    print("\(study.title) (\(study.file), profile \(options.profile))")
    print(table.render())
    let renderable = published.filter { $0 != nil }.count
    if renderable == study.cells.count {
      print("\(results)/results.json holds every cell: mnist-report render re-renders the report without training.")
    } else if renderable > 0 {
      print(
        "\(results)/results.json holds \(renderable) of the \(study.cells.count) cells: render needs them all; build computes the rest."
      )
    }
  }
}
