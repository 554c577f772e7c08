import ArgumentParser
import Foundation
import Study

/// The options that choose a study, its data and its cache, shared by every command that
/// reads a study.
struct StudyOptions: ParsableArguments {
  @Option(help: ArgumentHelp("The study file to run (YAML).", valueName: "file"))
  var study = "studies/default.yaml"

  @Option(help: ArgumentHelp("The folder of the cell and run cache.", valueName: "dir"))
  var cache = ".cache/mnist-report"

  @Option(
    help: ArgumentHelp(
      "full, or quick: the same cells on a small subset with few epochs (about a minute).", valueName: "profile"))
  var profile = "full"

  @Option(
    name: .customLong("data"),
    help: ArgumentHelp(
      "A folder holding the study's dataset files instead of its own: a built-in dataset's are checked against its digests; a study of a folder (data: {path: DIR}) reads this one instead.",
      valueName: "dir"))
  var dataDirectory: String?

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
      "Threads to train with; runs go side by side, one thread each (default: SLURM_CPUS_PER_TASK when set, else every core).",
      valueName: "n"))
  var threads: Int?

  func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    _ = try count()
  }

  /// `--threads`, else Slurm's CPUs per task, else the cores.
  func count() throws -> Int {
    if let threads { return threads }
    if let text = ProcessInfo.processInfo.environment["SLURM_CPUS_PER_TASK"] {
      guard let count = Int(text), count >= 1 else {
        throw ValidationError("SLURM_CPUS_PER_TASK must be a whole number of at least 1, found '\(text)'")
      }
      return count
    }
    return ProcessInfo.processInfo.activeProcessorCount
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
