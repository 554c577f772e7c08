import ArgumentParser
import Foundation
import Study

struct SlurmCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "slurm",
    abstract: "Run the study on a Slurm cluster.",
    subcommands: [SlurmSubmitCommand.self])
}

struct SlurmSubmitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "submit",
    abstract: "Write sbatch scripts for the study's stages and submit them: one job array per stage, then a build.",
    discussion: """
      Each stage's job array runs `mnist-report work` in every task and starts only after the stage before succeeded (--dependency=afterok; a job whose dependency failed is cancelled, not left pending). A last job runs `mnist-report build` to render the report from the cache, training nothing. The cache folder (--cache) must be one folder that every node sees (NFS, say). The scripts go under OUT/slurm/, with the jobs' logs in OUT/slurm/logs/. Submitting again after a failure or a cancelled task submits only the stages that are unfinished, and their tasks train only what is missing.
      """)

  @OptionGroup var options: StudyOptions
  @OptionGroup var output: OutputOptions

  @Option(help: ArgumentHelp("Tasks per job array.", valueName: "n"))
  var tasks = 2

  @Option(
    help: ArgumentHelp("The partition to submit to (sbatch --partition; default: the cluster's).", valueName: "p"))
  var partition: String?

  @Option(
    help: ArgumentHelp(
      "Time limit of each task (sbatch --time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS).",
      valueName: "t"))
  var time: String?

  @Option(help: ArgumentHelp("CPUs of each task; work trains on that many threads.", valueName: "c"))
  var cpusPerTask = 2

  @Option(
    name: .customLong("sbatch-arg"),
    parsing: .unconditionalSingleValue,
    help: ArgumentHelp(
      "An extra #SBATCH line for every job (repeatable), e.g. --sbatch-arg=--account=ml.", valueName: "arg"))
  var sbatchArguments: [String] = []

  @Option(help: ArgumentHelp("The report templates for the build job (as build --templates).", valueName: "dir"))
  var templates: String?

  @Flag(help: "Write the scripts and print the sbatch commands without submitting.")
  var dryRun = false

  func validate() throws {
    guard (1...10_000).contains(tasks) else { throw ValidationError("--tasks must be from 1 to 10000, got \(tasks)") }
    guard (1...4096).contains(cpusPerTask) else {
      throw ValidationError("--cpus-per-task must be from 1 to 4096, got \(cpusPerTask)")
    }
    if let partition, partition.isEmpty || partition.contains(where: { $0.isWhitespace || $0 == "'" }) {
      throw ValidationError("--partition must be a partition's name, got '\(partition)'")
    }
    if let time, !isSlurmTime(time) {
      throw ValidationError(
        "--time '\(time)' is not a Slurm time (expected minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)")
    }
    for argument in sbatchArguments where !argument.hasPrefix("-") || argument.contains("\n") {
      throw ValidationError("--sbatch-arg '\(argument)' must be one sbatch option, such as --account=ml")
    }
  }

  func run() throws {
    let study = try options.loadStudy()
    let settings = options.buildOptions(output: output.out, threads: cpusPerTask)
    let build = StudyBuild(
      study: study, options: settings, observer: SilentObserver(), cancellation: Cancellation(),
      version: mnistReportVersion)
    let plan = try build.plan()
    let first = plan.earliestUnfinished?.number ?? plan.stages.count + 1
    let folder = absolute(settings.output) + "/slurm"
    // sbatch reads --output unquoted and expands % in it.
    if folder.contains(where: { $0.isWhitespace || $0 == "%" }) {
      throw ValidationError(
        "--out \(settings.output): Slurm's log paths cannot hold spaces or %; choose a folder without them")
    }
    try FileManager.default.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)

    let writer = SlurmScripts(
      executable: executablePath(), directory: FileManager.default.currentDirectoryPath, logs: folder + "/logs",
      common: commonArguments(), partition: partition, time: time, cpusPerTask: cpusPerTask, extra: sbatchArguments)
    var jobs: [(name: String, path: String, detail: String)] = []
    for stage in plan.stages where stage.number >= first {
      let path = "\(folder)/stage-\(stage.number).sbatch"
      let runs =
        stage.isKnown
        ? "\(stage.toTrain.count) runs to train"
        : "runs known once stage \(stage.number - 1) is done"
      try write(
        writer.stage(stage.number, of: plan.stages.count, tasks: tasks, title: study.title, runs: runs), to: path)
      jobs.append(("stage \(stage.number)", path, "array of \(tasks) task\(tasks == 1 ? "" : "s"), \(runs)"))
    }
    let buildPath = "\(folder)/build.sbatch"
    try write(writer.build(title: study.title, output: settings.output, templates: templates), to: buildPath)
    jobs.append(("build", buildPath, "renders the report from the cache"))

    // The commands, as a script one can run by hand, too.
    var lines = [
      "#!/bin/bash", "# Submits the jobs below in order, each after the one before succeeded.", "set -euo pipefail",
    ]
    for (i, job) in jobs.enumerated() {
      let dependency = i == 0 ? "" : " --dependency=afterok:$job\(i - 1)"
      lines.append("job\(i)=$(sbatch --parsable\(dependency) \(shellQuoted(job.path)) | cut -d';' -f1)  # \(job.name)")
      lines.append("echo \"\(job.name): job $job\(i)\"")
    }
    try write(lines.joined(separator: "\n") + "\n", to: folder + "/submit.sh")
    if plan.isComplete {
      FileHandle.standardError.write(Data("every run is cached: only the build job is needed\n".utf8))
    }
    if dryRun {
      print("# scripts in \(folder); to submit them (or run \(folder)/submit.sh):")
      print(lines.dropFirst(3).filter { !$0.hasPrefix("echo") }.joined(separator: "\n"))
      return
    }

    var previous: String?
    for job in jobs {
      var arguments = ["--parsable"]
      if let previous { arguments.append("--dependency=afterok:\(previous)") }
      arguments.append(job.path)
      let id = try sbatch(arguments)
      print("\(job.name): job \(id) (\(job.detail))")
      previous = id
    }
    print("logs: \(folder)/logs; follow with squeue --me, or scontrol show job ID")
  }

  /// The study options every job repeats, as given: each script first changes to the folder
  /// it was submitted from, so relative paths mean what they meant here (and results.json
  /// names the study file as a local build does).
  private func commonArguments() -> [String] {
    var arguments = options.studyArguments + ["--cache", options.cache, "--profile", options.profile]
    if let data = options.dataDirectory { arguments += ["--data", data] }
    return arguments
  }

  private func write(_ text: String, to path: String) throws {
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
      chmod(path, 0o755)
    } catch {
      throw ValidationError("cannot write \(path): \(error.localizedDescription)")
    }
  }

  /// Runs sbatch and returns the job id it prints (`--parsable`: `ID` or `ID;CLUSTER`).
  private func sbatch(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sbatch"] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do { try process.run() } catch {
      throw ValidationError(
        "cannot run sbatch (\(error.localizedDescription)); use --dry-run to only write the scripts")
    }
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let problem = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let id = output.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
    guard process.terminationStatus == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
      let reason = problem.isEmpty ? output : problem
      throw ValidationError(
        "sbatch \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)): \(reason.trimmingCharacters(in: .whitespacesAndNewlines))"
      )
    }
    return id
  }
}

