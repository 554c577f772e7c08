import ArgumentParser
import Foundation
import Study
import Tensor

/// The options that choose a study, its data and its cache, shared by every command that
/// reads a study.
struct StudyOptions: ParsableArguments {
  @Option(help: ArgumentHelp("The study file to run (YAML).", valueName: "file"))
  var study = "studies/default.yaml"

  @Option(help: ArgumentHelp("The folder of the cell and run cache.", valueName: "dir"))
  var cache = ".cache/mnist-report"

  @Option(
    help: ArgumentHelp(
      "full (the study as its file says), or quick (the same cells on a small subset with few epochs, about a minute). Allowed: full, quick.",
      valueName: "full|quick"))
  var profile = "full"

  @Option(
    name: .customLong("data"),
    help: ArgumentHelp(
      "A folder holding the study's dataset files instead of its own: a built-in dataset's are checked against its digests; a study of a folder (data: {path: DIR}) reads this one instead.",
      valueName: "dir"))
  var dataDirectory: String?

  @Option(
    name: .customLong("set"),
    parsing: .unconditionalSingleValue,
    help: ArgumentHelp(
      "Change the study file's KEY to VALUE (repeatable): a dotted path, a cell named by its id, a YAML value, checked as the file is (base.learning_rate=1e-3, data.dataset=fashion-mnist, cells.baseline.settings.epochs=5). Part of the cache keys; listed in the report's provenance.",
      valueName: "key=value"))
  var assignments: [String] = []

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "The study's seed instead of the file's (as --set data.seed=N): a whole number, 0 or more.", valueName: "n"))
  var seed: UInt64?

  @Option(
    help: ArgumentHelp(
      "A built-in dataset instead of the file's: mnist or fashion-mnist (as --set data.dataset=NAME).",
      valueName: "name"))
  var dataset: String?

  func validate() throws {
    guard Profile.named(profile) != nil else {
      throw ValidationError("unknown profile '\(profile)' (allowed: full, quick)")
    }
  }

  /// The study file: as given, or, for the default, found beside the checkout.
  func studyPath() -> String {
    if FileManager.default.fileExists(atPath: study) || study != "studies/default.yaml" { return study }
    return locateInCheckout(study) ?? study
  }

  /// The changes `--set`, `--seed` and `--dataset` make to the study file, in that order.
  func overrides() throws -> [StudyOverride] {
    var overrides = try assignments.map { try StudyOverride(assignment: $0) }
    if let seed { overrides.append(.seed(seed)) }
    if let dataset { overrides.append(.dataset(dataset)) }
    return overrides
  }

  /// The study file, read and checked with the command line's changes applied.
  func loadStudy() throws -> Study {
    try Study.load(studyPath(), overrides: try overrides())
  }

  /// The options that choose the study, for a command run elsewhere (a Slurm job).
  var studyArguments: [String] {
    var arguments = ["--study", studyPath()]
    for assignment in assignments { arguments += ["--set", assignment] }
    if let seed { arguments += ["--seed", String(seed)] }
    if let dataset { arguments += ["--dataset", dataset] }
    return arguments
  }

  /// Build options for this study, with results in `output` and `threads` to train with.
  func buildOptions(output: String = "reports", threads: Int = 1) -> BuildOptions {
    var options = BuildOptions(output: output, cacheDirectory: cache)
    options.profile = Profile.named(profile)!
    options.threads = threads
    options.dataDirectory = dataDirectory
    return options
  }
}

/// Where the results and the report go (`build`, `slurm submit`).
struct OutputOptions: ParsableArguments {
  @Option(help: ArgumentHelp("The folder for the results and the report.", valueName: "dir"))
  var out = "reports"
}

/// How many threads to train with (`build`, `work`, and `plan`'s estimates).
struct ThreadOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Threads to train with, or auto: the cores this process may use (its CPU affinity, a cgroup quota, SLURM_CPUS_PER_TASK) less those other processes keep busy; runs go side by side, one thread each.",
      valueName: "n|auto"))
  var threads = "auto"

  /// The most threads a build may ask for: more than four per core only thrash.
  static var most: Int { 4 * ProcessInfo.processInfo.activeProcessorCount }

  func validate() throws {
    _ = try explicit(most: Self.most)
    if let text = ProcessInfo.processInfo.environment["SLURM_CPUS_PER_TASK"], (Int(text) ?? 0) < 1 {
      throw ValidationError("SLURM_CPUS_PER_TASK must be a whole number of at least 1, found '\(text)'")
    }
  }

  /// `--threads N`, checked against `most`; nil for auto.
  func explicit(most: Int) throws -> Int? {
    guard threads != "auto" else { return nil }
    guard let count = Int(threads) else {
      throw ValidationError("--threads must be a whole number or auto, got '\(threads)'")
    }
    guard (1...most).contains(count) else {
      throw ValidationError(
        "--threads must be from 1 to \(most) on this machine (4 × its \(ProcessInfo.processInfo.activeProcessorCount) cores), got \(threads)"
      )
    }
    return count
  }

  /// The threads to train with; for auto, measured, with what was chosen and why.
  func count() throws -> (threads: Int, note: String?) {
    if let count = try explicit(most: Self.most) { return (count, nil) }
    let cores = CPUAvailability.measure()
    return (cores.free, "threads: auto → \(cores.free) (\(cores))")
  }
}

/// `relative` under the working directory, above the executable, or in the source checkout.
func locateInCheckout(_ relative: String) -> String? {
  var candidates = [FileManager.default.currentDirectoryPath]
  var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
    .deletingLastPathComponent()
  for _ in 0..<5 {
    candidates.append(folder.path)
    folder.deleteLastPathComponent()
  }
  candidates.append(
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .path)
  return candidates.map { ($0 as NSString).appendingPathComponent(relative) }.first {
    FileManager.default.fileExists(atPath: $0)
  }
}

/// `--json` output: `object` (dictionaries, arrays, strings, numbers) pretty-printed with
/// sorted keys.
func jsonText(_ object: Any) -> String {
  let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
  return String(decoding: data, as: UTF8.self)
}

/// A command that cannot go on: ArgumentParser prints "Error: " and the message, without the
/// usage lines a mistyped flag gets, and exits 1.
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
