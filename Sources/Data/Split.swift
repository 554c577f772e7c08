import Tensor

/// Stratified splits: every class keeps (as nearly as integers allow) its share of the
/// images on each side, and the choice of images is drawn from a seeded stream.
public enum StratifiedSplit {
  /// How many of each class go to a part of `total` images: `total × nᶜ / n` rounded
  /// down, then one more for the classes with the largest remainders (lower class first
  /// on ties), so the quotas sum to `total` exactly.
  public static func quotas(classCounts: [Int], total: Int) -> [Int] {
    let n = classCounts.reduce(0, +)
    precondition(total >= 0 && total <= n, "cannot take \(total) of \(n)")
    guard n > 0 else { return classCounts.map { _ in 0 } }
    var quotas = classCounts.map { $0 * total / n }
    let remainders = classCounts.map { $0 * total % n }
    let missing = total - quotas.reduce(0, +)
    let order = classCounts.indices.sorted { a, b in
      remainders[a] != remainders[b] ? remainders[a] > remainders[b] : a < b
    }
    for c in order.prefix(missing) { quotas[c] += 1 }
    return quotas
  }

  /// Splits the positions of `labels` into a training and a held-out part of
  /// `heldOut` images. Within each class (in class order) the positions are shuffled by
  /// one generator from `seed` and the first quota are held out. Both parts come back
  /// in ascending order.
  public static func split(labels: [Int32], heldOut: Int, seed: SeedPath, classCount: Int? = nil)
    -> (train: [Int], heldOut: [Int])
  {
    let classCount = classCount ?? Self.classCount(labels)
    var byClass = [[Int]](repeating: [], count: classCount)
    for (i, label) in labels.enumerated() { byClass[Int(label)].append(i) }
    let quotas = quotas(classCounts: byClass.map(\.count), total: heldOut)
    var generator = seed.generator
    var isHeldOut = [Bool](repeating: false, count: labels.count)
    for c in 0..<classCount {
      generator.shuffle(&byClass[c])
      for i in byClass[c].prefix(quotas[c]) { isHeldOut[i] = true }
    }
    let train = labels.indices.filter { !isHeldOut[$0] }
    let held = labels.indices.filter { isHeldOut[$0] }
    return (train, held)
  }

  /// Stratified k folds: like scikit-learn's `StratifiedKFold(shuffle=True)`, every fold
  /// keeps the class proportions. Each class's positions, shuffled, are dealt round-robin,
  /// carrying on where the previous class stopped, so that per class and in total the
  /// fold sizes differ by at most one. Returns the fold number of every position.
  public static func foldAssignment(labels: [Int32], folds: Int, seed: SeedPath, classCount: Int? = nil) -> [Int] {
    precondition(folds >= 2, "k-fold needs at least 2 folds")
    let classCount = classCount ?? Self.classCount(labels)
    var byClass = [[Int]](repeating: [], count: classCount)
    for (i, label) in labels.enumerated() { byClass[Int(label)].append(i) }
    var generator = seed.generator
    var fold = [Int](repeating: 0, count: labels.count)
    var next = 0  // continue dealing where the previous class stopped, to balance fold sizes
    for c in 0..<classCount {
      generator.shuffle(&byClass[c])
      for i in byClass[c] {
        fold[i] = next
        next = (next + 1) % folds
      }
    }
    return fold
  }
}

extension StratifiedSplit {
  /// The classes `labels` can tell of: one more than the largest label. Classes with no
  /// image shuffle nothing and draw nothing, so counting them changes no split.
  static func classCount(_ labels: [Int32]) -> Int { Int(labels.max() ?? -1) + 1 }
}

/// How pixels are scaled before training.
public enum Normalization: String, Sendable, Codable, CaseIterable {
  /// Pixels in [0, 1]: `byte / 255`.
  case scale
  /// `(x − mean) / std` with the mean and standard deviation of the training split.
  case standardize
}

/// The three parts a study trains, selects and reports on.
public struct PreparedData: Sendable {
  public let train: Images
  public let validation: Images
  public let test: Images
  /// The positions in the original training file of each training and validation image.
  public let trainIndices: [Int]
  public let validationIndices: [Int]
  /// The positions in the original test file of each test image.
  public let testIndices: [Int]
  /// The training split's pixel statistics before normalization.
  public let mean: Double, std: Double
  public let normalization: Normalization

  private init(
    train: Images, validation: Images, test: Images, trainIndices: [Int], validationIndices: [Int],
    testIndices: [Int], mean: Double, std: Double, normalization: Normalization
  ) {
    self.train = train
    self.validation = validation
    self.test = test
    self.trainIndices = trainIndices
    self.validationIndices = validationIndices
    self.testIndices = testIndices
    self.mean = mean
    self.std = std
    self.normalization = normalization
  }

  /// The same data cut down to at most `train`, `validation` and `test` images of each part,
  /// each a stratified, seeded sample (for quick builds).
  public func limited(train: Int?, validation: Int?, test: Int?, seed: UInt64) -> PreparedData {
    // A part that is not cut is shared, not copied: a full build holds each split once.
    func sample(_ images: Images, _ limit: Int?, _ label: String) -> [Int]? {
      guard let limit, limit < images.count else { return nil }
      return StratifiedSplit.split(labels: images.labels, heldOut: limit, seed: SeedPath(seed).child(label)).heldOut
    }
    let trainPick = sample(self.train, train, "limit-train")
    let validationPick = sample(self.validation, validation, "limit-validation")
    let testPick = sample(self.test, test, "limit-test")
    return PreparedData(
      train: trainPick.map { self.train.subset($0) } ?? self.train,
      validation: validationPick.map { self.validation.subset($0) } ?? self.validation,
      test: testPick.map { self.test.subset($0) } ?? self.test,
      trainIndices: trainPick.map { $0.map { trainIndices[$0] } } ?? trainIndices,
      validationIndices: validationPick.map { $0.map { validationIndices[$0] } } ?? validationIndices,
      testIndices: testPick.map { $0.map { testIndices[$0] } } ?? testIndices,
      mean: mean, std: std, normalization: normalization)
  }

  /// Splits `dataset.train` into training and validation parts (stratified, seeded), keeps
  /// the test set, and normalizes all three with the training split's statistics. The split
  /// draws from `split` when given (another split of the same study), else from the seed's
  /// `validation-split` stream.
  public init(
    _ dataset: LoadedDataset, validationCount: Int, seed: UInt64, normalization: Normalization,
    split: SeedPath? = nil
  ) {
    let parts = StratifiedSplit.split(
      labels: dataset.train.labels, heldOut: validationCount, seed: split ?? SeedPath(seed).child("validation-split"))
    var train = dataset.train.subset(parts.train)
    var validation = dataset.train.subset(parts.heldOut)
    var test = dataset.test
    let stats = train.pixelStatistics()
    if normalization == .standardize && stats.std > 0 {
      train.standardize(mean: Float(stats.mean), std: Float(stats.std))
      validation.standardize(mean: Float(stats.mean), std: Float(stats.std))
      test.standardize(mean: Float(stats.mean), std: Float(stats.std))
    }
    self.train = train
    self.validation = validation
    self.test = test
    self.trainIndices = parts.train
    self.validationIndices = parts.heldOut
    self.testIndices = Array(0..<test.count)
    self.mean = stats.mean
    self.std = stats.std
    self.normalization = normalization
  }
}
