/// Plain loops that define what the fast kernels compute. The tests compare the kernels
/// with them; they are too slow for anything else.
public enum Reference {
  /// `C (=|+=) op(A) · op(B)`, every element summed from zero in step order with fused
  /// multiply-adds, in blocks of `GEMMBlocking.depth` steps added to C one after another:
  /// exactly the order of `ComputeContext.multiply` on CPUs with FMA.
  public static func multiply(
    _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
    _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
    into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int, accumulate: Bool = false
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var total = accumulate ? c[i * ldc + j] : 0
        var first = true
        for start in stride(from: 0, to: max(k, 1), by: GEMMBlocking.depth) {
          var sum: Float = 0
          for p in start..<min(start + GEMMBlocking.depth, k) {
            let x = transposeA ? a[p * lda + i] : a[i * lda + p]
            let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
            sum = sum.addingProduct(x, y)
          }
          total = (first && !accumulate) ? sum : total + sum
          first = false
        }
        c[i * ldc + j] = total
      }
    }
  }
}
