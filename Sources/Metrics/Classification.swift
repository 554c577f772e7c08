/// A confusion matrix: `counts[t][p]` images of true class t predicted as p.
public struct ConfusionMatrix: Sendable, Codable, Equatable {
  public let classes: Int
  public private(set) var counts: [[Int]]

  public init(classes: Int) {
    self.classes = classes
    counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
  }

  /// The matrix of `predicted` against `labels` (both in 0..<classes).
  public init(labels: [Int], predicted: [Int], classes: Int) {
    precondition(labels.count == predicted.count, "\(labels.count) labels for \(predicted.count) predictions")
    self.init(classes: classes)
    for (t, p) in zip(labels, predicted) { counts[t][p] += 1 }
  }

  /// The matrices added up, cell by cell: the predictions of several models (repeats) on
  /// the same images, counted together. Nil for none, or matrices of different sizes.
  public init?(pooling matrices: [ConfusionMatrix]) {
    guard let first = matrices.first, matrices.allSatisfy({ $0.classes == first.classes }) else { return nil }
    self.init(classes: first.classes)
    for matrix in matrices {
      for t in 0..<classes { for p in 0..<classes { counts[t][p] += matrix.counts[t][p] } }
    }
  }

  public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
  public var correct: Int { (0..<classes).reduce(0) { $0 + counts[$1][$1] } }
  /// The images off the diagonal: the mistakes.
  public var errors: Int { total - correct }
  /// Share of correct predictions (0 for no predictions).
  public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
  /// Images of each true class.
  public var support: [Int] { counts.map { $0.reduce(0, +) } }
  /// Predictions of each class.
  public var predictedCounts: [Int] { (0..<classes).map { p in counts.reduce(0) { $0 + $1[p] } } }
}

/// Precision, recall, F1 and support of one class (or of an average).
public struct ClassScores: Sendable, Codable, Equatable {
  public var precision: Double
  public var recall: Double
  public var f1: Double
  public var support: Int

  enum CodingKeys: String, CodingKey {
    case precision, recall
    case f1 = "f1-score"
    case support
  }
}

/// scikit-learn's `classification_report(output_dict=True, zero_division=0)`: per class,
/// precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2PR / (P + R), each 0 when its
/// denominator is; `macro avg` the unweighted mean over classes, `weighted avg` the mean
/// weighted by support; and the accuracy.
public struct ClassificationReport: Sendable, Equatable {
  public let classNames: [String]
  public let perClass: [ClassScores]
  public let accuracy: Double
  public let macroAverage: ClassScores
  public let weightedAverage: ClassScores

  public init(_ matrix: ConfusionMatrix, classNames: [String]? = nil) {
    let n = matrix.classes
    self.classNames = classNames ?? (0..<n).map(String.init)
    let support = matrix.support
    let predicted = matrix.predictedCounts
    var scores: [ClassScores] = []
    for c in 0..<n {
      let tp = Double(matrix.counts[c][c])
      let precision = predicted[c] == 0 ? 0 : tp / Double(predicted[c])
      let recall = support[c] == 0 ? 0 : tp / Double(support[c])
      let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
      scores.append(ClassScores(precision: precision, recall: recall, f1: f1, support: support[c]))
    }
    perClass = scores
    accuracy = matrix.accuracy
    let total = support.reduce(0, +)
    func mean(_ value: (ClassScores) -> Double) -> Double {
      n == 0 ? 0 : scores.map(value).reduce(0, +) / Double(n)
    }
    func weighted(_ value: (ClassScores) -> Double) -> Double {
      total == 0 ? 0 : zip(scores, support).map { value($0) * Double($1) }.reduce(0, +) / Double(total)
    }
    macroAverage = ClassScores(precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1), support: total)
    weightedAverage = ClassScores(
      precision: weighted(\.precision), recall: weighted(\.recall), f1: weighted(\.f1), support: total)
  }
}

extension ClassificationReport: Codable {
  /// An entry of the report: a class's (or an average's) scores, or the accuracy.
  private enum Entry: Codable {
    case scores(ClassScores)
    case number(Double)

    func encode(to encoder: Encoder) throws {
      var c = encoder.singleValueContainer()
      switch self {
      case .scores(let scores): try c.encode(scores)
      case .number(let value): try c.encode(value)
      }
    }

    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let value = try? c.decode(Double.self) {
        self = .number(value)
      } else {
        self = .scores(try c.decode(ClassScores.self))
      }
    }
  }

  /// Encoded with scikit-learn's `output_dict` names: one entry per class name, then
  /// `accuracy`, `macro avg` and `weighted avg`. A dictionary, so that a coder's key
  /// strategy leaves the class names as they are ("T-shirt/top").
  public func encode(to encoder: Encoder) throws {
    var entries: [String: Entry] = [:]
    for (name, scores) in zip(classNames, perClass) { entries[name] = .scores(scores) }
    entries["accuracy"] = .number(accuracy)
    entries["macro avg"] = .scores(macroAverage)
    entries["weighted avg"] = .scores(weightedAverage)
    var c = encoder.singleValueContainer()
    try c.encode(entries)
  }

  public init(from decoder: Decoder) throws {
    let entries = try decoder.singleValueContainer().decode([String: Entry].self)
    func scores(_ name: String) throws -> ClassScores {
      guard case .scores(let scores)? = entries[name] else {
        throw DecodingError.dataCorrupted(
          .init(codingPath: decoder.codingPath, debugDescription: "no scores of '\(name)'"))
      }
      return scores
    }
    let reserved: Set<String> = ["accuracy", "macro avg", "weighted avg"]
    // Class entries keep their order when their names are the class numbers 0, 1, 2, …
    let names = entries.keys.filter { !reserved.contains($0) }
    let ordered = names.sorted { (Int($0) ?? Int.max, $0) < (Int($1) ?? Int.max, $1) }
    classNames = ordered
    perClass = try ordered.map(scores)
    guard case .number(let accuracy)? = entries["accuracy"] else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no accuracy"))
    }
    self.accuracy = accuracy
    macroAverage = try scores("macro avg")
    weightedAverage = try scores("weighted avg")
  }
}

/// The index of the largest value (the first one on ties, as numpy's and PyTorch's argmax).
public func argmax<C: Collection>(_ values: C) -> C.Index where C.Element: Comparable {
  var best = values.startIndex
  var i = values.index(after: best)
  while i != values.endIndex {
    if values[i] > values[best] { best = i }
    i = values.index(after: i)
  }
  return best
}

/// One misclassified example: which, its true and predicted class, and how sure the model
/// was of its wrong answer.
public struct Mistake: Sendable, Codable, Equatable {
  public let index: Int
  public let label: Int
  public let predicted: Int
  public let confidence: Double
}

/// The `count` mistakes made with the highest predicted probability, most confident first
/// (ties by index). `probabilities` holds one row of `classes` values per example.
public func confidentMistakes(probabilities: [Float], labels: [Int], classes: Int, count: Int) -> [Mistake] {
  var mistakes: [Mistake] = []
  for (i, label) in labels.enumerated() {
    let row = probabilities[(i * classes)..<((i + 1) * classes)]
    let predicted = argmax(row) - i * classes
    if predicted != label {
      mistakes.append(
        Mistake(index: i, label: label, predicted: predicted, confidence: Double(row[row.startIndex + predicted])))
    }
  }
  return Array(
    mistakes.sorted { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.index < $1.index }.prefix(
      count))
}
