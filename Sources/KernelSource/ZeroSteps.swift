import KernelCore

// Counting the reduction steps of op(A) that register tiles of 2, 4 and 8 rows keep (a step
// is skipped when the tile's rows are all zero there), so that the product can pick a tile
// for a sparse A. Compiled per ISA like the other kernels: in a module without vector
// flags, sixteen-lane masks spill to the stack and the count costs more than it saves.

/// Steps kept by groups of 2, 4 and 8 rows of op(A), counted by `keptStepsRun`.
struct KeptSteps {
  var two = 0, four = 0, eight = 0

  /// Adds one step of up to sixteen rows, given which pairs of rows are non-zero (bit i set
  /// when row 2i or 2i + 1 is); groups start at row 0 of the sixteen.
  @inline(__always)
  mutating func add(pairs: UInt8) {
    two += pairs.nonzeroBitCount
    for quad in 0..<4 where (pairs >> (2 * quad)) & 3 != 0 { four += 1 }
    eight += (pairs & 0x0F != 0 ? 1 : 0) + (pairs & 0xF0 != 0 ? 1 : 0)
  }
}

typealias StepBits = SIMD16<UInt32>

/// 1 in each lane that is non-zero, else 0, for lanes below 2³¹ (magnitudes): plain
/// arithmetic, because `replacing(with:where:)` runs lane by lane.
@inline(__always)
func nonZeroLanes<V: SIMD>(_ v: V) -> V where V.Scalar == UInt32 {
  (v &+ 0x7FFF_FFFF) &>> 31
}

@inline(__always)
func magnitudeBits(_ p: UnsafePointer<Float>) -> StepBits {
  UnsafeRawPointer(p).loadUnaligned(as: StepBits.self) & 0x7FFF_FFFF
}

/// op(A) = A (rows `lda` apart): eight rows at a time, sixteen steps at a time.
@inline(__always)
func keptStepsOfRows(_ a: UnsafePointer<Float>, _ lda: Int, _ m: Int, _ k: Int) -> KeptSteps {
  var kept = KeptSteps()
  var (sum2, sum4, sum8) = (StepBits(), StepBits(), StepBits())
  let whole = k - k % 16
  for group in stride(from: 0, to: m, by: 8) {
    let rows = min(8, m - group)
    let base = a + group * lda
    if rows == 8 {
      var p = 0
      while p < whole {
        let row = base + p
        let p01 = magnitudeBits(row) | magnitudeBits(row + lda)
        let p23 = magnitudeBits(row + 2 * lda) | magnitudeBits(row + 3 * lda)
        let p45 = magnitudeBits(row + 4 * lda) | magnitudeBits(row + 5 * lda)
        let p67 = magnitudeBits(row + 6 * lda) | magnitudeBits(row + 7 * lda)
        sum2 &+= nonZeroLanes(p01) &+ nonZeroLanes(p23) &+ nonZeroLanes(p45) &+ nonZeroLanes(p67)
        let (q0, q1) = (p01 | p23, p45 | p67)
        sum4 &+= nonZeroLanes(q0) &+ nonZeroLanes(q1)
        sum8 &+= nonZeroLanes(q0 | q1)
        p += 16
      }
    }
    // The last rows, and the last steps of every group, one by one.
    for step in (rows == 8 ? whole : 0)..<k {
      var pairs: UInt8 = 0
      for r in 0..<rows where base[r * lda + step] != 0 { pairs |= 1 << (r / 2) }
      kept.add(pairs: pairs)
    }
  }
  kept.two += Int(sum2.wrappedSum())
  kept.four += Int(sum4.wrappedSum())
  kept.eight += Int(sum8.wrappedSum())
  return kept
}

