/// Which examples a run trains and validates on. Coded as an object with named fields:
/// `{"kind": "split"}`, `{"kind": "fold", "fold": 0, "folds": 3}` (folds numbered from 0, as
/// `split0_test_score`), `{"kind": "resampled", "repeat": 2}`.
public enum TrainingData: Hashable, Sendable {
  /// The training split, validated on the validation split.
  case split
  /// The training split without fold `fold` of `folds` (stratified), validated on that fold.
  case fold(Int, of: Int)
  /// A split of its own for repeat r ≥ 1 of a resampled cell: the training file split
  /// again, stratified, from a stream derived from the seed and r.
  case resampled(Int)
}

extension TrainingData: Codable {
  enum CodingKeys: String, CodingKey {
    case kind, fold, folds
    case repeatIndex = "repeat"
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .split: try c.encode("split", forKey: .kind)
    case .fold(let fold, let folds):
      try c.encode("fold", forKey: .kind)
      try c.encode(fold, forKey: .fold)
      try c.encode(folds, forKey: .folds)
    case .resampled(let r):
      try c.encode("resampled", forKey: .kind)
      try c.encode(r, forKey: .repeatIndex)
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(String.self, forKey: .kind) {
    case "split": self = .split
    case "fold": self = .fold(try c.decode(Int.self, forKey: .fold), of: try c.decode(Int.self, forKey: .folds))
    case "resampled": self = .resampled(try c.decode(Int.self, forKey: .repeatIndex))
    case let kind:
      throw DecodingError.dataCorruptedError(
        forKey: .kind, in: c, debugDescription: "unknown training data '\(kind)' (expected split, fold, resampled)")
    }
  }
}
