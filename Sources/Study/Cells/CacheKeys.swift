import Crypto
import Data
import Foundation
import Tensor

/// The cache keys of a study's runs and cells: hashes of everything their results depend
/// on (data settings, dataset digests, profile, engine version, seed, settings).
struct CacheKeys {
  struct DataKey: Encodable {
    let data: DataSettings
    let digests: [String]
    let profile: Profile
    let engine: String
    let format: String
    let fusedMultiplyAdd: Bool
  }

  let dataKey: String

  /// `kernels` names the kernel set the results are computed with: this machine's best by
  /// default; the recorded one for results built elsewhere (`render`).
  init(study: Study, files: [FileDigest], profile: Profile, kernels: String = Kernels.best.name) {
    dataKey = contentKey(
      DataKey(
        data: study.data.keyed, digests: files.map(\.sha256), profile: profile, engine: engineVersion,
        format: cacheFormat, fusedMultiplyAdd: kernels != "baseline"))
  }

  /// A run's key: `FAMILY-EPOCHS` (`-test` appended for a run evaluated on the test set). Runs
  /// of one family differ only in their number of epochs, when nothing else depends on it
  /// (see `RunSettings.trainsEpochByEpoch`), so that a run of the family can be read off the
  /// first epochs of a longer one; the family is nil for other settings. Repeat 0's key is
  /// an unrepeated run's.
  func runKey(_ settings: RunSettings, data: TrainingData, evaluatesTest: Bool, repeatIndex: Int = 0) -> (
    key: String, family: String?
  ) {
    struct Key: Encodable {
      let data: String
      let settings: RunSettings
      let training: TrainingData
      /// Nil (left out) for repeat 0.
      let seedRepeat: Int?
    }
    let prefixable = settings.trainsEpochByEpoch
    var keyed = settings
    if prefixable { keyed.epochs = 0 }
    let family = contentKey(
      Key(data: dataKey, settings: keyed, training: data, seedRepeat: repeatIndex == 0 ? nil : repeatIndex))
    let key = "\(family)-\(settings.epochs)" + (evaluatesTest ? "-test" : "")
    // A run evaluated on the test set can stand in for shorter runs, not the other way round
    // (see `RunRequest.readableFamily`).
    return (key, prefixable ? family : nil)
  }

  /// Every cell's key, in the study's order: each holds the keys of the cells before it.
  func cellKeys(_ study: Study) -> [String] {
    var keys: [String] = []
    for cell in study.cells { keys.append(cellKey(cell, earlier: keys)) }
    return keys
  }

  /// A cell's key: the data's, its kind and settings, and what its kind adds (`keyParts`);
  /// `earlier` holds the keys of the cells before it, in order, for a cell that builds on
  /// another.
  private func cellKey(_ cell: Cell, earlier: [String]) -> String {
    struct Key: Encodable {
      let data: String
      let kind: CellKind
      let settings: RunSettings
      let parts: CellKeyParts

      func encode(to encoder: Encoder) throws {
        // One flat object, as the keys have always been written.
        var c = encoder.container(keyedBy: CellKeyParts.CodingKeys.self)
        try c.encode(data, forKey: .data)
        try c.encode(kind, forKey: .kind)
        try c.encode(settings, forKey: .settings)
        try parts.encode(into: &c)
      }
    }
    return contentKey(
      Key(
        data: dataKey, kind: cell.kind, settings: cell.settings, parts: cell.body.behaviour.keyParts(earlier: earlier)))
  }
}

/// What a kind of cell adds to its cache key; each kind sets the fields it has.
struct CellKeyParts {
  var variants: [String: RunSettings] = [:]
  var grid: [[RunSettings]] = []
  var gridAxes: [String] = []
  var search: [String] = []
  var candidates: [RunSettings] = []
  var final: [RunSettings] = []
  /// The key of the cell this one builds on.
  var from: String?
  /// Sample images per class (2 unless a data cell says otherwise).
  var samples = 2
  var test = false
  /// Repeats and resampling, left out of the key when the cell has neither.
  var replication = Replication()
  /// A final cell's re-scored candidates, left out of the key at 1 (none).
  var rescore = 1

  enum CodingKeys: String, CodingKey {
    case data, kind, settings, variants, grid, gridAxes, search, candidates, final, from, samples, test
    case repeats, resample, looks, spending, equivalence, rescore
  }

  func encode(into c: inout KeyedEncodingContainer<CodingKeys>) throws {
    try c.encode(variants, forKey: .variants)
    try c.encode(grid, forKey: .grid)
    try c.encode(gridAxes, forKey: .gridAxes)
    try c.encode(search, forKey: .search)
    try c.encode(candidates, forKey: .candidates)
    try c.encode(final, forKey: .final)
    try c.encodeIfPresent(from, forKey: .from)
    try c.encode(samples, forKey: .samples)
    try c.encode(test, forKey: .test)
    // Adaptive repeats: the looks and the spending decide which runs the cell uses.
    if let sequential = replication.sequential {
      try c.encode(sequential.looks, forKey: .looks)
      try c.encode(sequential.spending, forKey: .spending)
      // The margin decides equivalence at the looks, hence which runs the cell asks for.
      try c.encodeIfPresent(replication.equivalence, forKey: .equivalence)
    } else if replication.count > 1 {
      try c.encode(replication.count, forKey: .repeats)
    }
    if replication.resample { try c.encode(true, forKey: .resample) }
    if rescore > 1 { try c.encode(rescore, forKey: .rescore) }
  }
}

/// The SHA-256 (hex) of a value's canonical JSON (sorted keys, snake_case names): a cache key.
func contentKey<T: Encodable>(_ value: T) -> String {
  let data = (try? ResultsJSON.encoder().encode(value)) ?? Data()
  return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}
