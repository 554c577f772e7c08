import Data
import Foundation

/// What a cell's computation may use: the runs it asks for (trained or read from the cache),
/// the build's data and profile, and the cells built before it. It counts the epochs and the
/// cached runs for the cell's result.
final class CellContext: @unchecked Sendable {
  let cell: Cell
  let keys: CacheKeys
  let executor: Executor
  let data: BuildData
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
  /// Runs per host they trained on.
  private(set) var hosts: [String: Int] = [:]
  private(set) var epochsTrained = 0
  private(set) var epochsTrainedNow = 0

  init(
    cell: Cell, keys: CacheKeys, executor: Executor, data: BuildData, profile: Profile, earlier: [BuiltCell],
    stage: Int
  ) {
    self.cell = cell
    self.stage = stage
    firstStage = stage
    self.keys = keys
    self.executor = executor
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

  /// Named runs of groups of repeats (each group one setting, repeat 0 first), trained or
  /// read; nil when cancelled.
  func namedRuns(_ groups: [[RunRequest]], sequential: Bool = false) -> [NamedRun]? {
    guard let records = execute(groups.flatMap { $0 }, sequential: sequential) else { return nil }
    var start = 0
    return groups.map { group in
      defer { start += group.count }
      let runs = Array(records[start..<(start + group.count)])
      return NamedRun(name: group[0].name, run: runs[0], repeats: Array(runs.dropFirst()))
    }
  }

  /// Trains or reads `requests`, counting epochs and cached runs; nil when cancelled. With
  /// `sequential`, runs train one after another on every thread, so that their times
  /// compare.
  func execute(_ requests: [RunRequest], sequential: Bool = false) -> [RunRecord]? {
    let (records, fromCache) = executor.run(requests, cell: cell.id, stage: stage, sequential: sequential)
    stage += 1
    guard records.allSatisfy({ $0 != nil }) else { return nil }
    let done = records.map { $0! }
    cachedRuns += fromCache.filter { $0 }.count
    for record in done { hosts[record.trainedOn?.host ?? "unrecorded", default: 0] += 1 }
    epochsTrained += done.reduce(0) { $0 + $1.epochs }
    epochsTrainedNow += zip(done, fromCache).filter { !$1 }.reduce(0) { $0 + $1.0.epochs }
    return done
  }

}