/// The text of the sbatch scripts: plain bash with #SBATCH lines, meant to be read.
struct SlurmScripts {
  let executable: String
  let directory: String
  let logs: String
  let common: [String]
  let partition: String?
  let time: String?
  let cpusPerTask: Int
  let extra: [String]

  func stage(_ number: Int, of count: Int, tasks: Int, title: String, runs: String) -> String {
    script(
      comment: [
        "mnist-report: stage \(number) of \(count) of \"\(title)\" (\(runs)).",
        "Each of the \(tasks) array tasks trains its share of the stage's runs (split by estimated cost)",
        "into the shared cache; a run that is already cached is read, not trained.",
      ],
      name: "mnist-report-stage-\(number)", array: tasks, log: "stage-\(number)-%A_%a.out",
      command: [executable, "work", "--stage", String(number), "--tasks", String(tasks), "--wait-for-stage", "120"]
        + common)
  }

  func build(title: String, output: String, templates: String?) -> String {
    script(
      comment: [
        "mnist-report: renders \"\(title)\" from the cache once every stage is done; trains nothing",
        "(it names any missing run and fails instead).",
      ],
      name: "mnist-report-build", array: nil, log: "build-%j.out",
      command: [executable, "build", "--out", output] + common + (templates.map { ["--templates", $0] } ?? []))
  }

  private func script(comment: [String], name: String, array: Int?, log: String, command: [String]) -> String {
    // A title is the study's to choose: a line break in it must not end the comment.
    var lines = ["#!/bin/bash"] + comment.map { "# " + $0.split(whereSeparator: \.isNewline).joined(separator: " ") }
    lines.append("#SBATCH --job-name=\(name)")
    if let array { lines.append("#SBATCH --array=0-\(array - 1)") }
    lines.append("#SBATCH --ntasks=1")
    lines.append("#SBATCH --cpus-per-task=\(cpusPerTask)")
    lines.append("#SBATCH --output=\(logs)/\(log)")
    if let partition { lines.append("#SBATCH --partition=\(partition)") }
    if let time { lines.append("#SBATCH --time=\(time)") }
    // A job whose dependency failed is cancelled rather than left pending for ever.
    lines.append("#SBATCH --kill-on-invalid-dep=yes")
    for argument in extra { lines.append("#SBATCH \(argument)") }
    lines += [
      "", "set -euo pipefail", "cd \(shellQuoted(directory))",
      "exec " + command.map(shellQuoted).joined(separator: " "), "",
    ]
    return lines.joined(separator: "\n")
  }
}

/// Whether `text` is a time sbatch accepts.
func isSlurmTime(_ text: String) -> Bool {
  let parts = text.split(separator: "-", omittingEmptySubsequences: false)
  guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else { return false }
  let clock = parts.last!.split(separator: ":", omittingEmptySubsequences: false)
  guard clock.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return false }
  if parts.count == 2 { return parts[0].allSatisfy(\.isNumber) && clock.count <= 3 }
  return clock.count <= 3
}

/// A word for bash: as it is when it is safe, else in single quotes.
func shellQuoted(_ word: String) -> String {
  let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+%@".contains($0) }
  return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

func absolute(_ path: String) -> String {
  URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/"))
    .standardizedFileURL.path
}

/// This executable's absolute path, for the jobs to run.
func executablePath() -> String {
  if let path = Bundle.main.executablePath { return URL(fileURLWithPath: path).resolvingSymlinksInPath().path }
  return absolute(CommandLine.arguments[0])
}
