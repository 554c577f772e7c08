/// A rows × columns window on row-major floats that something else owns (a tensor, or a
/// dataset's pixels): how operations read and write without copying.
public struct MatrixView: @unchecked Sendable {
  public let data: UnsafeMutablePointer<Float>
  public let rows: Int
  public let columns: Int

  public init(_ data: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    self.data = data
    self.rows = rows
    self.columns = columns
  }

  public var count: Int { rows * columns }
  public func row(_ index: Int) -> UnsafeMutablePointer<Float> { data + index * columns }
  public subscript(row: Int, column: Int) -> Float { data[row * columns + column] }
}

extension Tensor {
  /// The current shape as a view.
  public var view: MatrixView { MatrixView(data, rows: rows, columns: columns) }
}

/// Elementwise passes and reductions, run on the context's threads. Rows (or columns, for
/// column reductions) are split between threads; each element's result is computed the
/// same way whichever thread computes it.
extension ComputeContext {
  /// Rows per thread below which a pass runs on one thread.
  static let rowGrain = 16

  /// `C = op(A) · op(B)` (or `+=`) on views: `A` is m × k (k × m when `transposeA`), and so on.
  public func multiply(
    _ a: MatrixView, transposeA: Bool = false, _ b: MatrixView, transposeB: Bool = false, into c: MatrixView,
    accumulate: Bool = false
  ) {
    let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
    let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
    precondition(
      k == kb && c.rows == m && c.columns == n,
      "product shapes disagree: \(m)×\(k) · \(kb)×\(n) → \(c.rows)×\(c.columns)")
    multiply(
      a.data, lda: a.columns, transposeA: transposeA, b.data, ldb: b.columns, transposeB: transposeB, into: c.data,
      ldc: c.columns, m: m, n: n, k: k, accumulate: accumulate)
  }

  /// `y = f(x + bias)` row by row (`bias` has one value per column; `nil` adds nothing).
  /// `y` may be `x`.
  public func activate(_ x: MatrixView, bias: UnsafePointer<Float>?, _ f: Activation, into y: MatrixView) {
    pool.forEachRange(x.rows, grain: Self.rowGrain, ActivateRows(kernels: kernels, x: x, bias: bias, f: f, y: y))
  }

  /// `dx = dy · f′`, with f′ from the activation's output `y` or, for GELU, its input `x`.
  /// `dx` may be `dy`.
  public func activationGradient(
    _ f: Activation, output y: MatrixView, input x: MatrixView?, gradient dy: MatrixView, into dx: MatrixView
  ) {
    pool.forEachRange(
      dy.rows, grain: Self.rowGrain, ActivationGradientRows(kernels: kernels, f: f, y: y, x: x ?? y, dy: dy, dx: dx))
  }

  /// `y = x · mask`, the mask drawn from the counter stream `key`: each element is kept
  /// with probability `keep` (to 2⁻²⁴) and scaled by 1 / keep (inverted dropout), else
  /// zeroed. Element (r, c) draws half of word r·⌈columns/2⌉ + ⌊c/2⌋, so the mask depends
  /// only on `key` and the shape. `y` may be `x`.
  public func bernoulliScale(_ x: MatrixView, keep: Float, key: UInt64, into y: MatrixView) {
    let threshold = UInt32((Double(min(max(keep, 0), 1)) * 16_777_216).rounded(.down))
    let job = BernoulliRows(
      kernels: kernels, x: x, y: y, key: key, threshold: threshold, scale: keep > 0 ? 1 / keep : 0,
      wordsPerRow: UInt64((x.columns + 1) / 2))
    pool.forEachRange(x.rows, grain: Self.rowGrain, job)
  }

  /// `sums[j] = Σ_r x[r, j]` (or `+=` with `accumulate`), each column summed in row order.
  public func columnSums(_ x: MatrixView, into sums: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
    // Split by whole vectors of columns, so that a split never changes how a column is summed.
    let chunks = (x.columns + kernels.lanes - 1) / kernels.lanes
    let job = ColumnSums(kernels: kernels, x: x, sums: sums, accumulate: accumulate)
    pool.forEachRange(chunks, grain: max(1, 2048 / max(x.rows, 1)), job)
  }

  /// Copies `x` into `y` (same shape).
  public func copy(_ x: MatrixView, into y: MatrixView) {
    precondition(x.rows == y.rows && x.columns == y.columns, "copy between different shapes")
    y.data.update(from: x.data, count: x.count)
  }
}

struct ActivateRows: RangeJob {
  let kernels: KernelTable
  let x: MatrixView
  let bias: UnsafePointer<Float>?
  let f: Activation
  let y: MatrixView

  func callAsFunction(_ rows: Range<Int>) {
    for r in rows { kernels.activate(f, x.row(r), bias, y.row(r), x.columns) }
  }
}

struct ActivationGradientRows: RangeJob {
  let kernels: KernelTable
  let f: Activation
  let y: MatrixView
  let x: MatrixView
  let dy: MatrixView
  let dx: MatrixView

  func callAsFunction(_ rows: Range<Int>) {
    for r in rows { kernels.activationGradient(f, y.row(r), x.row(r), dy.row(r), dx.row(r), dy.columns) }
  }
}

struct BernoulliRows: RangeJob {
  let kernels: KernelTable
  let x: MatrixView
  let y: MatrixView
  let key: UInt64
  let threshold: UInt32
  let scale: Float
  let wordsPerRow: UInt64

  func callAsFunction(_ rows: Range<Int>) {
    for r in rows {
      kernels.bernoulliScale(x.row(r), y.row(r), x.columns, key, UInt64(r) * wordsPerRow, threshold, scale)
    }
  }
}

struct ColumnSums: RangeJob {
  let kernels: KernelTable
  let x: MatrixView
  let sums: UnsafeMutablePointer<Float>
  let accumulate: Bool

  func callAsFunction(_ chunks: Range<Int>) {
    let first = chunks.lowerBound * kernels.lanes
    let count = min(chunks.upperBound * kernels.lanes, x.columns) - first
    kernels.columnSums(x.data + first, x.columns, x.rows, sums + first, count, accumulate)
  }
}
