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

/// For each byte, the positions of its set bits, in order, padded with zeros: how a
/// listing writes the kept steps of eight at once. Written once, then only read.
nonisolated(unsafe) let bitPositions: UnsafePointer<SIMD8<Int32>> = {
  let table = UnsafeMutablePointer<SIMD8<Int32>>.allocate(capacity: 256)
  for byte in 0..<256 {
    var positions = SIMD8<Int32>()
    var count = 0
    for bit in 0..<8 where byte & (1 << bit) != 0 {
      positions[count] = Int32(bit)
      count += 1
    }
    table[byte] = positions
  }
  return UnsafePointer(table)
}()

/// Appends the steps `first + i` for the set bits i of `mask` to `kept` at `count`, and
/// advances `count`. Writes up to 16 values past `count`: the lists have that much slack.
@inline(__always)
func appendSteps(
  _ mask: UInt32, first: Int, _ kept: UnsafeMutablePointer<Int32>, _ count: inout Int,
  _ table: UnsafePointer<SIMD8<Int32>>
) {
  let raw = UnsafeMutableRawPointer(kept)
  let low = Int(mask & 0xFF)
  let high = Int((mask >> 8) & 0xFF)
  raw.storeBytes(of: table[low] &+ Int32(first), toByteOffset: count * 4, as: SIMD8<Int32>.self)
  count += low.nonzeroBitCount
  raw.storeBytes(of: table[high] &+ Int32(first + 8), toByteOffset: count * 4, as: SIMD8<Int32>.self)
  count += high.nonzeroBitCount
}

/// The lanes of `v` that are non-zero (magnitudes), as the bits of a mask.
@inline(__always)
func laneMask(_ v: StepBits) -> UInt32 {
  let shifts = StepBits(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
  return (nonZeroLanes(v) &<< shifts).wrappedSum()
}

/// One panel's steps, one at a time: for the last steps, and for a panel whose rows are
/// contiguous but not part of a whole group of sixteen rows.
@inline(__always)
func listStepsOneByOne(
  _ a: UnsafePointer<Float>, _ rowStride: Int, _ stepStride: Int, _ rows: Int, _ steps: Range<Int>,
  _ kept: UnsafeMutablePointer<Int32>, _ count: inout Int
) {
  for step in steps {
    var bits: UInt32 = 0
    for r in 0..<rows { bits |= a[r * rowStride + step * stepStride].bitPattern }
    kept[count] = Int32(step)
    count += bits & 0x7FFF_FFFF != 0 ? 1 : 0
  }
}

/// Lists, for each of `panels` consecutive panels of `rows` rows of op(A), the steps where
/// any of its rows is non-zero, in order: panel q's list goes to `kept + q · keptStride`
/// and its length to `counts[q]`. Row r of step p of panel q is
/// `a[(q · rows + r) · rowStride + p · stepStride]`. Lists are written sixteen steps at a
/// time from a table, so each needs 16 entries of slack past `steps`.
///
/// The zero pattern of images and activations is unpredictable: nothing here branches on it.
@inline(__always)
func listKeptStepsRun(
  _ a: UnsafePointer<Float>, _ rowStride: Int, _ stepStride: Int, _ rows: Int, _ panels: Int, _ steps: Int,
  _ kept: UnsafeMutablePointer<Int32>, _ keptStride: Int, _ counts: UnsafeMutablePointer<Int>
) {
  let table = bitPositions
  let whole = steps - steps % 16
  if stepStride == 1 {
    // Each row's steps are contiguous: sixteen steps of every row of a panel at a time.
    for q in 0..<panels {
      let panel = a + q * rows * rowStride
      let list = kept + q * keptStride
      var count = 0
      var p = 0
      while p < whole {
        var bits = magnitudeBits(panel + p)
        for r in 1..<rows { bits |= magnitudeBits(panel + r * rowStride + p) }
        appendSteps(laneMask(bits), first: p, list, &count, table)
        p += 16
      }
      listStepsOneByOne(panel, rowStride, 1, rows, whole..<steps, list, &count)
      counts[q] = count
    }
    return
  }
  // Each step's rows are contiguous (rowStride 1): sixteen rows (16 / rows panels) by
  // sixteen steps at a time, transposed in registers so that each row holds sixteen steps.
  let perGroup = rows <= 16 && 16 % rows == 0 ? 16 / rows : 0
  let groups = perGroup > 0 ? panels / perGroup : 0
  withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { scratch in
    let block = scratch.baseAddress!
    for group in 0..<groups {
      let first = group * perGroup
      for q in 0..<perGroup { counts[first + q] = 0 }
      var p = 0
      while p < whole {
        // block[i · 16 + s] = op(A)[row i of the group, step p + s]
        transpose16(a + first * rows + p * stepStride, stepStride, block, 16)
        for q in 0..<perGroup {
          var bits = magnitudeBits(block + q * rows * 16)
          for r in 1..<rows { bits |= magnitudeBits(block + (q * rows + r) * 16) }
          appendSteps(laneMask(bits), first: p, kept + (first + q) * keptStride, &counts[first + q], table)
        }
        p += 16
      }
      for q in 0..<perGroup {
        listStepsOneByOne(
          a + (first + q) * rows, 1, stepStride, rows, whole..<steps, kept + (first + q) * keptStride,
          &counts[first + q])
      }
    }
  }
  for q in (groups * perGroup)..<panels {
    var count = 0
    listStepsOneByOne(a + q * rows, 1, stepStride, rows, 0..<steps, kept + q * keptStride, &count)
    counts[q] = count
  }
}

/// `(a, rowStride, stepStride, rows, panels, steps, kept, keptStride, counts)`: see
/// `listKeptStepsRun`.
let listKeptStepsKernel:
  @Sendable (
    UnsafePointer<Float>, Int, Int, Int, Int, Int, UnsafeMutablePointer<Int32>, Int, UnsafeMutablePointer<Int>
  ) -> Void = { listKeptStepsRun($0, $1, $2, $3, $4, $5, $6, $7, $8) }
