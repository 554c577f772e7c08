/// The kinds of cell a study file may hold (`kind: compare`).
public enum CellKind: String, Sendable, Codable, CaseIterable {
  /// The data: split sizes, class counts, sample images, pixel statistics.
  case data
  /// One training run, with curves.
  case train
  /// Variants of the cell's settings side by side.
  case compare
  /// A grid of two settings (for example hidden layers × neurons).
  case grid
  /// A randomized search with cross-validation, optionally by successive halving.
  case search
  /// The best candidate of a search, retrained and evaluated once on the test set.
  case final
}
