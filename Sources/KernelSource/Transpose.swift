// Packing a transposed B operand into GEMM panels: panel[p][j] = B[j][p]. The AVX-512 table
// transposes 16 × 16 blocks in registers; the others copy element by element.

/// `[a0 a2 a4 … b0 b2 b4 …]` (even lanes) or `[a1 a3 … b1 b3 …]` (odd lanes): one perfect
/// unshuffle step, which LLVM turns into a single permute.
@inline(__always)
func unshuffle(_ a: SIMD16<Float>, _ b: SIMD16<Float>, odd: Int) -> SIMD16<Float> {
  var r = SIMD16<Float>()
  for i in 0..<8 {
    r[i] = a[2 &* i &+ odd]
    r[8 &+ i] = b[2 &* i &+ odd]
  }
  return r
}

/// Transposes the 16 × 16 block at `source` (rows `sourceStride` apart) into `target`
/// (rows `targetStride` apart): four perfect unshuffles of the 256 values.
@inline(__always)
func transpose16(
  _ source: UnsafePointer<Float>, _ sourceStride: Int, _ target: UnsafeMutablePointer<Float>, _ targetStride: Int
) {
  typealias V = SIMD16<Float>
  let s = UnsafeRawPointer(source)
  let stride = sourceStride &* 4
  func row(_ i: Int) -> V { s.loadUnaligned(fromByteOffset: i &* stride, as: V.self) }
  var (a0, a1, a2, a3, a4, a5, a6, a7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
  var (a8, a9, a10, a11, a12, a13, a14, a15) = (row(8), row(9), row(10), row(11), row(12), row(13), row(14), row(15))
  for _ in 0..<4 {
    (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15) = (
      unshuffle(a0, a1, odd: 0), unshuffle(a2, a3, odd: 0), unshuffle(a4, a5, odd: 0), unshuffle(a6, a7, odd: 0),
      unshuffle(a8, a9, odd: 0), unshuffle(a10, a11, odd: 0), unshuffle(a12, a13, odd: 0), unshuffle(a14, a15, odd: 0),
      unshuffle(a0, a1, odd: 1), unshuffle(a2, a3, odd: 1), unshuffle(a4, a5, odd: 1), unshuffle(a6, a7, odd: 1),
      unshuffle(a8, a9, odd: 1), unshuffle(a10, a11, odd: 1), unshuffle(a12, a13, odd: 1), unshuffle(a14, a15, odd: 1)
    )
  }
  let t = UnsafeMutableRawPointer(target)
  let out = targetStride &* 4
  // Stored one by one: an array literal of the rows would allocate.
  func store(_ v: V, _ i: Int) { t.storeBytes(of: v, toByteOffset: i &* out, as: V.self) }
  store(a0, 0)
  store(a1, 1)
  store(a2, 2)
  store(a3, 3)
  store(a4, 4)
  store(a5, 5)
  store(a6, 6)
  store(a7, 7)
  store(a8, 8)
  store(a9, 9)
  store(a10, 10)
  store(a11, 11)
  store(a12, 12)
  store(a13, 13)
  store(a14, 14)
  store(a15, 15)
}

/// Packs `steps` rows of a transposed operand into a panel of `panelWidth` columns:
/// `panel[p · panelWidth + j] = source[j · sourceStride + p]` for j < width, zero for
/// width ≤ j < panelWidth. Blocks of 16 steps keep the rows being written in the L1 cache.
@inline(__always)
func packTransposedRun(
  _ source: UnsafePointer<Float>, _ sourceStride: Int, width: Int, steps: Int, _ panel: UnsafeMutablePointer<Float>,
  panelWidth: Int
) {
  packColumns(source, sourceStride, columns: 0..<width, steps: steps, panel, panelWidth: panelWidth)
}

/// Packs the columns `columns` of the panel (rows `panelWidth` apart) one value at a time,
/// and zeroes the columns from `columns.upperBound` to `panelWidth`.
@inline(__always)
func packColumns(
  _ source: UnsafePointer<Float>, _ sourceStride: Int, columns: Range<Int>, steps: Int,
  _ panel: UnsafeMutablePointer<Float>, panelWidth: Int
) {
  if columns.upperBound < panelWidth {
    for p in 0..<steps {
      (panel + p * panelWidth + columns.upperBound).update(repeating: 0, count: panelWidth - columns.upperBound)
    }
  }
  var p0 = 0
  while p0 < steps {
    let block = min(16, steps - p0)
    for j in columns {
      let from = source + j * sourceStride + p0
      for p in 0..<block { panel[(p0 + p) * panelWidth + j] = from[p] }
    }
    p0 += 16
  }
}

/// `packTransposedRun` with 16 × 16 register transposes for the whole blocks.
@inline(__always)
func packTransposedRun16(
  _ source: UnsafePointer<Float>, _ sourceStride: Int, width: Int, steps: Int, _ panel: UnsafeMutablePointer<Float>,
  panelWidth: Int
) {
  let wholeWidth = width - width % 16
  let wholeSteps = steps - steps % 16
  guard wholeWidth > 0 && wholeSteps > 0 else {
    packTransposedRun(source, sourceStride, width: width, steps: steps, panel, panelWidth: panelWidth)
    return
  }
  var p0 = 0
  while p0 < wholeSteps {
    var j0 = 0
    while j0 < wholeWidth {
      transpose16(source + j0 * sourceStride + p0, sourceStride, panel + p0 * panelWidth + j0, panelWidth)
      j0 += 16
    }
    p0 += 16
  }
  // The columns past the last whole block of 16 (and the zero padding), for every whole
  // step; then every column of the last steps.
  if wholeWidth < panelWidth {
    packColumns(source, sourceStride, columns: wholeWidth..<width, steps: wholeSteps, panel, panelWidth: panelWidth)
  }
  if wholeSteps < steps {
    packTransposedRun(
      source + wholeSteps, sourceStride, width: width, steps: steps - wholeSteps, panel + wholeSteps * panelWidth,
      panelWidth: panelWidth)
  }
}

// MARK: - This module's instance

/// Packs transposed operands, with 16 × 16 register transposes where `ISA.transposes16`.
let packTransposedKernel = choosePackTransposed()

private func choosePackTransposed()
  -> @Sendable (
    UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>, Int
  ) -> Void
{
  if ISA.transposes16 {
    return { packTransposedRun16($0, $1, width: $2, steps: $3, $4, panelWidth: $5) }
  }
  return { packTransposedRun($0, $1, width: $2, steps: $3, $4, panelWidth: $5) }
}
