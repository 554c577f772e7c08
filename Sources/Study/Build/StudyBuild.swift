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
  /// The cache folder cannot hold entries: the folder and why.
  case unusableCache(String, String)
  /// The study's estimated memory or disk is past what the build has (`StudyBuild.checkCost`).
  case doesNotFit(String)

  public var description: String {
    switch self {
    case .interrupted:
      return "interrupted: the runs that finished are cached, and the next build resumes from them"
    case .unknownCell(let id, let ids):
      return "--only \(id): the study has no such cell (cells: \(ids.joined(separator: ", ")))"
    case .unusableCache(let folder, let reason):
      return
        "--cache \(folder): \(reason); nothing was trained. Give a folder that can be written with --cache."
    case .doesNotFit(let what):
      return "\(what); nothing was trained or written"
    case .missingRuns(let missing):
      return """
        work tasks trained this study's runs, and some are missing; submit the tasks again (mnist-report slurm submit) \
        or build with --train-missing to train them here:
        \(missing)
        """
    }
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
  private var madeSetup: Setup?

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
  /// output folder, whole or not at all. Every run the cache lacks is trained (after a
  /// distributed build, `checkDistributedRuns` first names those that `work` tasks left
  /// missing).
  /// Everything a build checks before it writes anything: the data against the study (the
  /// dataset's files, the split, what fits in memory), then the cache, which it makes if it
  /// is not there and must be able to write. The command line calls it before it makes the
  /// output's staging folder.
  public func prepare() throws {
    let ids = study.cells.map(\.id)
    for id in options.only where !ids.contains(id) { throw BuildError.unknownCell(id, ids) }
    let setup = try setUp()
    try setup.cache.checkWritable()
  }

  public func run(into staged: StagedOutput? = nil) throws -> BuiltStudy {
    let started = monotonicSeconds()
    let startDate = Date()
    try prepare()
    let setup = try setUp()
    let built = try computeCells(setup, BuildPass(build: self, setup: setup))

    let results = built.map(\.result)
    let dataset = setup.data.dataset
    let summary = StudyResults(
      title: study.title, description: study.description, studyFile: study.file, version: version,
      engine: engineVersion, kernels: Kernels.best.name, threads: options.threads, data: study.data,
      profile: options.profile, shape: dataset.shape, files: setup.files, cells: results,
      seconds: monotonicSeconds() - started,
      epochsUsed: results.reduce(0) { $0 + $1.epochsUsed },
      epochsTrained: results.reduce(0) { $0 + $1.origins.epochsTrained },
      epochsTrainedNow: results.reduce(0) { $0 + $1.epochsTrainedNow },
      cachedCells: results.filter { $0.status == .cached }.count, cacheProblems: setup.cache.problems,
      hosts: results.reduce(into: [:]) { hosts, cell in hosts.merge(cell.hosts, uniquingKeysWith: +) },
      provenance: Provenance.current(
        version: version, cpu: Kernels.cpuName, excluding: options.output, started: startDate),
      overrides: study.overrides)
    for problem in setup.cache.problems { observer.note(problem) }
    var study = BuiltStudy(study: study, results: summary, cells: built)
    study.analyze()
    let own = staged == nil ? try StagedOutput(output: options.output) : nil
    try ResultsWriter(
      results: study.results, source: .build(setup.data, setup.cache), exports: study.study.exportingCells
    ).write(to: (staged ?? own!).path)
    try own?.commit()
    return study
  }

  /// What every build, plan and task starts from: the data, the keys and the cache.
  struct Setup {
    let data: StudyData
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

  /// The setup, made once (the data loaded and digested once) whatever asks for it first.
  func setUp() throws -> Setup {
    if let setup = madeSetup { return setup }
    let setup = try makeSetup()
    madeSetup = setup
    return setup
  }

  private func makeSetup() throws -> Setup {
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
    let data = StudyData(
      prepared: prepared, dataset: dataset, seed: settings.seed, holding: options.threads,
      split: { seed in
        cut(
          PreparedData(
            dataset, validationCount: settings.validation, seed: settings.seed, normalization: settings.normalization,
            split: seed))
      })
    let files = dataset.files.map(FileDigest.init)
    let keys = CacheKeys(study: study, files: files, profile: profile)
    return Setup(
      data: data, files: files, keys: keys, cache: ResultCache(directory: options.cacheDirectory),
      cellKeys: keys.cellKeys(study),
      firstStages: study.firstStages(profile: profile))
  }

  /// Every cell in order, each from the cache or computed with the runs `pass` provides.
  func computeCells(_ setup: Setup, _ pass: some CellPass) throws -> [BuiltCell] {
    var built: [BuiltCell] = []
    for (position, cell) in study.cells.enumerated() {
      let key = setup.cellKeys[position]
      let result: CellResult
      if pass.readsCachedResult(of: cell), let cached = setup.cache.cellResult(cell, key: key) {
        result = cached
        pass.cached(cell)
      } else if let reason = pass.skips(cell) {
        result = CellResult(
          id: cell.id, kind: cell.kind, title: cell.title, status: .skipped, seconds: 0, key: key, error: reason)
      } else {
        let context = CellContext(
          cell: cell, keys: setup.keys, provider: pass.provider, data: setup.data, profile: options.profile,
          earlier: built, stage: setup.firstStages[position])
        pass.started(cell)
        let started = monotonicSeconds()
        var outcome: CellOutcome?
        var stop: CellStop?
        do {
          outcome = try cell.body.behaviour.run(context)
        } catch {
          stop = error
        }
        var computed = CellResult(
          id: cell.id, kind: cell.kind, title: cell.title, status: .ran, seconds: 0, key: key,
          settings: cell.kind == .data ? nil : outcome?.chosenSettings ?? cell.settings, outcome: outcome)
        (computed.cachedRuns, computed.epochsUsed, computed.origins, computed.epochsTrainedNow, computed.hosts) = (
          context.cachedRuns, context.epochsUsed, context.origins, context.epochsTrainedNow, context.hosts
        )
        switch stop {
        case nil: computed.status = outcome?.diverged == true ? .diverged : .ran
        case .cancelled?: throw BuildError.interrupted
        case let stop?: pass.stopped(cell, stop, context: context, result: &computed)
        }
        computed.seconds = monotonicSeconds() - started
        result = try pass.finished(computed)
      }
      pass.ended(result)
      built.append(BuiltCell(cell: cell, result: result, earlier: built))
    }
    return built
  }
}

/// How a pass over the study's cells treats each one: a build (`BuildPass`) computes and
/// caches them, with its progress shown; a plan (`PlanRecorder`) records the runs they ask
/// for and trains and writes nothing.
protocol CellPass {
  /// Where the cells' runs come from.
  var provider: any RunProvider { get }
  /// Whether the cell's result is read from the cache when it is there.
  func readsCachedResult(of cell: Cell) -> Bool
  /// Why the pass leaves the cell out (it is neither cached nor computed), if it does.
  func skips(_ cell: Cell) -> String?
  func cached(_ cell: Cell)
  func started(_ cell: Cell)
  /// The cell stopped without an outcome (`failed`, or in a plan `runsNotCached`).
  func stopped(_ cell: Cell, _ stop: CellStop, context: CellContext, result: inout CellResult)
  /// The computed cell's result, as the pass keeps it.
  func finished(_ result: CellResult) throws -> CellResult
  /// Every cell's result, cached, skipped or computed, in order.
  func ended(_ result: CellResult)
}

/// A build's pass: cells from the cache unless forced, only those `--only` names computed,
/// runs trained where the cache lacks them, each computed cell stored, progress shown.
struct BuildPass: CellPass {
  let build: StudyBuild
  let setup: StudyBuild.Setup
  let provider: any RunProvider

  init(build: StudyBuild, setup: StudyBuild.Setup) {
    self.build = build
    self.setup = setup
    let options = build.options
    provider = Executor(
      data: setup.data, cache: setup.cache, observer: build.observer, cancellation: build.cancellation,
      threads: options.threads, force: options.force)
  }

  private func wanted(_ cell: Cell) -> Bool { build.options.only.isEmpty || build.options.only.contains(cell.id) }

  func readsCachedResult(of cell: Cell) -> Bool { !build.options.force || !wanted(cell) }

  func skips(_ cell: Cell) -> String? {
    wanted(cell) ? nil : "not built: --only names other cells, and it is not in the cache"
  }

  func cached(_ cell: Cell) {}

  func started(_ cell: Cell) { build.observer.cellStarted(cell) }

  func stopped(_ cell: Cell, _ stop: CellStop, context: CellContext, result: inout CellResult) {
    switch stop {
    case .failed(let message): (result.status, result.error) = (.failed, message)
    case .cancelled, .runsNotCached: result.status = .skipped  // neither reaches a build's pass
    }
  }

  func finished(_ result: CellResult) throws -> CellResult {
    if build.cancellation.isCancelled { throw BuildError.interrupted }
    if result.status == .ran || result.status == .diverged { setup.cache.store(result, kind: "cells", key: result.key) }
    return result
  }

  func ended(_ result: CellResult) { build.observer.cellFinished(result) }
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
    return zip(study.cells, keys.cellKeys(study)).map { cell, key in
      CellState(cell: cell, key: key, cached: cache.contains(kind: "cells", key: key))
    }
  }
}
