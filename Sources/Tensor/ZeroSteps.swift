import KernelCore

/// How many reduction steps of op(A) a register tile of 2, 4 or 8 rows keeps: a step is
/// skipped when the tile's rows of A are all zero there. Groups of rows start at row 0,
/// as the tiles' panels do; rows past the last are zero.
struct ZeroSteps {
  /// Steps kept by groups of 2, 4 and 8 rows, summed over the groups counted.
  var kept2 = 0, kept4 = 0, kept8 = 0
  /// (group, step) pairs counted for groups of 2, 4 and 8 rows.
  var total2 = 0, total4 = 0, total8 = 0

  /// The fraction of (group, step) pairs kept by groups of `rows` rows (2, 4 or 8).
  func fraction(rows: Int) -> Double {
    let (kept, total) = rows == 2 ? (kept2, total2) : rows == 4 ? (kept4, total4) : (kept8, total8)
    return Double(kept) / Double(max(1, total))
  }

  /// Values of A read to estimate the fractions: a sample, since the estimate only steers
  /// the choice of a tile, and reading all of A costs as much as a few percent of the product.
  static let sampleSize = 8_192

  /// Counts over the first `k` steps of op(A), an `m × k` matrix: A itself (rows `lda` apart)
  /// or, with `transposeA`, the transpose of the stored `k × m` matrix. Large operands are
  /// sampled: every s-th group of eight rows of A, or every s-th step of a transposed A.
  static func count(
    _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool, m: Int, k: Int, kernels: KernelTable
  ) -> ZeroSteps {
    let s = max(1, m * k / sampleSize)
    var result = ZeroSteps()
    func add(_ kept: (Int, Int, Int), rows: Int, steps: Int) {
      result.kept2 += kept.0
      result.kept4 += kept.1
      result.kept8 += kept.2
      result.total2 += (rows + 1) / 2 * steps
      result.total4 += (rows + 3) / 4 * steps
      result.total8 += (rows + 7) / 8 * steps
    }
    if transposeA {
      let steps = (k + s - 1) / s
      add(kernels.keptSteps(a, lda * s, true, m, steps), rows: m, steps: steps)
    } else {
      for group in stride(from: 0, to: m, by: 8 * s) {
        let rows = min(8, m - group)
        add(kernels.keptSteps(a + group * lda, lda, false, rows, k), rows: rows, steps: k)
      }
    }
    return result
  }
}
