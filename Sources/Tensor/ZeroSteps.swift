/// How many reduction steps of op(A) a register tile of 2, 4 or 8 rows keeps: a step is
/// skipped when the tile's rows of A are all zero there. Groups of rows start at row 0,
/// as the tiles' panels do; rows past the last are zero.
import KernelCore

struct ZeroSteps {
  /// Steps kept by groups of 2, 4 and 8 rows, summed over the groups.
  var kept2 = 0, kept4 = 0, kept8 = 0
  let m: Int
  let k: Int

  /// The fraction of (group, step) pairs kept by groups of `rows` rows (2, 4 or 8).
  func fraction(rows: Int) -> Double {
    let kept = rows == 2 ? kept2 : rows == 4 ? kept4 : kept8
    return Double(kept) / Double(max(1, m.roundedUp(to: rows) / rows * k))
  }

  /// Counts over the first `k` steps of op(A), an `m × k` matrix: A itself (rows `lda` apart)
  /// or, with `transposeA`, the transpose of the stored `k × m` matrix.
  static func count(
    _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool, m: Int, k: Int, kernels: KernelTable
  ) -> ZeroSteps {
    let (two, four, eight) = kernels.keptSteps(a, lda, transposeA, m, k)
    return ZeroSteps(kept2: two, kept4: four, kept8: eight, m: m, k: k)
  }
}
