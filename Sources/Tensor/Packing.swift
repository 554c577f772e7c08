/// Buffers of the matrix product, kept by a `ComputeContext` and grown only when a larger
/// product comes: after the first batch, training allocates nothing.
final class GEMMWorkspace: @unchecked Sendable {
  /// The zero-padded copy of a ragged last row panel of A.
  private(set) var edgeA = UnsafeMutablePointer<Float>.allocate(capacity: 0)
  private(set) var packedB = UnsafeMutablePointer<Float>.allocate(capacity: 0)
  /// Per A panel: the reduction steps kept after skipping all-zero ones (a list every
  /// `listStride` entries: the block's depth and slack for the listing's wide writes), and
  /// how many.
  private(set) var steps = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
  private(set) var listStride = 0
  private(set) var counts = UnsafeMutablePointer<Int>.allocate(capacity: 0)
  /// One scratch tile per thread, for tiles that overhang C's edge.
  private(set) var tiles = UnsafeMutablePointer<Float>.allocate(capacity: 0)
  private(set) var tileStride = 0
  private var sizes = (edge: 0, b: 0, steps: 0, counts: 0, tiles: 0)

  func reserve(edgeA a: Int, packedB b: Int, panels: Int, depth: Int, tile: Int, threads: Int) {
    if a > sizes.edge { (edgeA, sizes.edge) = (Self.regrow(edgeA, a), a) }
    if b > sizes.b { (packedB, sizes.b) = (Self.regrow(packedB, b), b) }
    listStride = depth + 16
    if panels * listStride > sizes.steps {
      steps.deallocate()
      steps = .allocate(capacity: panels * listStride)
      sizes.steps = panels * listStride
    }
    if panels > sizes.counts {
      counts.deallocate()
      counts = .allocate(capacity: panels)
      sizes.counts = panels
    }
    let stride = tile.roundedUp(to: 16)
    if stride * threads > sizes.tiles {
      (tiles, sizes.tiles) = (Self.regrow(tiles, stride * threads), stride * threads)
    }
    tileStride = stride
  }

  private static func regrow(_ old: UnsafeMutablePointer<Float>, _ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(old).deallocate()
    return UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(
      to: Float.self, capacity: count)
  }

  deinit {
    UnsafeMutableRawPointer(edgeA).deallocate()
    UnsafeMutableRawPointer(packedB).deallocate()
    UnsafeMutableRawPointer(tiles).deallocate()
    steps.deallocate()
    counts.deallocate()
  }
}

/// Where a register tile reads its MR rows of op(A): value (r, p) is at
/// `base[r · rowStride + p · stepStride]`.
struct PanelOfA {
  let base: UnsafePointer<Float>
  let rowStride: Int
  let stepStride: Int
}

/// Prepares one block of the product: B is copied into panels of NR columns (`depth` rows
/// of NR values, zero-padded past the edge), the layout the register tiles stream; A is read
/// where it is, except a ragged last row panel, copied zero-padded; and the steps of each A
/// panel whose MR values are all zero can be listed, to be skipped.
struct Packing {
  let a: UnsafePointer<Float>
  let lda: Int
  let transposeA: Bool
  let b: UnsafePointer<Float>
  let ldb: Int
  let transposeB: Bool
  let mr: Int
  let nr: Int
  let space: GEMMWorkspace
  let kernels: KernelTable
  /// The block being prepared: rows of op(A), columns of op(B), reduction steps.
  var rows = 0..<0
  var columns = 0..<0
  var depth = 0..<0

  var panelsOfA: Int { (rows.count + mr - 1) / mr }
  var hasEdgePanel: Bool { rows.count % mr != 0 }

  /// The rows of A panel `panel`, in place or, for a ragged last panel, from its copy.
  func panelOfA(_ panel: Int) -> PanelOfA {
    if hasEdgePanel && panel == panelsOfA - 1 {
      return PanelOfA(base: space.edgeA, rowStride: 1, stepStride: mr)
    }
    let first = rows.lowerBound + panel * mr
    if transposeA {
      // op(A)[i, p] = A[p, i]
      return PanelOfA(base: a + depth.lowerBound * lda + first, rowStride: 1, stepStride: lda)
    }
    return PanelOfA(base: a + first * lda + depth.lowerBound, rowStride: lda, stepStride: 1)
  }

  /// Copies the ragged last row panel of A, zero-padded to MR rows, as a packed panel.
  func copyEdgePanel() {
    let kc = depth.count
    let first = rows.lowerBound + (panelsOfA - 1) * mr
    let height = rows.upperBound - first
    let out = space.edgeA
    for p in 0..<kc {
      for r in 0..<mr {
        let row = first + r
        let step = depth.lowerBound + p
        out[p * mr + r] = r < height ? (transposeA ? a[step * lda + row] : a[row * lda + step]) : 0
      }
    }
  }

  /// Panels listed together: sixteen rows of A, whose values of a step are contiguous when A
  /// is transposed (see `listKeptStepsRun`).
  var panelsPerListing: Int { 16 % mr == 0 ? 16 / mr : 1 }

  /// Lists the steps of A panels `panels` with a non-zero value, in order, in `space.steps`
  /// (a list every `space.listStride` entries), and their number in `space.counts`.
  func listNonZeroSteps(_ panels: Range<Int>) {
    let kc = depth.count
    var inPlace = panels
    if hasEdgePanel && panels.contains(panelsOfA - 1) {
      // The ragged last panel is read from its zero-padded copy.
      let edge = panelsOfA - 1
      let source = panelOfA(edge)
      kernels.listKeptSteps(
        source.base, source.rowStride, source.stepStride, mr, 1, kc, space.steps + edge * space.listStride,
        space.listStride, space.counts + edge)
      inPlace = panels.lowerBound..<edge
    }
    guard !inPlace.isEmpty else { return }
    let source = panelOfA(inPlace.lowerBound)
    kernels.listKeptSteps(
      source.base, source.rowStride, source.stepStride, mr, inPlace.count, kc,
      space.steps + inPlace.lowerBound * space.listStride, space.listStride, space.counts + inPlace.lowerBound)
  }

  /// How many pieces packing B is split into: panels of a transposed B, runs of
  /// `packRows` steps of a plain one.
  func packPieces(panels: Int) -> Int {
    transposeB ? panels : (depth.count + Self.packRows - 1) / Self.packRows
  }

  /// Steps of a plain B packed per piece: whole rows of B are read in order, so that the
  /// hardware prefetcher streams them, and spread over every panel.
  static let packRows = 32

  /// Packs piece `piece` of B for the current block (see `packPieces`).
  func packB(piece: Int) {
    let kc = depth.count
    if transposeB {
      // op(B)[p, j] = B[j, p]: one panel, transposed.
      let first = columns.lowerBound + piece * nr
      let width = min(nr, columns.upperBound - first)
      kernels.packTransposed(b + first * ldb + depth.lowerBound, ldb, width, kc, space.packedB + piece * kc * nr, nr)
      return
    }
    let panels = (columns.count + nr - 1) / nr
    for p in (piece * Self.packRows)..<min(kc, (piece + 1) * Self.packRows) {
      let source = b + (depth.lowerBound + p) * ldb + columns.lowerBound
      for q in 0..<panels {
        let from = source + q * nr
        let target = space.packedB + q * kc * nr + p * nr
        let width = min(nr, columns.count - q * nr)
        if width == nr {
          for j in 0..<nr { target[j] = from[j] }
        } else {
          for j in 0..<width { target[j] = from[j] }
          for j in width..<nr { target[j] = 0 }
        }
      }
    }
  }
}