/// op(A) = Aᵀ (A is k × m, rows `lda` apart): sixteen rows of op(A) are contiguous in each
/// row of A.
@inline(__always)
func keptStepsOfColumns(_ a: UnsafePointer<Float>, _ lda: Int, _ m: Int, _ k: Int) -> KeptSteps {
  var kept = KeptSteps()
  var (sum2, sum4, sum8) = (SIMD8<UInt32>(), SIMD4<UInt32>(), SIMD2<UInt32>())
  let whole = m - m % 16
  for step in 0..<k {
    let row = a + step * lda
    var i = 0
    while i < whole {
      let v = magnitudeBits(row + i)
      let pairs = v.evenHalf | v.oddHalf
      let quads = pairs.evenHalf | pairs.oddHalf
      sum2 &+= nonZeroLanes(pairs)
      sum4 &+= nonZeroLanes(quads)
      sum8 &+= nonZeroLanes(quads.evenHalf | quads.oddHalf)
      i += 16
    }
    var pairs: UInt8 = 0
    for i in whole..<m where row[i] != 0 { pairs |= 1 << ((i - whole) / 2) }
    kept.add(pairs: pairs)
  }
  kept.two += Int(sum2.wrappedSum())
  kept.four += Int(sum4.wrappedSum())
  kept.eight += Int(sum8.wrappedSum())
  return kept
}

// MARK: - This module's instance

/// `(a, lda, transposeA, m, k) -> (kept by 2 rows, by 4, by 8)`.
let keptStepsKernel: @Sendable (UnsafePointer<Float>, Int, Bool, Int, Int) -> (Int, Int, Int) = {
  a, lda, transposeA, m, k in
  let kept = transposeA ? keptStepsOfColumns(a, lda, m, k) : keptStepsOfRows(a, lda, m, k)
  return (kept.two, kept.four, kept.eight)
}

/// Lists the steps of one panel of op(A) where any of its `rows` rows is non-zero, in order,
/// into `kept`; returns how many. Row r of step p is `a[r · rowStride + p · stepStride]`.
/// Branch-free: the zero pattern of images and activations is unpredictable, so every step's
/// index is written and the count advances by whether the step is kept.
@inline(__always)
func listKeptStepsRun(
  _ a: UnsafePointer<Float>, _ rowStride: Int, _ stepStride: Int, _ rows: Int, _ steps: Int,
  _ kept: UnsafeMutablePointer<Int32>
) -> Int {
  var count = 0
  if stepStride == 1 {
    // Each row's steps are contiguous: sixteen steps of every row at a time.
    let shifts = StepBits(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    var p = 0
    while p + 16 <= steps {
      var bits = magnitudeBits(a + p)
      for r in 1..<rows { bits |= magnitudeBits(a + r * rowStride + p) }
      let mask = (nonZeroLanes(bits) &<< shifts).wrappedSum()
      for lane in 0..<16 {
        kept[count] = Int32(p + lane)
        count += Int((mask >> UInt32(lane)) & 1)
      }
      p += 16
    }
    for step in p..<steps {
      var bits: UInt32 = 0
      for r in 0..<rows { bits |= a[r * rowStride + step].bitPattern }
      kept[count] = Int32(step)
      count += bits & 0x7FFF_FFFF != 0 ? 1 : 0
    }
    return count
  }
  // Each step's rows are contiguous (rowStride 1): one small group per step.
  let words = UnsafeRawPointer(a).assumingMemoryBound(to: UInt32.self)
  for step in 0..<steps {
    let group = words + step * stepStride
    var bits: UInt32 = 0
    if rows == 4 {
      let v = UnsafeRawPointer(group).loadUnaligned(as: SIMD4<UInt32>.self)
      bits = (v[0] | v[1]) | (v[2] | v[3])
    } else {
      for r in 0..<rows { bits |= group[r * rowStride] }
    }
    kept[count] = Int32(step)
    count += bits & 0x7FFF_FFFF != 0 ? 1 : 0
  }
  return count
}

/// `(a, rowStride, stepStride, rows, steps, kept) -> count`: see `listKeptStepsRun`.
let listKeptStepsKernel: @Sendable (UnsafePointer<Float>, Int, Int, Int, Int, UnsafeMutablePointer<Int32>) -> Int = {
  listKeptStepsRun($0, $1, $2, $3, $4, $5)
}
