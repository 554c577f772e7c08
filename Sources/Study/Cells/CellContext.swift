import Data
import Foundation

/// What a cell's computation may use: the runs it asks for (from its `RunProvider`), the
/// study's data and the profile, and the cells built before it. It counts the epochs and the
/// cached runs for the cell's result.
final class CellContext: @unchecked Sendable {
  let cell: Cell
  let keys: CacheKeys
  let provider: any RunProvider
  let data: StudyData
  let profile: Profile
  /// The cells computed (or read) before this one in the build.
  let earlier: [BuiltCell]

  /// The stage of the cell's next call to `execute`: a cell's runs train in stages, each
  /// asking for runs chosen from the results of the one before (halving's rounds), and its
  /// first stage follows the last of the cells it builds on (see `Study.firstStages`).
  private(set) var stage: Int
  /// The stage of the cell's first runs.
  let firstStage: Int
  private(set) var cachedRuns = 0
  /// The keys of the runs counted so far.
  private var counted: Set<String> = []
  /// The cell's runs by where they come from (see `RunOrigins`).
  private(set) var origins = RunOrigins()
  /// Runs per host they trained on.
  private(set) var hosts: [String: Int] = [:]
  private(set) var epochsUsed = 0
  private(set) var epochsTrainedNow = 0

  init(
    cell: Cell, keys: CacheKeys, provider: any RunProvider, data: StudyData, profile: Profile, earlier: [BuiltCell],
    stage: Int
  ) {
    self.cell = cell
    self.stage = stage
    firstStage = stage
    self.keys = keys
    self.provider = provider
    self.data = data
    self.profile = profile
    self.earlier = earlier
  }

  /// A run of `settings` as this build's profile trains it, with its cache key.
  func request(
    _ name: String, _ settings: RunSettings, _ data: TrainingData = .split, test: Bool = false, repeatIndex: Int = 0
  ) -> RunRequest {
    let adjusted = profile.adjust(settings)
    let (key, family) = keys.runKey(adjusted, data: data, evaluatesTest: test, repeatIndex: repeatIndex)
    return RunRequest(
      name: name, settings: adjusted, data: data, repeatIndex: repeatIndex, evaluatesTest: test, key: key,
      family: family)
  }

  /// The runs of one named setting, every repeat of `replication` (the quick profile trains
  /// them all too: its runs are short, and it exercises the statistics as the full study
  /// does).
  func repeated(_ name: String, _ settings: RunSettings, _ replication: Replication, test: Bool = false)
    -> [RunRequest]
  {
    (0..<replication.count).map { r in
      var run = request(name, settings, replication.data(repeat: r), test: test, repeatIndex: r)
      run.repeatCount = replication.count
      return run
    }
  }

  /// Named runs of groups of repeats (each group one setting, repeat 0 first).
  func namedRuns(_ groups: [[RunRequest]], sequential: Bool = false) throws(CellStop) -> [NamedRun] {
    let records = try execute(groups.flatMap { $0 }, sequential: sequential)
    var start = 0
    return groups.map { group in
      defer { start += group.count }
      let runs = Array(records[start..<(start + group.count)])
      return NamedRun(name: group[0].name, run: runs[0], repeats: Array(runs.dropFirst()))
    }
  }

  /// The runs of `requests` as the provider gives them (the next stage's), counting epochs
  /// and cached runs. With `sequential`, runs train one after another on every thread, so
  /// that their times compare.
  func execute(_ requests: [RunRequest], sequential: Bool = false) throws(CellStop) -> [RunRecord] {
    defer { stage += 1 }
    let provided = try provider.runs(requests, cell: cell.id, stage: stage, sequential: sequential)
    // A run the cell asked for at an earlier stage (a final cell's re-scored winner, its
    // repeat 0 again) counts once.
    let runs = zip(requests, provided).filter { counted.insert($0.0.key).inserted }.map(\.1)
    cachedRuns += runs.filter(\.cached).count
    for run in runs { hosts[run.record.trainedOn?.host ?? "unrecorded", default: 0] += 1 }
    epochsUsed += runs.reduce(0) { $0 + $1.record.epochs }
    for run in runs { origins.count(run.record, in: cell.id) }
    epochsTrainedNow += runs.filter { !$0.cached }.reduce(0) { $0 + $1.record.epochs }
    return provided.map(\.record)
  }
}
