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

  private(set) var cachedRuns = 0
  private(set) var epochsTrained = 0
  private(set) var epochsTrainedNow = 0

  init(cell: Cell, keys: CacheKeys, executor: Executor, data: BuildData, profile: Profile, earlier: [BuiltCell]) {
    self.cell = cell
    self.keys = keys
    self.executor = executor
    self.data = data
    self.profile = profile
    self.earlier = earlier
  }

  /// A run of `settings` as this build's profile trains it, with its cache key.
  func request(_ name: String, _ settings: RunSettings, _ data: TrainingData = .split, test: Bool = false)
    -> RunRequest
  {
    let adjusted = profile.adjust(settings)
    let (key, family) = keys.runKey(adjusted, data: data, evaluatesTest: test)
    return RunRequest(name: name, settings: adjusted, data: data, evaluatesTest: test, key: key, family: family)
  }

  /// Trains or reads `requests`, counting epochs and cached runs; nil when cancelled. With
  /// `sequential`, runs train one after another on every thread, so that their times
  /// compare.
  func execute(_ requests: [RunRequest], sequential: Bool = false) -> [RunRecord]? {
    let (records, fromCache) = executor.run(requests, cell: cell.id, sequential: sequential)
    guard records.allSatisfy({ $0 != nil }) else { return nil }
    let done = records.map { $0! }
    cachedRuns += fromCache.filter { $0 }.count
    epochsTrained += done.reduce(0) { $0 + $1.epochs }
    epochsTrainedNow += zip(done, fromCache).filter { !$1 }.reduce(0) { $0 + $1.0.epochs }
    return done
  }

  /// Named runs of `requests`: trained or read, nil when cancelled.
  func namedRuns(_ requests: [RunRequest], sequential: Bool = false) -> [NamedRun]? {
    execute(requests, sequential: sequential).map { records in
      zip(requests, records).map { NamedRun(name: $0.name, run: $1) }
    }
  }
}
