import Data
import Foundation
import NN
import Tensor

/// Computes one cell: asks the executor for the runs it needs and assembles the result of
/// its kind.
struct CellRunner {
  let cell: Cell
  let key: String
  let keys: CellKeys
  let executor: Executor
  let data: BuildData
  let profile: Profile
  /// The cells computed (or read) before this one in the build.
  let earlier: [CellResult]

  func run() -> CellResult {
    var result = CellResult(
      id: cell.id, kind: cell.kind, title: cell.title, status: .ran, seconds: 0, key: key,
      settings: cell.kind == .data ? nil : cell.settings, epochsTrained: 0, cachedRuns: 0)
    switch cell.kind {
    case .data: result.data = summarize()
    case .train: train([(cell.id, cell.settings)], test: cell.evaluatesTest, into: &result)
    case .compare: train(cell.variants.map { ($0.name, $0.settings) }, into: &result)
    case .grid: grid(into: &result)
    case .search: search(into: &result)
    case .final: final(into: &result)
    }
    if result.status == .ran,
      result.runs.contains(where: { $0.run.status == .diverged })
        || result.search?.candidates.contains(where: { !$0.meanScore.isFinite }) == true
    {
      result.status = .diverged
    }
    return result
  }

  private func request(_ name: String, _ settings: RunSettings, _ data: TrainingData = .split, test: Bool = false)
    -> RunRequest
  {
    let adjusted = profile.adjust(settings)
    let (key, family) = keys.runKey(adjusted, data: data, evaluatesTest: test)
    return RunRequest(
      name: name, settings: adjusted, data: data, evaluatesTest: test, key: key, family: family)
  }

  /// Runs `requests`, counting epochs and cached runs into `result`; nil when cancelled.
  private func execute(_ requests: [RunRequest], into result: inout CellResult) -> [RunRecord]? {
    let (records, fromCache) = executor.run(requests, cell: cell.id, sequential: cell.sequential)
    guard records.allSatisfy({ $0 != nil }) else { return nil }
    let done = records.map { $0! }
    result.cachedRuns += fromCache.filter { $0 }.count
    result.epochsTrained += done.reduce(0) { $0 + $1.epochs }
    result.epochsTrainedNow += zip(done, fromCache).filter { !$1 }.reduce(0) { $0 + $1.0.epochs }
    return done
  }

  private func train(_ runs: [(String, RunSettings)], test: Bool = false, into result: inout CellResult) {
    guard let records = execute(runs.map { request($0.0, $0.1, test: test) }, into: &result) else { return }
    result.runs = zip(runs, records).map { NamedRun(name: $0.0, run: $1) }
  }

  private func grid(into result: inout CellResult) {
    guard let grid = cell.grid else { return }
    var requests: [RunRequest] = []
    for (r, row) in grid.settings.enumerated() {
      for (c, settings) in row.enumerated() {
        requests.append(
          request("\(grid.rowKey) \(grid.rowValues[r]), \(grid.columnKey) \(grid.columnValues[c])", settings))
      }
    }
    guard let records = execute(requests, into: &result) else { return }
    result.runs = zip(requests, records).map { NamedRun(name: $0.name, run: $1) }
    let columns = grid.columnValues.count
    func matrix<T>(_ value: (RunRecord) -> T) -> [[T]] {
      (0..<grid.rowValues.count).map { r in (0..<columns).map { c in value(records[r * columns + c]) } }
    }
    result.grid = GridResult(
      rowKey: grid.rowKey, rowValues: grid.rowValues, columnKey: grid.columnKey, columnValues: grid.columnValues,
      accuracy: matrix { $0.bestEpoch?.validationAccuracy ?? .nan }, parameters: matrix(\.parameterCount),
      seconds: matrix(\.seconds))
  }

