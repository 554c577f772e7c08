import ArgumentParser
import Foundation
import Study
import Tracking

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Send a build's results to the tools people track experiments in.",
    subcommands: [ExportMLflowCommand.self])
}

struct ExportMLflowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mlflow",
    abstract: "Send every run of a results folder to an MLflow tracking server over its REST API.",
    discussion: """
      Reads a results folder (like render: no cache, no training) and creates, in the experiment: a study run holding the report, results.json, predictions.csv, the figures and the exported models as artifacts; under it one run per named run of each training cell (its settings as params), its repeats as child runs with every epoch's loss, accuracy, val_loss, val_accuracy and learning_rate (step = epoch) and the test metrics; and one run per search candidate. Tags name the cell, the variant, the repeat, the run's cache key and the commit. Exporting the same results again sends nothing. The server must serve artifacts (mlflow server --artifacts-destination DIR, the default of a local server).
      """)

  @Option(
    help: ArgumentHelp(
      "The tracking server's URL, as MLflow's MLFLOW_TRACKING_URI (http://127.0.0.1:5000).", valueName: "url"))
  var trackingURI: String

  @Option(
    help: ArgumentHelp(
      "The experiment to send the runs to, made when missing (default: the study's title).", valueName: "name"))
  var experiment: String?

  @Option(help: ArgumentHelp("The results folder a build wrote.", valueName: "dir"))
  var from = "reports"

  @Flag(help: "Show only problems and the final summary.")
  var quiet = false

  func run() throws {
    let published: PublishedResults
    do {
      published = try PublishedResults(folder: from)
    } catch {
      throw CommandFailure("\(error)")
    }
    do {
      let export = try MLflowExport(
        folder: from, results: published.results, trackingURI: trackingURI, experiment: experiment,
        progress: { line in if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) } })
      let summary = try export.run()
      print(
        "MLflow \(summary.serverVersion) at \(trackingURI): experiment \(summary.experimentID), study run \(summary.studyRunID); \(summary.created) runs created, \(summary.existing) already there, \(summary.artifacts) artifacts sent"
      )
    } catch let error as MLflowError {
      throw CommandFailure("\(error)")
    }
  }
}
