import Data
import Foundation

/// Which data a study uses, how it splits and scales it, and the seed of every random
/// choice.
public struct DataSettings: Codable, Hashable, Sendable {
  /// Where the images come from.
  public var source = DatasetChoice.builtIn("mnist", path: nil)
  /// Images held out of the training file for validation; checked against the training
  /// file's size once it is read (`validationLine` places the error).
  public var validation = 6000
  public var normalization = Normalization.scale
  public var seed: UInt64 = 42
  /// The form of a folder's files (`format:`), when the study names it; otherwise it is
  /// found from what the path holds. Not part of the cache keys: the digests of what was
  /// read are, and they are the same whatever form the images came in.
  public var format: DataFormat?
  /// The line of `validation` in the study file, for an error found when the data is read.
  public var validationLine: Int?

  public init() {}

  enum CodingKeys: String, CodingKey {
    case dataset, path, format, validation, normalization, seed
  }

  /// `dataset` names a built-in dataset (or, for a folder, is absent); `path` is the folder,
  /// when one was given: what the cache keys and results.json have always held.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let name = try c.decodeIfPresent(String.self, forKey: .dataset)
    let path = try c.decodeIfPresent(String.self, forKey: .path)
    if let name { source = .builtIn(name, path: path) } else { source = .folder(path ?? ".") }
    format = try c.decodeIfPresent(DataFormat.self, forKey: .format)
    validation = try c.decode(Int.self, forKey: .validation)
    normalization = try c.decode(Normalization.self, forKey: .normalization)
    seed = try c.decode(UInt64.self, forKey: .seed)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch source {
    case .builtIn(let name, let path):
      try c.encode(name, forKey: .dataset)
      try c.encodeIfPresent(path, forKey: .path)
    case .folder(let path): try c.encode(path, forKey: .path)
    }
    try c.encodeIfPresent(format, forKey: .format)
    try c.encode(validation, forKey: .validation)
    try c.encode(normalization, forKey: .normalization)
    try c.encode(seed, forKey: .seed)
  }

  /// Reads the `data` section; `path` is taken relative to the study file's folder.
  init(_ value: YAMLValue) throws(StudyError) {
    var name: String?
    var path: String?
    for (key, field) in try value.mapping(allowed: ["dataset", "path", "format", "validation", "normalization", "seed"])
    {
      switch key {
      case "dataset":
        let text = try field.string()
        guard DatasetSource.builtInNames.contains(text) else {
          throw field.error(
            "unknown dataset '\(text)' (allowed: \(DatasetSource.builtInNames.joined(separator: ", ")); or path: DIR for a folder of IDX files)"
          )
        }
        name = text
      case "path":
        let text = try field.string()
        guard !text.isEmpty else {
          throw field.error(
            "expected a folder of IDX files, a .npz file, a folder of a CSV pair, or an image folder")
        }
        path =
          text.hasPrefix("/")
          ? text
          : ((value.file as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(text)
      case "validation":
        validation = try field.int(in: 1...Int(Int32.max))
        validationLine = field.line
      case "format": format = try field.choice(DataFormat.self, what: "format")
      case "normalization": normalization = try field.choice(Normalization.self, what: "normalization")
      default: seed = UInt64(try field.int(in: 0...Int.max))
      }
    }
    if let name {
      source = .builtIn(name, path: path)
    } else if let path {
      source = .folder(path)
    }
  }

  /// The dataset's files: `directory` (from `--data`) stands in for the study's own folder.
  public func datasetSource(directory: String? = nil) throws(DataError) -> DatasetSource {
    switch source {
    case .builtIn(let name, let path): return try DatasetSource.builtIn(name, in: directory ?? path)
    case .folder(let path): return try DatasetSource.directory(directory ?? path, format: format)
    }
  }

  /// Reads the dataset's four files (from `directory`, when `--data` gives one), checking a
  /// built-in dataset's digests unless `verify` is off: the one way a dataset is loaded.
  public func load(directory: String? = nil, verify: Bool = true) throws(DataError) -> LoadedDataset {
    try DatasetLoader.load(try datasetSource(directory: directory), verify: verify)
  }

  /// The settings as a cache key holds them: where the files are read from changes no
  /// result (their digests are keyed), so the folder is left out, and a study moved to
  /// another machine finds its cache.
  var keyed: DataSettings {
    var keyed = self
    switch source {
    case .builtIn(let name, _): keyed.source = .builtIn(name, path: nil)
    case .folder: keyed.source = .folder("")
    }
    keyed.format = nil
    return keyed
  }

  /// The dataset's name for people: the built-in name, or the folder.
  public var datasetName: String {
    switch source {
    case .builtIn(let name, _): return name
    case .folder(let path): return path
    }
  }
}

/// Where a study's images come from.
public enum DatasetChoice: Hashable, Sendable {
  /// A built-in dataset (`mnist`, `fashion-mnist`), read from `path` when given; its files
  /// must match the built-in digests.
  case builtIn(String, path: String?)
  /// Any folder of the four IDX files: its digests are computed, shown and keyed into the
  /// cache, not required to match anything.
  case folder(String)
}
