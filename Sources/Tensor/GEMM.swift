import KernelCore

/// Blocking of the matrix product. Fixed numbers (never derived from the thread count or
/// the CPU), so that every element of C is summed in the same order on every machine.
public enum GEMMBlocking {
  /// Rows of op(A) packed at a time (a multiple of every tile height: 8, 6, 4 and 2).
  public static let rows = 384
  /// Steps of the reduction per block; C is updated once per block.
  public static let depth = 1024
  /// Columns of op(B) packed at a time (a multiple of every tile width).
  public static let columns = 3072
  /// Below this many multiply-adds a product runs on one thread.
  public static let parallelThreshold = 1 << 17
}

extension ComputeContext {
  /// The matrix product `C = op(A) · op(B)`, or `C += op(A) · op(B)` with `accumulate`.
  ///
  /// `op(A)` is `m × k`: A itself stored row-major with row stride `lda`, or, with
  /// `transposeA`, the transpose of a `k × m` matrix A. Likewise `op(B)` is `k × n`. C is
  /// `m × n` with row stride `ldc`. Transposed operands are read in place, never copied
  /// whole.
  ///
  /// The product is blocked (see `GEMMBlocking`), packed into panels, and computed by
  /// register tiles; threads share the tiles of C, never the reduction. Reduction steps
  /// whose A values are all zero across a tile's rows are skipped, which changes no bit of
  /// a finite result (adding ±0 never does); for a sparse A (images, activations after ReLU
  /// and dropout) a tile of fewer rows is picked so that more steps are skipped (see
  /// `chooseTile`).
  public func multiply(
    _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
    _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
    into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int, accumulate: Bool = false
  ) {
    guard m > 0 && n > 0 else { return }
    guard k > 0 else {
      if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
      return
    }
    let choice = chooseTile(a, lda: lda, transposeA: transposeA, m: m, n: n, k: min(k, GEMMBlocking.depth))
    let tile = choice.kernel
    let mr = tile.rows
    let nr = tile.columns
    let parallel = m * n * k >= GEMMBlocking.parallelThreshold && pool.threadCount > 1
    let space = gemmSpace
    space.reserve(
      edgeA: mr * min(k, GEMMBlocking.depth),
      packedB: min(n, GEMMBlocking.columns).roundedUp(to: nr) * min(k, GEMMBlocking.depth),
      panels: min(m, GEMMBlocking.rows).roundedUp(to: mr) / mr, depth: min(k, GEMMBlocking.depth),
      tile: mr * nr, threads: pool.threadCount)

    var packing = Packing(
      a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB, mr: mr, nr: nr, space: space,
      kernels: kernels)
    for jc in stride(from: 0, to: n, by: GEMMBlocking.columns) {
      let nc = min(GEMMBlocking.columns, n - jc)
      let bPanels = (nc + nr - 1) / nr
      packing.columns = jc..<(jc + nc)
      for pc in stride(from: 0, to: k, by: GEMMBlocking.depth) {
        let kc = min(GEMMBlocking.depth, k - pc)
        let add = accumulate || pc > 0
        packing.depth = pc..<(pc + kc)
        for ic in stride(from: 0, to: m, by: GEMMBlocking.rows) {
          let mc = min(GEMMBlocking.rows, m - ic)
          packing.rows = ic..<(ic + mc)
          let aPanels = packing.panelsOfA
          if packing.hasEdgePanel { packing.copyEdgePanel() }
          // A sparse tile always skips zero steps. The dense tile skips them only for a
          // sparse A (a first layer fed with images): there its first panel decides
          // whether the others are scanned.
          let sparse: Bool
          let scanned: Range<Int>
          if choice.sparse {
            (sparse, scanned) = (true, 0..<aPanels)
          } else {
            packing.listNonZeroSteps(0..<1)
            sparse = Double(space.counts[0]) < 0.9 * Double(kc)
            scanned = sparse ? 1..<aPanels : 0..<0
          }
          let scans = (scanned.count + packing.panelsPerListing - 1) / packing.panelsPerListing
          let packB = ic == 0 ? packing.packPieces(panels: bPanels) : 0
          let plan = packing
          let prepare = PrepareBlock(plan: plan, scanned: scanned, scans: scans)
          pool.run(pieces: scans + packB, shared: parallel, prepare)
          let tiles = aPanels * bPanels
          let pieces = parallel ? pool.pieces(tiles) : 1
          pool.run(
            pieces: pieces, shared: parallel,
            MultiplyTiles(
              plan: plan, tile: tile, space: space, c: c, ldc: ldc, ic: ic, jc: jc, mc: mc, nc: nc, kc: kc,
              aPanels: aPanels, tiles: tiles, pieces: pieces, sparse: sparse, accumulate: add))
        }
      }
    }
  }

