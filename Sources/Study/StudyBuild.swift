import Data
import Foundation
import NN
import Tensor

/// Why a build stopped.
public enum BuildError: Error, CustomStringConvertible {
  /// Cancelled (Ctrl-C) while training; what finished before is cached.
  case interrupted
  /// `--only` names a cell the study does not have.
  case unknownCell(String, [String])

  public var description: String {
    switch self {
    case .interrupted:
      return "interrupted: the runs that finished are cached, and the next build resumes from them"
    case .unknownCell(let id, let ids):
      return "--only \(id): the study has no such cell (cells: \(ids.joined(separator: ", ")))"
    }
  }
}

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
  public var files: [FileDigest]
  public var cells: [CellResult]
  /// Wall time of the build.
  public var seconds: Double
  /// Epochs trained by every cell's runs (cached ones included), and by this build alone.
  public var epochsTrained: Int
  public var epochsTrainedNow: Int
  public var cachedCells: Int
  public var cacheProblems: [String]
}

/// Runs a study's cells in order and writes the results: every cell whose key is unchanged
/// comes from the cache, every run that is cached is read rather than trained.
public final class StudyBuild {
  public let study: Study
  public let options: BuildOptions
  public let observer: BuildObserver
  public let cancellation: Cancellation
  /// mnist-report's version, recorded in the results.
  public let version: String

  public init(study: Study, options: BuildOptions, observer: BuildObserver, cancellation: Cancellation, version: String)
  {
    self.study = study
    self.options = options
    self.observer = observer
    self.cancellation = cancellation
    self.version = version
  }

  /// Runs the study and writes `results.json`, the run CSVs and `predictions.csv`.
  public func run() throws -> StudyResults {
    let started = monotonicSeconds()
    let ids = study.cells.map(\.id)
    for id in options.only where !ids.contains(id) { throw BuildError.unknownCell(id, ids) }

    let source =
      try options.dataDirectory.map { try DatasetSource.builtIn(study.data.dataset, in: $0) }
      ?? DatasetSource.builtIn(study.data.dataset)
    let dataset = try DatasetLoader.load(source)
    let profile = options.profile
    let prepared = PreparedData(
      dataset, validationCount: study.data.validation, seed: study.data.seed, normalization: study.data.normalization
    ).limited(
      train: profile.trainLimit, validation: profile.validationLimit, test: profile.testLimit, seed: study.data.seed)
    let data = BuildData(prepared: prepared, dataset: dataset, seed: study.data.seed)
    let files = dataset.files.map {
      FileDigest(
        file: ($0.path as NSString).lastPathComponent, sha256: $0.sha256, bytes: $0.bytes, verified: $0.matched == true)
    }
    let cache = ResultCache(directory: options.cacheDirectory)
    let executor = Executor(
      data: data, cache: cache, observer: observer, cancellation: cancellation, threads: options.threads,
      force: options.force)
    let keys = CellKeys(study: study, files: files, profile: profile)

    var results: [CellResult] = []
    var cellKeys: [String: String] = [:]
    for cell in study.cells {
      let key = keys.cellKey(cell, earlier: cellKeys)
      cellKeys[cell.id] = key
      let wanted = options.only.isEmpty || options.only.contains(cell.id)
      if !options.force || !wanted, let cached = cache.load(CellResult.self, kind: "cells", key: key, keyOf: \.key) {
        var result = cached
        (result.id, result.title, result.status, result.epochsTrainedNow) = (cell.id, cell.title, .cached, 0)
        results.append(result)
        observer.cellFinished(result)
        continue
      }
      guard wanted else {
        let skipped = CellResult(
          id: cell.id, kind: cell.kind, title: cell.title, status: .skipped, seconds: 0, key: key,
          error: "not built: --only names other cells, and it is not in the cache", epochsTrained: 0, cachedRuns: 0)
        results.append(skipped)
        observer.cellFinished(skipped)
        continue
      }
      let runner = CellRunner(
        cell: cell, key: key, keys: keys, executor: executor, data: data, profile: profile, earlier: results)
      let cellStarted = monotonicSeconds()
      observer.cellStarted(cell)
      var result = runner.run()
      if cancellation.isCancelled { throw BuildError.interrupted }
      result.seconds = monotonicSeconds() - cellStarted
      if result.status == .ran || result.status == .diverged { cache.store(result, kind: "cells", key: key) }
      results.append(result)
      observer.cellFinished(result)
    }

    var summary = StudyResults(
      title: study.title, description: study.description, studyFile: study.file, version: version,
      engine: engineVersion, kernels: Kernels.best.name, threads: options.threads, data: study.data, profile: profile,
      files: files, cells: results, seconds: monotonicSeconds() - started,
      epochsTrained: results.reduce(0) { $0 + $1.epochsTrained },
      epochsTrainedNow: results.reduce(0) { $0 + $1.epochsTrainedNow },
      cachedCells: results.filter { $0.status == .cached }.count, cacheProblems: cache.problems)
    for problem in cache.problems { observer.note(problem) }
    try ResultsWriter(results: summary, data: data).write(to: options.output)
    summary.seconds = monotonicSeconds() - started
    return summary
  }
}

