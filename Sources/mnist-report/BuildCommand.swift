import ArgumentParser
import Data
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

  @Option(
    help: ArgumentHelp(
      "The memory the build may use, as 4GB, 500MB or 2GiB (default: the machine's, or its control group's limit when lower); a study whose estimated peak is past it is refused before anything is written.",
      valueName: "size"))
  var memory: String?

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
    if let memory, parseSize(memory) == nil {
      throw ValidationError("--memory: expected a size such as 4GB, 500MB or 2GiB, found '\(memory)'")
    }
  }

  func run() throws {
    // Ctrl-C is caught from the start, so that it ends the build the same way (a message,
    // exit status 130) whether it comes while the data loads or while a run trains.
    let cancellation = Cancellation()
    let interrupt = installInterruptHandler(cancellation)
    defer { interrupt.cancel() }
    let study = try options.loadStudy()
    // Templates are checked before anything trains: a broken one should not cost a build.
    let templateSet = noReport ? nil : try templates.load()
    let (threadCount, threadNote) = try threads.count()
    if let threadNote, !quiet { FileHandle.standardError.write(Data((threadNote + "\n").utf8)) }
    var settings = options.buildOptions(output: output.out, threads: threadCount)
    settings.force = force
    settings.only = only
    settings.trainMissing = trainMissing
    settings.memoryLimit = memory.flatMap(parseSize)
    let display = ProgressDisplay(level: quiet ? .quiet : verbose ? .verbose : .normal)
    let build = StudyBuild(
      study: study, options: settings, observer: display, cancellation: cancellation, version: mnistReportVersion)
    // After `work` tasks, the runs they left missing are named; then what the build will
    // cost, and a refusal when it cannot fit: all before anything is written.
    let cost: BuildCost
    do {
      try build.checkDistributedRuns()
      cost = try build.checkCost()
    } catch let error as BuildError {
      throw CommandFailure("\(error)")
    } catch let error as DataError {
      // --data names where a built-in dataset's files are, not a dataset of one's own.
      guard let folder = settings.dataDirectory, case .builtIn(let name, _) = study.data.source else { throw error }
      throw CommandFailure(
        "\(error)\n--data \(folder) reads the files of the study's built-in dataset (\(name)), which these are not; to train on them as a dataset of their own, give the study data: {path: \(folder)} (mnist-report data --data \(folder) summarizes them as such)"
      )
    }
    if cancellation.isCancelled {
      FileHandle.standardError.write(Data("interrupted before anything was trained or written\n".utf8))
      throw ExitCode(130)
    }
    try build.prepare()
    if let speed = cost.plan.machineSpeed { build.keep(speed) }
    if !quiet { FileHandle.standardError.write(Data((costLine(cost) + "\n").utf8)) }
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
            format: "report: %@, %@ and %@ (%d figures, %.1f s)\n", report.markdown, report.html, report.notebook,
            report.figures,
            report.seconds
          )
          .utf8))
    }
    let results = built.results
    let failed = results.cells.filter { $0.status == .failed }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print(
      String(
        format:
          "%@: %d cells (%d cached), %d epochs trained in this build (%d in all), %.1f s; peak memory %@ (estimated %@); results in %@",
        study.title, results.cells.count, results.cachedCells, results.epochsTrainedNow, results.epochsTrained,
        results.seconds, sizeText(Double(usage.ru_maxrss) * 1024), sizeText(cost.plan.peakMemory), settings.output))
    if !failed.isEmpty {
      throw ValidationError("\(failed.count) cell(s) failed: \(failed.map(\.id).joined(separator: ", "))")
    }
  }
}

/// The estimate a build states before it trains: runs, time, memory and disk.
func costLine(_ cost: BuildCost) -> String {
  let plan = cost.plan
  let runs = plan.stages.reduce(0) { $0 + $1.toTrain.count }
  let unknown = plan.stages.compactMap(\.estimate).reduce(0) { $0 + $1.expectedRuns }
  let count = unknown > 0 ? "about \(runs + Int(unknown.rounded(.up)))" : "\(runs)"
  let speed =
    plan.calibrated
    ? "at the cached runs' speed"
    : plan.machineSpeed.map {
      String(format: "at this machine's measured speed, %.2f× the reference's", $0.relativeSpeed)
    }
      ?? ""
  var free = ""
  if let cacheFree = cost.cacheFree {
    free = cost.sharedDisk ? "; \(sizeText(cacheFree)) free" : "; \(sizeText(cacheFree)) free for the cache"
  }
  return plan.isComplete
    ? "estimate: nothing to train; about \(sizeText(plan.peakMemory)) of memory at most"
    : "estimate: \(count) run\(count == "1" ? "" : "s") to train, about \(duration(cost.seconds)) \(speed); memory about \(sizeText(plan.peakMemory)) at its peak, of \(cost.memory.source) \(sizeText(cost.memory.bytes)); disk about \(sizeText(plan.disk.cacheBytes)) for the cache and \(sizeText(plan.disk.outputBytes)) for the output\(free)"
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
    if cancellation.isCancelled {
      FileHandle.standardError.write(Data("\ninterrupted: the runs that finished are cached\n".utf8))
      exit(130)
    }
    FileHandle.standardError.write(Data("\nstopping at the next batch or check (Ctrl-C again to quit now)…\n".utf8))
    cancellation.cancel()
  }
  source.resume()
  return source
}