  /// The register tile for a product, and whether it skips zero steps of A from the start.
  ///
  /// A tile skips a step only when all its MR rows of A are zero there, so a sparse A (images,
  /// or activations after ReLU and dropout) skips far more steps with a narrow tile than with
  /// the dense 8-row one. The fraction of steps each tile keeps is counted on a sample of the
  /// first depth block of A (see `ZeroSteps`), and the tile with the least estimated time (steps kept, padded
  /// rows and columns, over the tile's relative speed) wins. The choice changes speed only:
  /// every tile sums each element of C in the same order.
  func chooseTile(_ a: UnsafePointer<Float>, lda: Int, transposeA: Bool, m: Int, n: Int, k: Int) -> (
    kernel: TileKernel, sparse: Bool
  ) {
    let dense = kernels.tile
    guard !kernels.sparseTiles.isEmpty, dense.rows == 8, n >= 32, m >= 16, m * n * k >= GEMMBlocking.parallelThreshold
    else { return (dense, false) }
    let kept = ZeroSteps.count(a, lda: lda, transposeA: transposeA, m: m, k: k, kernels: kernels)
    func cost(_ tile: TileKernel, _ fraction: Double) -> Double {
      fraction * Double(m.roundedUp(to: tile.rows) * n.roundedUp(to: tile.columns)) / tile.speed
    }
    var best = (
      kernel: dense, sparse: false, cost: cost(dense, kept.fraction(rows: 8) < 0.9 ? kept.fraction(rows: 8) : 1)
    )
    for tile in kernels.sparseTiles {
      let estimate = cost(tile, kept.fraction(rows: tile.rows))
      if estimate < best.cost { best = (tile, true, estimate) }
    }
    return (best.kernel, best.sparse)
  }
}

/// Lists the non-zero steps of A panels `scanned` (when A is sparse), `panelsPerListing` at
/// a time, and packs the B panels: one piece each, the listings first.
struct PrepareBlock: ParallelJob {
  let plan: Packing
  let scanned: Range<Int>
  let scans: Int

  func callAsFunction(_ piece: Int, thread: Int) {
    if piece < scans {
      let first = scanned.lowerBound + piece * plan.panelsPerListing
      plan.listNonZeroSteps(first..<min(scanned.upperBound, first + plan.panelsPerListing))
    } else {
      plan.packB(piece: piece - scans)
    }
  }

}

/// Computes the tiles of C of one block in `pieces` contiguous runs of tiles; tiles go
/// column panel by column panel, so that a packed B panel serves every row panel in turn.
struct MultiplyTiles: ParallelJob {
  let plan: Packing
  let tile: TileKernel
  let space: GEMMWorkspace
  let c: UnsafeMutablePointer<Float>
  let ldc: Int
  let ic: Int, jc: Int, mc: Int, nc: Int, kc: Int
  let aPanels: Int
  let tiles: Int
  let pieces: Int
  let sparse: Bool
  let accumulate: Bool

  func callAsFunction(_ piece: Int, thread: Int) {
    let (mr, nr) = (plan.mr, plan.nr)
    for index in (tiles * piece / pieces)..<(tiles * (piece + 1) / pieces) {
      let p = index % aPanels
      let q = index / aPanels
      let rows = min(mr, mc - p * mr)
      let columns = min(nr, nc - q * nr)
      let panel = plan.panelOfA(p)
      let steps = sparse ? space.counts[p] : kc
      let list: UnsafePointer<Int32>? = steps < kc ? UnsafePointer(space.steps + p * space.listStride) : nil
      let target = c + (ic + p * mr) * ldc + jc + q * nr
      let bPanel = space.packedB + q * kc * nr
      if rows == mr && columns == nr {
        tile.multiply(
          steps, panel.base, panel.rowStride, panel.stepStride, bPanel, list, target, ldc, accumulate)
      } else {
        // A tile over C's edge: computed whole in this thread's scratch tile, then copied.
        let scratch = space.tiles + space.tileStride * thread
        tile.multiply(steps, panel.base, panel.rowStride, panel.stepStride, bPanel, list, scratch, nr, false)
        for r in 0..<rows {
          let from = scratch + r * nr
          let to = target + r * ldc
          if accumulate {
            for j in 0..<columns { to[j] = to[j] + from[j] }
          } else {
            for j in 0..<columns { to[j] = from[j] }
          }
        }
      }
    }
  }
}

extension Int {
  @inline(__always)
  func roundedUp(to multiple: Int) -> Int { (self + multiple - 1) / multiple * multiple }
}