/// A cell's place in the cache, for `mnist-report list`.
public struct CellState: Sendable {
  public let cell: Cell
  public let key: String
  public let cached: Bool
}

extension StudyBuild {
  /// Each cell with its key and whether the cache holds its result (reads the dataset's
  /// digests, trains nothing).
  public func states() throws -> [CellState] {
    let source =
      try options.dataDirectory.map { try DatasetSource.builtIn(study.data.dataset, in: $0) }
      ?? DatasetSource.builtIn(study.data.dataset)
    let dataset = try DatasetLoader.load(source)
    let files = dataset.files.map {
      FileDigest(file: ($0.path as NSString).lastPathComponent, sha256: $0.sha256, bytes: $0.bytes, verified: true)
    }
    let keys = CellKeys(study: study, files: files, profile: options.profile)
    let cache = ResultCache(directory: options.cacheDirectory)
    var earlier: [String: String] = [:]
    return study.cells.map { cell in
      let key = keys.cellKey(cell, earlier: earlier)
      earlier[cell.id] = key
      return CellState(cell: cell, key: key, cached: cache.contains(kind: "cells", key: key))
    }
  }
}

/// The cache keys of a study's runs and cells: hashes of everything their results depend
/// on (data settings, dataset digests, profile, engine version, seed, settings).
struct CellKeys {
  struct DataKey: Encodable {
    let data: DataSettings
    let digests: [String]
    let profile: Profile
    let engine: String
    let format: String
    let fusedMultiplyAdd: Bool
  }

  let dataKey: String

  init(study: Study, files: [FileDigest], profile: Profile) {
    dataKey = contentKey(
      DataKey(
        data: study.data, digests: files.map(\.sha256), profile: profile, engine: engineVersion,
        format: resultsFormat, fusedMultiplyAdd: Kernels.best.name != "baseline"))
  }

  /// A run's key: `FAMILY-EPOCHS`. Runs of one family differ only in their number of epochs,
  /// when nothing else depends on it (see `RunSettings.trainsEpochByEpoch`), so that a run of
  /// the family can be read off the first epochs of a longer one.
  func runKey(_ settings: RunSettings, data: TrainingData, evaluatesTest: Bool) -> (key: String, family: String?) {
    struct Key: Encodable {
      let data: String
      let settings: RunSettings
      let training: TrainingData
    }
    let prefixable = settings.trainsEpochByEpoch
    var keyed = settings
    if prefixable { keyed.epochs = 0 }
    let family = contentKey(Key(data: dataKey, settings: keyed, training: data))
    let key = "\(family)-\(settings.epochs)" + (evaluatesTest ? "-test" : "")
    // A run evaluated on the test set can stand in for shorter runs, not the other way round.
    return (key, prefixable && !evaluatesTest ? family : nil)
  }

  func cellKey(_ cell: Cell, earlier: [String: String]) -> String {
    struct Key: Encodable {
      let data: String
      let kind: Cell.Kind
      let settings: RunSettings
      let variants: [String: RunSettings]
      let grid: [[RunSettings]]
      let gridAxes: [String]
      let search: [String]
      let candidates: [RunSettings]
      let final: [RunSettings]
      let from: String?
      let samples: Int
      let test: Bool
    }
    let search = cell.search.map { s in
      ["\(s.method.rawValue)", "\(s.requested)", "\(s.folds)", "\(s.factor)", "\(s.minEpochs)"]
    }
    let fromKey = cell.from.flatMap { earlier[$0] }
    return contentKey(
      Key(
        data: dataKey, kind: cell.kind, settings: cell.settings,
        variants: Dictionary(uniqueKeysWithValues: cell.variants.map { ($0.name, $0.settings) }),
        grid: cell.grid?.settings ?? [],
        gridAxes: cell.grid.map { [$0.rowKey, $0.columnKey] + $0.rowValues + $0.columnValues } ?? [],
        search: search ?? [], candidates: cell.search?.candidates.map(\.settings) ?? [], final: cell.finalSettings,
        from: fromKey, samples: cell.samplesPerClass, test: cell.evaluatesTest))
  }
}
