import ArgumentParser

/// The version printed by `--version` and recorded in the results and the report (not in
/// the cache keys: the engine version is, `engineVersion`, since only the arithmetic changes
/// what a run computes).
let mnistReportVersion = "0.1.0"

@main
struct MNISTReport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mnist-report",
    abstract: "Reproducible study of fully connected networks on MNIST, published as a report.",
    discussion: """
      Runs the study's experiment cells on mnist-report's own tensor engine and writes the results under reports/. Same seed, same bits.
      """,
    version: mnistReportVersion,
    subcommands: [
      BuildCommand.self, RenderCommand.self, ListCommand.self, DiffCommand.self, PredictCommand.self, CacheCommand.self,
      PlanCommand.self,
      WorkCommand.self,
      SlurmCommand.self,
      OpenCommand.self,
      ExportCommand.self,
      DataCommand.self, BenchCommand.self,
    ]
  )
}
