import ArgumentParser
import Foundation
import Report
import Study

struct RenderCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",
    abstract: "Render the report again from a results folder, without the cache and without training.",
    discussion: """
      Reads the folder a build wrote (results.json, predictions.csv; the published reports/ holds all it needs), and writes the results, the figures, report.md and report.html again with the study file's current captions, explanations and titles and the current templates, in a few seconds. Each cell's result is used only if the cell's key (its settings, the data, the profile, the engine and the cells before it) is the one in the results: a cell whose settings changed is named, and needs mnist-report build. Nothing is replaced unless the whole report is written.
      """)

  @Option(help: ArgumentHelp("The results folder to render from (a build's --out).", valueName: "dir"))
  var from = "reports"

  @Option(help: ArgumentHelp("The folder to write the report into (default: the one rendered from).", valueName: "dir"))
  var out: String?

  @Option(
    help: ArgumentHelp(
      "The study file whose captions and explanations to use (default: the one results.json names).",
      valueName: "file"))
  var study: String?

  @OptionGroup var templates: TemplateOption

  @Flag(help: "Show only problems.")
  var quiet = false

  func run() throws {
    let output = out ?? from
    let published: PublishedResults
    do {
      published = try PublishedResults(folder: from)
    } catch let error as RenderError {
      throw CommandFailure(error.description)
    }
    let studyFile = study ?? published.results.studyFile
    let found = FileManager.default.fileExists(atPath: studyFile) ? studyFile : locateInCheckout(studyFile)
    guard let path = found else {
      throw CommandFailure(
        "\(studyFile): the study file \(from)/results.json names is not here; give it with --study FILE")
    }
    // The build's changes from the command line, applied again: its cells' keys hold them.
    let study = try Study.load(path, overrides: published.results.overrides)
    let templateSet = try templates.load()
    // Everything is staged and moved into place at the end, as a build does: a render that
    // fails leaves the previous report whole.
    let staged = try StagedOutput(output: output)
    let report: WrittenReport
    do {
      let built = try published.render(study, into: staged)
      report = try ReportWriter(templates: templateSet, threads: ProcessInfo.processInfo.activeProcessorCount)
        .write(built, into: staged)
      try staged.commit()
    } catch let error as RenderError {
      throw CommandFailure("\(error.description); nothing was written")
    } catch let error as ReportError {
      throw CommandFailure("\(error.description); the previous report is left as it was")
    } catch {
      throw CommandFailure("\(error); the previous report is left as it was")
    }
    if !quiet {
      print(
        String(
          format: "report: %@, %@ and %@ (%d figures, %.1f s), from %@/results.json", report.markdown, report.html,
          report.notebook,
          report.figures, report.seconds, from))
    }
  }
}
