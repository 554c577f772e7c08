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
  /// A distributed build's runs are not all in the cache: each one named.
  case missingRuns(String)

  public var description: String {
    switch self {
    case .interrupted:
      return "interrupted: the runs that finished are cached, and the next build resumes from them"
    case .unknownCell(let id, let ids):
      return "--only \(id): the study has no such cell (cells: \(ids.joined(separator: ", ")))"
    case .missingRuns(let missing):
      return """
        work tasks trained this study's runs, and some are missing; submit the tasks again (mnist-report slurm submit) \
        or build with --train-missing to train them here:
        \(missing)
        """
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
  /// The images' size and the number of classes, as read from the files.
  public var shape: DataShape
  public var files: [FileDigest]
  public var cells: [CellResult]
  /// Wall time of the build.
  public var seconds: Double
  /// Epochs trained by every cell's runs (cached ones included), and by this build alone.
  public var epochsTrained: Int
  public var epochsTrainedNow: Int
  public var cachedCells: Int
  public var cacheProblems: [String]
  /// The hosts the study's runs trained on, with how many runs each.
  public var hosts: [String: Int] = [:]
  /// The commit, tools, machine and time of the build.
  public var provenance: Provenance
  /// The changes to the study file from the command line (`--set`, `--seed`, `--dataset`).
  public var overrides: [StudyOverride]
  /// The layout of results.json (``resultsFileFormat``).
  public var formatVersion = resultsFileFormat

  /// The study file's names (snake_case), as every field of results.json.
  enum CodingKeys: String, CodingKey {
    case title, description, version, engine, kernels, threads, data, profile, shape, files, cells, seconds
    case hosts, provenance, overrides
    case formatVersion = "format_version"
    case studyFile = "study_file"
    case epochsTrained = "epochs_trained"
    case epochsTrainedNow = "epochs_trained_now"
    case cachedCells = "cached_cells"
    case cacheProblems = "cache_problems"
  }
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

  /// Runs the study and writes `results.json`, the run CSVs and `predictions.csv` — into
  /// `staged`, for the caller to commit with more (the report), or else straight into the
  /// output folder, whole or not at all.
  ///
  /// When `work` tasks trained this study's runs (a distributed build), the build trains
  /// nothing unless `trainMissing` is set: it names each run still missing and stops.
  public func run(into staged: StagedOutput? = nil) throws -> BuiltStudy {
    let started = monotonicSeconds()
    let startDate = Date()
    let ids = study.cells.map(\.id)
    for id in options.only where !ids.contains(id) { throw BuildError.unknownCell(id, ids) }
    let setup = try setUp()
    if !options.trainMissing, setup.cache.wasDistributed(setup.studyKey) {
      let plan = try plan(setup)
      if !plan.isComplete { throw BuildError.missingRuns(plan.missingDescription) }
    }
    let executor = Executor(
      data: setup.data, cache: setup.cache, observer: observer, cancellation: cancellation, threads: options.threads,
      force: options.force)
    let built = try buildCells(setup, executor: executor, recorder: nil)

    let results = built.map(\.result)
    let dataset = setup.data.dataset
    let summary = StudyResults(
      title: study.title, description: study.description, studyFile: study.file, version: version,
      engine: engineVersion, kernels: Kernels.best.name, threads: options.threads, data: study.data,
      profile: options.profile, shape: dataset.shape, files: setup.files, cells: results,
      seconds: monotonicSeconds() - started,
      epochsTrained: results.reduce(0) { $0 + $1.epochsTrained },
      epochsTrainedNow: results.reduce(0) { $0 + $1.epochsTrainedNow },
      cachedCells: results.filter { $0.status == .cached }.count, cacheProblems: setup.cache.problems,
      hosts: results.reduce(into: [:]) { hosts, cell in hosts.merge(cell.hosts, uniquingKeysWith: +) },
      provenance: Provenance.current(
        version: version, cpu: Kernels.cpuName, excluding: options.output, started: startDate),
      overrides: study.overrides)
    for problem in setup.cache.problems { observer.note(problem) }
    let own = staged == nil ? try StagedOutput(output: options.output) : nil
    try ResultsWriter(
      results: summary, source: .build(setup.data, setup.cache), exports: study.exportingCells
    ).write(to: (staged ?? own!).path)
    try own?.commit()
    return BuiltStudy(study: study, results: summary, cells: built)
  }

  /// What every build, plan and task starts from: the data, the keys and the cache.
  struct Setup {
    let data: BuildData
    let files: [FileDigest]
    let keys: CacheKeys
    let cache: ResultCache
    /// Each cell's key, in order.
    let cellKeys: [String]
    /// The first stage of each cell's runs.
    let firstStages: [Int]

    /// The key of the study as a whole (its cells' keys): what a distributed build marks.
    var studyKey: String { contentKey(cellKeys) }
  }

  func setUp() throws -> Setup {
    let dataset = try study.data.load(directory: options.dataDirectory)
    try study.check(against: dataset)
    let profile = options.profile
    let settings = study.data
    let cut: @Sendable (PreparedData) -> PreparedData = { data in
      data.limited(
        train: profile.trainLimit, validation: profile.validationLimit, test: profile.testLimit, seed: settings.seed)
    }
    let prepared = cut(
      PreparedData(
        dataset, validationCount: settings.validation, seed: settings.seed, normalization: settings.normalization))
    let data = BuildData(
      prepared: prepared, dataset: dataset, seed: settings.seed,
      split: { seed in
        cut(
          PreparedData(
            dataset, validationCount: settings.validation, seed: settings.seed, normalization: settings.normalization,
            split: seed))
      })
    let files = dataset.files.map(FileDigest.init)
    let keys = CacheKeys(study: study, files: files, profile: profile)
    var cellKeys: [String] = []
    for cell in study.cells { cellKeys.append(keys.cellKey(cell, earlier: cellKeys)) }
    return Setup(
      data: data, files: files, keys: keys, cache: ResultCache(directory: options.cacheDirectory), cellKeys: cellKeys,
      firstStages: study.firstStages(profile: profile))
  }

  /// Every cell in order, each from the cache or computed. With a recorder (a plan),
  /// nothing trains or is stored: a cell whose runs are not all cached is left out, and the
  /// runs its later stages may ask for are recorded as possibilities.
  func buildCells(_ setup: Setup, executor: Executor, recorder: PlanRecorder?) throws -> [BuiltCell] {
    var built: [BuiltCell] = []
    for (position, cell) in study.cells.enumerated() {
      let result = try result(
        of: cell, key: setup.cellKeys[position], stage: setup.firstStages[position], built: built, setup: setup,
        executor: executor, recorder: recorder)
      built.append(BuiltCell(cell: cell, result: result, earlier: built))
      if recorder == nil { observer.cellFinished(result) }
    }
    return built
  }

  /// A cell's result: from the cache when its key is there (and it is not forced), skipped
  /// when `--only` names other cells, else computed.
  private func result(
    of cell: Cell, key: String, stage: Int, built: [BuiltCell], setup: Setup, executor: Executor,
    recorder: PlanRecorder?
  ) throws -> CellResult {
    let cache = setup.cache
    let planning = recorder != nil
    let wanted = options.only.isEmpty || options.only.contains(cell.id) || planning
    if !options.force || !wanted || planning, !(recorder?.throughCachedCells ?? false),
      var cached = cache.load(CellResult.self, kind: "cells", key: key, keyOf: \.key),
      // A cell whose model is exported needs it in the cache (an older cache has none).
      !cell.exportsModel || cached.runs.first.map({ $0.run.test == nil || cache.hasModel(key: $0.run.key) }) ?? true
    {
      (cached.id, cached.title, cached.status, cached.epochsTrainedNow) = (cell.id, cell.title, .cached, 0)
      recorder?.cellCached(cell.id)
      return cached
    }
    guard wanted else {
      return CellResult(
        id: cell.id, kind: cell.kind, title: cell.title, status: .skipped, seconds: 0, key: key,
        error: "not built: --only names other cells, and it is not in the cache")
    }
    let context = CellContext(
      cell: cell, keys: setup.keys, executor: executor, data: setup.data, profile: options.profile, earlier: built,
      stage: stage)
    let cellStarted = monotonicSeconds()
    if !planning { observer.cellStarted(cell) }
    var result = CellResult(
      id: cell.id, kind: cell.kind, title: cell.title, status: .ran, seconds: 0, key: key,
      settings: cell.kind == .data ? nil : cell.settings)
    do {
      result.outcome = try cell.body.behaviour.run(context)
    } catch {
      (result.status, result.error) = (.failed, error.message)
    }
    if cancellation.isCancelled { throw BuildError.interrupted }
    if let recorder {
      if result.outcome == nil {
        recorder.possible(
          cell.body.behaviour.possibleRuns(context, from: context.stage), cell: cell.id, executor: executor)
        result.status = .skipped
      }
      return result
    }
    if case .final(let final)? = result.outcome { result.settings = final.settings }
    (result.cachedRuns, result.epochsTrained, result.epochsTrainedNow, result.hosts) = (
      context.cachedRuns, context.epochsTrained, context.epochsTrainedNow, context.hosts
    )
    if result.status == .ran && result.outcome?.diverged == true { result.status = .diverged }
    result.seconds = monotonicSeconds() - cellStarted
    if result.status == .ran || result.status == .diverged { cache.store(result, kind: "cells", key: key) }
    return result
  }
}

/// A study as built: the study, its results, and each cell with its result.
public struct BuiltStudy: Sendable {
  public let study: Study
  public var results: StudyResults
  public var cells: [BuiltCell]

  public init(study: Study, results: StudyResults, cells: [BuiltCell]) {
    self.study = study
    self.results = results
    self.cells = cells
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
    let dataset = try study.data.load(directory: options.dataDirectory)
    let keys = CacheKeys(study: study, files: dataset.files.map(FileDigest.init), profile: options.profile)
    let cache = ResultCache(directory: options.cacheDirectory)
    var earlier: [String] = []
    return study.cells.map { cell in
      let key = keys.cellKey(cell, earlier: earlier)
      earlier.append(key)
      return CellState(cell: cell, key: key, cached: cache.contains(kind: "cells", key: key))
    }
  }
}