  /// A randomized search with stratified k-fold cross-validation: each candidate's score
  /// is its mean validation accuracy over the folds at the end of training; with halving,
  /// the best 1/factor candidates of each round go on with factor times the epochs.
  private func search(into result: inout CellResult) {
    guard let spec = cell.search else { return }
    let candidates = Array(spec.candidates.prefix(profile.maxCandidates ?? Int.max))
    let folds = min(spec.folds, profile.maxFolds ?? Int.max)
    let maxEpochs = profile.adjust(cell.settings).epochs
    var rounds = spec.rounds(maxEpochs: maxEpochs)
    if spec.method == .halving, profile.maxEpochs != nil {
      rounds = [
        (candidates.count, max(1, maxEpochs / spec.factor)), (max(1, candidates.count / spec.factor), maxEpochs),
      ]
    }
    rounds = rounds.map { (min($0.candidates, candidates.count), $0.epochs) }
    var alive = Array(candidates.indices)
    var latest: [Int: SearchCandidateResult] = [:]
    var foldEpochs = 0
    for (round, plan) in rounds.enumerated() {
      var requests: [RunRequest] = []
      for index in alive {
        var settings = candidates[index].settings
        settings.epochs = plan.epochs
        for fold in 0..<folds {
          requests.append(
            request(
              "candidate \(index + 1), fold \(fold + 1)/\(folds)\(rounds.count > 1 ? ", round \(round + 1)" : "")",
              settings, .fold(fold, of: folds)))
        }
      }
      guard let records = execute(requests, into: &result) else { return }
      foldEpochs += records.reduce(0) { $0 + $1.epochs }
      for (position, index) in alive.enumerated() {
        let runs = Array(records[(position * folds)..<((position + 1) * folds)])
        let scores = runs.map { $0.validationAccuracy ?? .nan }
        let times = runs.map(\.seconds)
        latest[index] = SearchCandidateResult(
          index: index, parameters: candidates[index].parameters, foldScores: scores, meanScore: mean(scores),
          stdScore: deviation(scores), rank: 0, meanFitSeconds: mean(times), stdFitSeconds: deviation(times),
          epochs: plan.epochs, round: round)
      }
      if round + 1 < rounds.count {
        let keep = rounds[round + 1].candidates
        alive = alive.sorted { a, b in
          let (x, y) = (latest[a]!.meanScore, latest[b]!.meanScore)
          return x != y ? (x.isNaN ? false : y.isNaN ? true : x > y) : a < b
        }.prefix(keep).sorted()
      }
    }
    // Ranks as scikit-learn's: by round reached, then by score, ties sharing a rank.
    var ordered = candidates.indices.map { latest[$0]! }
    let composite = ordered.map { Double($0.round) * 10 + ($0.meanScore.isFinite ? $0.meanScore : -1) }
    let rank = ranks(composite)
    for i in ordered.indices { ordered[i].rank = rank[i] }
    let best = ordered.firstIndex { $0.rank == 1 } ?? 0
    result.search = SearchResult(
      method: spec.method, folds: folds,
      space: Dictionary(uniqueKeysWithValues: spec.space.map { ($0.key, $0.distribution.description) }),
      candidates: ordered, bestIndex: best,
      rounds: rounds.map { SearchRound(candidates: $0.candidates, epochs: $0.epochs) }, foldEpochs: foldEpochs,
      fullSearchFoldEpochs: candidates.count * folds * maxEpochs)
  }

  /// The best candidate of the cell's search, retrained on the training split with the
  /// final cell's settings, and evaluated once on the test set.
  private func final(into result: inout CellResult) {
    guard let from = cell.from, let search = earlier.first(where: { $0.id == from }),
      let best = search.search?.bestIndex, search.status != .skipped, search.status != .failed
    else {
      result.status = .failed
      result.error = "the search cell '\(cell.from ?? "?")' has no results in this build or the cache; build it first"
      return
    }
    result.candidateParameters = search.search?.candidates[best].parameters
    let settings = cell.finalSettings[best]
    result.settings = settings
    guard let records = execute([request(cell.id, settings, test: true)], into: &result) else { return }
    result.runs = [NamedRun(name: cell.id, run: records[0])]
  }

  /// The data cell: split sizes, class counts, pixel statistics and sample digits.
  private func summarize() -> DataSummary {
    let prepared = data.prepared
    let dataset = data.dataset
    let classes = dataset.source.classNames.count
    var samples: [SampleImage] = []
    let width = dataset.train.featureCount
    for label in 0..<classes {
      let picks = prepared.trainIndices.lazy.filter { dataset.train.labels[$0] == Int32(label) }.prefix(
        cell.samplesPerClass)
      for index in picks {
        samples.append(
          SampleImage(
            label: label,
            image: StoredImage(
              index: index, pixels: Array(dataset.train.pixels[(index * width)..<((index + 1) * width)]))))
      }
    }
    return DataSummary(
      dataset: dataset.source.name, directory: displayPath(dataset.source.directory),
      files: dataset.files.map {
        FileDigest(
          file: ($0.path as NSString).lastPathComponent, sha256: $0.sha256, bytes: $0.bytes,
          verified: $0.matched == true)
      }, rows: dataset.train.rows, columns: dataset.train.columns, classNames: dataset.source.classNames,
      trainCount: prepared.train.count, validationCount: prepared.validation.count, testCount: prepared.test.count,
      trainClasses: prepared.train.classCounts(classCount: classes),
      validationClasses: prepared.validation.classCounts(classCount: classes),
      testClasses: prepared.test.classCounts(classCount: classes), pixelMean: prepared.mean, pixelStd: prepared.std,
      normalization: prepared.normalization.rawValue, samples: samples)
  }
}

/// `path` relative to the working directory when it lies inside it (so that results written
/// on one machine do not carry its folders), else as given.
func displayPath(_ path: String) -> String {
  let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
  let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
  guard absolute.hasPrefix(here + "/") else { return path }
  return String(absolute.dropFirst(here.count + 1))
}

func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }

/// The population standard deviation (as numpy's `std`, which scikit-learn reports).
func deviation(_ values: [Double]) -> Double {
  let m = mean(values)
  return values.isEmpty ? .nan : (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)).squareRoot()
}
