import Testing

@testable import Tensor

/// Random values, some exactly zero, so that the skipping of zero steps is exercised.
func randomMatrix(_ count: Int, seed: UInt64, zeros: Double = 0) -> [Float] {
  var generator = Xoshiro256(seed: seed)
  return (0..<count).map { _ in
    generator.uniformDouble() < zeros ? 0 : generator.uniformFloat() * 2 - 1
  }
}

struct ProductCase: CustomTestStringConvertible, Sendable {
  let m, n, k: Int
  let transposeA, transposeB: Bool
  var testDescription: String { "\(m)×\(n)×\(k) \(transposeA ? "T" : "N")\(transposeB ? "T" : "N")" }
}

let oddShapes: [(Int, Int, Int)] = [
  (1, 1, 1), (1, 7, 3), (5, 1, 9), (7, 13, 17), (31, 37, 41), (8, 32, 64), (17, 33, 100), (128, 10, 128),
  (97, 65, 1030), (390, 40, 3), (40, 85, 50),
]
let productCases: [ProductCase] = oddShapes.flatMap { m, n, k in
  [(false, false), (true, false), (false, true), (true, true)].map {
    ProductCase(m: m, n: n, k: k, transposeA: $0.0, transposeB: $0.1)
  }
}

/// Runs one product with the fast kernels and the reference, from the same C, and returns both.
func compare(_ c: ProductCase, kernels: KernelTable, threads: Int, zeros: Double, accumulate: Bool, padding: Int = 3)
  -> (fast: [Float], reference: [Float])
{
  // Leading dimensions wider than the matrices, to catch stride mistakes.
  let (aRows, aColumns) = c.transposeA ? (c.k, c.m) : (c.m, c.k)
  let (bRows, bColumns) = c.transposeB ? (c.n, c.k) : (c.k, c.n)
  let lda = aColumns + padding
  let ldb = bColumns + padding
  let ldc = c.n + padding
  let a = randomMatrix(aRows * lda, seed: 1, zeros: zeros)
  let b = randomMatrix(bRows * ldb, seed: 2)
  var fast = randomMatrix(c.m * ldc, seed: 3)
  var reference = fast
  let context = ComputeContext(threads: threads, kernels: kernels)
  context.multiply(
    a, lda: lda, transposeA: c.transposeA, b, ldb: ldb, transposeB: c.transposeB, into: &fast, ldc: ldc, m: c.m,
    n: c.n, k: c.k, accumulate: accumulate)
  Reference.multiply(
    a, lda: lda, transposeA: c.transposeA, b, ldb: ldb, transposeB: c.transposeB, into: &reference, ldc: ldc,
    m: c.m, n: c.n, k: c.k, accumulate: accumulate)
  return (fast, reference)
}

@Suite struct MatrixProduct {
  @Test(arguments: productCases)
  func matchesTheReferenceBitForBit(_ c: ProductCase) {
    for kernels in Kernels.supported where kernels.name != "baseline" {
      for (threads, zeros, accumulate) in [(1, 0.0, false), (2, 0.5, true), (2, 0.9, false)] {
        let (fast, reference) = compare(c, kernels: kernels, threads: threads, zeros: zeros, accumulate: accumulate)
        #expect(fast == reference, "\(kernels.name), \(threads) threads, \(zeros) zeros, accumulate \(accumulate)")
      }
    }
  }

  @Test func baselineKernelsAreClose() {
    guard let baseline = Kernels.supported.first(where: { $0.name == "baseline" }) else { return }
    for c in productCases where c.m * c.n * c.k < 200_000 {
      let (fast, reference) = compare(c, kernels: baseline, threads: 2, zeros: 0.3, accumulate: true)
      let worst = zip(fast, reference).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
      #expect(worst < 1e-4, "\(c.testDescription)")
    }
  }

  @Test func writesNothingOutsideC() {
    // C is a 5×6 window of a 9×10 matrix: the values around it must stay.
    let a = randomMatrix(5 * 4, seed: 4)
    let b = randomMatrix(4 * 6, seed: 5)
    var c = [Float](repeating: 42, count: 9 * 10)
    let context = ComputeContext(threads: 2)
    c.withUnsafeMutableBufferPointer { buffer in
      context.multiply(a, lda: 4, b, ldb: 6, into: buffer.baseAddress! + 2 * 10 + 3, ldc: 10, m: 5, n: 6, k: 4)
    }
    for i in 0..<9 {
      for j in 0..<10 where !(2..<7).contains(i) || !(3..<9).contains(j) {
        #expect(c[i * 10 + j] == 42)
      }
    }
  }

  @Test func emptyReductionClearsOrKeepsC() {
    let context = ComputeContext()
    var c: [Float] = [1, 2, 3, 4]
    context.multiply([], lda: 0, [], ldb: 2, into: &c, ldc: 2, m: 2, n: 2, k: 0, accumulate: true)
    #expect(c == [1, 2, 3, 4])
    context.multiply([], lda: 0, [], ldb: 2, into: &c, ldc: 2, m: 2, n: 2, k: 0)
    #expect(c == [0, 0, 0, 0])
  }

  @Test func referenceAgreesWithDoubleArithmetic() {
    let (m, n, k) = (6, 5, 50)
    let a = randomMatrix(m * k, seed: 6)
    let b = randomMatrix(k * n, seed: 7)
    var c = [Float](repeating: 0, count: m * n)
    Reference.multiply(a, lda: k, b, ldb: n, into: &c, ldc: n, m: m, n: n, k: k)
    for i in 0..<m {
      for j in 0..<n {
        let exact = (0..<k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(b[$1 * n + j]) }
        #expect(abs(Double(c[i * n + j]) - exact) < 1e-5)
      }
    }
  }
}
