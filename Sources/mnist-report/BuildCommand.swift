import ArgumentParser
import Dispatch
import Foundation
import NN
import Report
import Study
import Tensor

struct BuildCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "build",
    abstract: "Run the study's cells and write the results and the report; unchanged cells come from the cache.",
    discussion: """
      Cells run in the study file's order. A cell whose settings, data and engine are unchanged is read from the cache; within a cell that must run, each training run already in the cache is read rather than trained. Ctrl-C stops at once: the runs that finished stay cached and the next build resumes from them.
      """)

  @OptionGroup var options: StudyOptions
  @OptionGroup var output: OutputOptions
  @OptionGroup var threads: ThreadOptions

  @Flag(help: "Recompute every cell, ignoring the cache.")
  var force = false

  @Option(help: ArgumentHelp("Build only this cell (repeatable); the others come from the cache.", valueName: "cell"))
  var only: [String] = []

  @Flag(help: "Show only problems and the final summary.")
  var quiet = false

  @Flag(help: "Also print every epoch's line on a terminal.")
  var verbose = false

  @OptionGroup var templates: TemplateOption

  @Flag(help: "Write results.json and the CSVs but not the report.")
  var noReport = false

  @Flag(
    help:
      "After work tasks trained the study's runs (mnist-report work, slurm submit), train the runs they left missing here; without it such a build names them and stops."
  )
  var trainMissing = false

  func validate() throws {
    if quiet && verbose { throw ValidationError("use --quiet or --verbose, not both") }
  }

  func run() throws {
    let study = try options.loadStudy()
    // Templates are checked before anything trains: a broken one should not cost a build.
    let templateSet = noReport ? nil : try templates.load()
    let (threadCount, threadNote) = try threads.count()
    if let threadNote, !quiet { FileHandle.standardError.write(Data((threadNote + "\n").utf8)) }
    var settings = options.buildOptions(output: output.out, threads: threadCount)
    settings.force = force
    settings.only = only
    settings.trainMissing = trainMissing
    let display = ProgressDisplay(level: quiet ? .quiet : verbose ? .verbose : .normal)
    let cancellation = Cancellation()
    let interrupt = installInterruptHandler(cancellation)
    defer { interrupt.cancel() }
    let build = StudyBuild(
      study: study, options: settings, observer: display, cancellation: cancellation, version: mnistReportVersion)
    // After `work` tasks, the runs they left missing are named before anything is written;
    // so is bad data and a cache that cannot be written.
    try build.checkDistributedRuns()
    try build.prepare()
    // Results and report are written together and moved into place at the end: a build that
    // fails or is stopped leaves the previous ones whole.
    let staged = try StagedOutput(output: settings.output)
    let built: BuiltStudy
    do {
      built = try build.run(into: staged)
    } catch BuildError.interrupted {
      FileHandle.standardError.write(Data("\n\(BuildError.interrupted)\n".utf8))
      throw ExitCode(130)
    }
    var report: WrittenReport?
    if let templateSet {
      let writer = ReportWriter(templates: templateSet, threads: settings.threads)
      do {
        report = try writer.write(built, into: staged)
      } catch let error as ReportError {
        throw ValidationError("\(error.description); the previous report is left as it was")
      }
    }
    do {
      try staged.commit()
    } catch {
      throw ValidationError("\(error)")
    }
    if let report, !quiet {
      FileHandle.standardError.write(
        Data(
          String(
            format: "report: %@ and %@ (%d figures, %.1f s)\n", report.markdown, report.html, report.figures,
            report.seconds
          )
          .utf8))
    }
    let results = built.results
    let failed = results.cells.filter { $0.status == .failed }
    print(
      String(
        format: "%@: %d cells (%d cached), %d epochs trained in this build (%d in all), %.1f s; results in %@",
        study.title, results.cells.count, results.cachedCells, results.epochsTrainedNow, results.epochsTrained,
        results.seconds, settings.output))
    if !failed.isEmpty {
      throw ValidationError("\(failed.count) cell(s) failed: \(failed.map(\.id).joined(separator: ", "))")
    }
  }
}

/// The template set at `path`, or the checkout's `templates/`.
func loadTemplates(_ path: String?) throws -> TemplateSet {
  let directory = path ?? locateInCheckout("templates") ?? "templates"
  do {
    return try TemplateSet(directory: directory)
  } catch {
    throw ValidationError("template error: \(error)")
  }
}

/// Turns the first Ctrl-C into a cancellation of the build; a second one exits at once.
func installInterruptHandler(_ cancellation: Cancellation) -> DispatchSourceSignal {
  signal(SIGINT, SIG_IGN)
  let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
  source.setEventHandler {
    if cancellation.isCancelled { exit(130) }
    FileHandle.standardError.write(Data("\nstopping after the current batch (Ctrl-C again to quit now)…\n".utf8))
    cancellation.cancel()
  }
  source.resume()
  return source
}
