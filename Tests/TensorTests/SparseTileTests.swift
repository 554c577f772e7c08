import KernelCore
import Testing

@testable import Tensor

/// A matrix whose zeros come in runs of `group` rows: each (group of rows, column) is zero
/// with probability `zeros`, so groups of that many rows skip the same columns.
func groupedSparseMatrix(rows: Int, columns: Int, group: Int, zeros: Double, seed: UInt64) -> [Float] {
  var generator = Xoshiro256(seed: seed)
  var values = [Float](repeating: 0, count: rows * columns)
  for start in stride(from: 0, to: rows, by: group) {
    for j in 0..<columns where generator.uniformDouble() >= zeros {
      for i in start..<min(rows, start + group) { values[i * columns + j] = generator.uniformFloat() * 2 - 1 }
    }
  }
  return values
}

/// Steps kept by groups of `size` rows of op(A), counted one value at a time.
func naiveKept(_ a: [Float], lda: Int, transposeA: Bool, m: Int, k: Int, size: Int) -> Int {
  var kept = 0
  for start in stride(from: 0, to: m, by: size) {
    for p in 0..<k
    where (start..<min(m, start + size)).contains(where: { (transposeA ? a[p * lda + $0] : a[$0 * lda + p]) != 0 }) {
      kept += 1
    }
  }
  return kept
}

@Suite struct SparseTiles {
  let kernels = Kernels.best

  @Test(arguments: [false, true])
  func countsOfKeptStepsMatchANaiveCount(_ transposeA: Bool) {
    for (m, k) in [(37, 45), (16, 16), (64, 120), (9, 3)] {  // below the sample size: counted whole
      let (rows, columns) = transposeA ? (k, m) : (m, k)
      let a = randomMatrix(rows * (columns + 3), seed: 11, zeros: 0.8)
      let counted = ZeroSteps.count(a, lda: columns + 3, transposeA: transposeA, m: m, k: k, kernels: kernels)
      for size in [2, 4, 8] {
        let kept = size == 2 ? counted.kept2 : size == 4 ? counted.kept4 : counted.kept8
        #expect(
          kept == naiveKept(a, lda: columns + 3, transposeA: transposeA, m: m, k: k, size: size), "\(m)×\(k) by \(size)"
        )
      }
    }
  }

  @Test func listsOfKeptStepsMatchANaiveList() {
    // 37 rows × 100 steps, read as rows of steps (steps contiguous) or transposed (rows
    // contiguous); panels of 1-8 rows, whole groups of sixteen rows and the ones after.
    let (m, k) = (37, 100)
    let a = randomMatrix(m * k, seed: 12, zeros: 0.7)
    let stride = k + 16
    var kept = [Int32](repeating: -1, count: 37 * stride)
    var counts = [Int](repeating: -1, count: 37)
    for rows in [1, 2, 4, 8] {
      let panels = m / rows
      for transposed in [false, true] {
        // Transposed: the stored matrix is op(A)ᵀ, so value (i, p) sits at a[p · m + i].
        let (rowStride, stepStride) = transposed ? (1, m) : (k, 1)
        let steps = k
        kernels.listKeptSteps(a, rowStride, stepStride, rows, panels, steps, &kept, stride, &counts)
        for q in 0..<panels {
          let expected = (0..<steps).filter { p in
            (0..<rows).contains { a[(q * rows + $0) * rowStride + p * stepStride] != 0 }
          }
          #expect(
            Array(kept[(q * stride)..<(q * stride + counts[q])]) == expected.map(Int32.init),
            "\(rows) rows, panel \(q), transposed \(transposed)")
        }
      }
    }
  }

  /// For each sparse tile of this CPU's kernels, an operand on which the product picks it, and
  /// the product bit for bit the reference's, in every transpose combination.
  @Test func eachSparseTileIsPickedAndExact() {
    for tile in kernels.sparseTiles {
      // Zeros shared by groups of the tile's rows favour it over the others.
      let (m, n, k) = (tile.rows == 4 ? 70 : 66, 250, 300)
      for transposeA in [false, true] {
        for transposeB in [false, true] {
          let stored = groupedSparseMatrix(rows: m, columns: k, group: tile.rows, zeros: 0.85, seed: 13)
          // op(A) is m × k; stored transposed when transposeA.
          var a = stored
          if transposeA {
            for i in 0..<m { for p in 0..<k { a[p * m + i] = stored[i * k + p] } }
          }
          let lda = transposeA ? m : k
          let context = ComputeContext(threads: 2, kernels: kernels)
          let choice = context.chooseTile(a, lda: lda, transposeA: transposeA, m: m, n: n, k: k)
          #expect(choice.sparse && choice.kernel.rows == tile.rows, "\(tile.rows)-row tile picked")
          let b = randomMatrix(k * n, seed: 14)
          let ldb = transposeB ? k : n
          for accumulate in [false, true] {
            var fast = randomMatrix(m * n, seed: 15)
            var reference = fast
            context.multiply(
              a, lda: lda, transposeA: transposeA, b, ldb: ldb, transposeB: transposeB, into: &fast, ldc: n, m: m, n: n,
              k: k, accumulate: accumulate)
            Reference.multiply(
              a, lda: lda, transposeA: transposeA, b, ldb: ldb, transposeB: transposeB, into: &reference, ldc: n, m: m,
              n: n, k: k, accumulate: accumulate)
            #expect(fast == reference, "\(tile.rows)×\(tile.columns) \(transposeA) \(transposeB) \(accumulate)")
          }
        }
      }
    }
  }

  @Test func aDenseOperandKeepsTheDenseTile() {
    let (m, n, k) = (64, 128, 256)
    let a = randomMatrix(m * k, seed: 16)
    let choice = ComputeContext(kernels: kernels).chooseTile(a, lda: k, transposeA: false, m: m, n: n, k: k)
    #expect(!choice.sparse && choice.kernel.rows == kernels.tileRows)
  }
}
