import Data
import Foundation

/// Everything a build produced, as written to `results.json`.
public struct StudyResults: Codable, Sendable {
  public var title: String
  public var description: String
  public var studyFile: String
  public var version: String
  public var engine: String
  public var kernels: String
  public var threads: Int
  public var data: DataSettings
  public var profile: Profile
  /// The images' size and the number of classes, as read from the files.
  public var shape: DataShape
  public var files: [FileDigest]
  public var cells: [CellResult]
  /// Wall time of the build.
  public var seconds: Double
  /// Epochs of every cell's runs, each cell's counted (a run two cells use counts twice);
  /// epochs the study trained, each run once (cached ones included); and epochs this build
  /// trained.
  public var epochsUsed: Int
  public var epochsTrained: Int
  public var epochsTrainedNow: Int
  public var cachedCells: Int
  public var cacheProblems: [String]
  /// The hosts the study's runs trained on, with how many runs each.
  public var hosts: [String: Int] = [:]
  /// What the study as a whole shows (the key results), as the analysis found.
  public var findings: StudyFacts? = nil
  /// The commit, tools, machine and time of the build.
  public var provenance: Provenance
  /// The changes to the study file from the command line (`--set`, `--seed`, `--dataset`).
  public var overrides: [StudyOverride]
  /// The layout of results.json (``resultsFileFormat``).
  public var formatVersion = resultsFileFormat
}
