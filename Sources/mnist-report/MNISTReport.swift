import ArgumentParser
import CSupport

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

  /// Fixes glibc's threshold for allocating with mmap at 1 MiB before anything runs. Left to
  /// itself, glibc raises the threshold as large blocks are freed, so that later ones come
  /// from arenas that keep the memory: the peak of a quick build then varied from 730 to 850
  /// MB with the timing of its threads; fixed, it is 633 to 641 MB, and what `plan`
  /// estimates holds.
  static func main() {
    csupport_fix_mmap_threshold(1 << 20)
    main(nil)
  }
}
