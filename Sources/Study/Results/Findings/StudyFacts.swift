import Statistics

/// What a cell's results show, by kind: the facts its finding, tables and figures state,
/// kept in results.json as the cell's `findings`.
public enum CellFacts: Sendable {
  case data(DataFacts)
  /// A train or final cell: its tested or untested model.
  case train(TrainFacts)
  case compare(CompareFacts)
  case grid(GridFacts)
  case search(SearchFacts)

  /// The facts of `kind` as results.json holds them (their fields, beside the cell's kind).
  init(from decoder: Decoder, kind: CellKind) throws {
    switch kind {
    case .data: self = .data(try DataFacts(from: decoder))
    case .train, .final: self = .train(try TrainFacts(from: decoder))
    case .compare: self = .compare(try CompareFacts(from: decoder))
    case .grid: self = .grid(try GridFacts(from: decoder))
    case .search: self = .search(try SearchFacts(from: decoder))
    }
  }

  func encode(to encoder: Encoder) throws {
    switch self {
    case .data(let facts): try facts.encode(to: encoder)
    case .train(let facts): try facts.encode(to: encoder)
    case .compare(let facts): try facts.encode(to: encoder)
    case .grid(let facts): try facts.encode(to: encoder)
    case .search(let facts): try facts.encode(to: encoder)
    }
  }
}

/// What the study as a whole shows, kept in results.json as its `findings`: the key results
/// and what the build cost.
public struct StudyFacts: Codable, Sendable {
  public let keyResults: KeyResultFacts?
  /// Every effect the study measured, largest first, and its limits: the closing section.
  public let effects: EffectFacts?
  /// Every cell's runs by where they come from, added up: `trained` counts each run the
  /// study trained once, the others are the same runs used again or read off longer ones.
  public let runs: RunOrigins
  /// How many times a model was evaluated on the test set (every repeat of every tested
  /// cell, and the re-scored candidates a final cell did not choose): it reports, and chooses
  /// nothing.
  public let testEvaluations: Int
  /// The seconds every cell took to compute, as each last ran (a cached cell's from its
  /// build), added up.
  public let cellSeconds: Double
}

/// The report's opening: the tuned model's test result beside the baseline's, as the study
/// file's `key_results` declares them, over each one's repeats. Cells by id.
public struct KeyResultFacts: Codable, Sendable {
  public let tuned: String
  public let baseline: String?
  public let tunedModel: ModelSummary
  public let baselineModel: ModelSummary?
  /// The tuned model's means minus the baseline's (the parameters as a ratio).
  public let change: ModelChange?
  /// The tuned model against the baseline on test accuracy over their seeds, on this test
  /// set: paired by seed only when they share their random numbers, else Welch's t.
  public let comparison: Comparison?
  /// The same over seeds and test images together, with McNemar's test of each repeat pair:
  /// what decides the key comparison, since it speaks of new images too (nil when a side
  /// kept no per-image results).
  public let images: SeedsAndImages?
  /// How each side was trained: the comparison is fair only when alike.
  public let budgets: TrainingBudgets?
  /// The key verdict: the one over seeds and test images, where the test over seeds alone
  /// agrees (a bootstrap of a few repeats understates their spread, which Student's t does
  /// not); indistinguishable where they disagree. With one repeat a side, the images' alone.
  public let verdict: Comparison.Verdict?

  /// The epochs each model may train and whether each restores its best validation epoch:
  /// a comparison of a model trained longer, or kept at its best epoch, with one that was
  /// not measures the budget as much as the model.
  public struct TrainingBudgets: Codable, Sendable, Equatable {
    public let baselineEpochs: Int
    public let tunedEpochs: Int
    /// The early-stopping rule, when there is one: its monitored metric, patience and
    /// whether it restores the best epoch.
    public let baselineStopping: EarlyStoppingSettings?
    public let tunedStopping: EarlyStoppingSettings?
    /// The repeats of each that stopped before their last epoch.
    public let baselineStoppedEarly: Int
    public let tunedStoppedEarly: Int

    /// The same epochs and the same stopping and checkpoint rule.
    public var alike: Bool { baselineEpochs == tunedEpochs && baselineStopping == tunedStopping }
  }

  /// A tested model over its repeats, and repeat 0, whose confusion matrix and mistakes the
  /// report shows.
  public struct ModelSummary: Codable, Sendable {
    public let repeats: Int
    public let testAccuracy: Spread
    public let testLoss: Spread
    public let testErrors: Spread
    public let testImages: Int
    public let bestValidationAccuracy: Spread
    public let parameters: Int
    public let epochs: Spread
    public let trainingSeconds: Spread
    public let repeat0: ModelNumbers
  }

  /// A model's numbers, one run.
  public struct ModelNumbers: Codable, Sendable {
    public let testAccuracy: Double?
    public let testLoss: Double?
    public let testErrors: Int?
    public let testImages: Int?
    public let bestValidationAccuracy: Double?
    public let parameters: Int
    public let epochs: Int
    public let trainingSeconds: Double
  }

  /// The tuned model's means minus the baseline's (parameters as a ratio): `testErrors`
  /// negative is fewer mistakes.
  public struct ModelChange: Codable, Sendable {
    public let testAccuracy: Double
    public let testLoss: Double
    public let testErrors: Double
    public let bestValidationAccuracy: Double
    public let parameterRatio: Double
    public let epochs: Double
    /// Repeat 0's test accuracy, tuned minus baseline: the runs the report shows (nil
    /// without a test accuracy on either side).
    public let repeat0TestAccuracy: Double?
  }
}

extension CellFacts {
  public var data: DataFacts? {
    if case .data(let facts) = self { return facts }
    return nil
  }
  public var train: TrainFacts? {
    if case .train(let facts) = self { return facts }
    return nil
  }
  public var compare: CompareFacts? {
    if case .compare(let facts) = self { return facts }
    return nil
  }
  public var grid: GridFacts? {
    if case .grid(let facts) = self { return facts }
    return nil
  }
  public var search: SearchFacts? {
    if case .search(let facts) = self { return facts }
    return nil
  }
}
