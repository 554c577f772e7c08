/// The mean of `values`; NaN for none.
public func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }

/// The population standard deviation, n in the denominator (numpy's `std`, which
/// scikit-learn reports as `std_test_score`); NaN for none.
public func populationDeviation(_ values: [Double]) -> Double {
  let m = mean(values)
  return values.isEmpty ? .nan : (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)).squareRoot()
}

/// scikit-learn's `rankdata(-scores, method='min')`: 1 for the best, ties sharing the
/// smallest rank (NaN last).
public func ranks(_ scores: [Double]) -> [Int] {
  scores.map { score in
    guard score.isFinite else { return scores.filter(\.isFinite).count + 1 }
    return 1 + scores.filter { $0.isFinite && $0 > score }.count
  }
}
