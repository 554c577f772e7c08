// Register-tiled GEMM micro-kernels, written once over a generic SIMD vector and compiled
// by each ISA module (KernelsAVX512, KernelsAVX2, KernelsBaseline) with its own flags:
// these bodies are `@inline(__always)`, so they become AVX-512 or AVX2 code
// in the module that instantiates them.
//
// The accumulators are stored properties of a struct rather than an array: LLVM keeps
// struct fields in registers, while an array (or an InlineArray indexed in a loop) is
// left in memory for some tile sizes.

import KernelCore

/// How a tile adds a product to an accumulator.
protocol Accumulation {
  static func add<V: SIMD>(_ sum: V, _ x: V, _ y: V) -> V where V.Scalar == Float
}

/// `sum + x·y` rounded once: the rule of every ISA with FMA hardware.
enum FusedMultiplyAdd: Accumulation {
  @inline(__always)
  static func add<V: SIMD>(_ sum: V, _ x: V, _ y: V) -> V where V.Scalar == Float { sum.addingProduct(x, y) }
}

/// `sum + x·y` rounded twice: for x86 CPUs without FMA, where a fused product would be a
/// slow library call per lane. Results then differ in the last bits from the FMA tables.
enum MultiplyThenAdd: Accumulation {
  @inline(__always)
  static func add<V: SIMD>(_ sum: V, _ x: V, _ y: V) -> V where V.Scalar == Float { sum + x * y }
}

/// An MR × (V·W) block of accumulators (W = the vector's lane count, V vectors per row).
protocol RegisterTile: Sendable {
  associatedtype Vector: SIMD & Sendable where Vector.Scalar == Float
  associatedtype Rule: Accumulation
  /// MR, the number of rows of A the tile covers.
  static var rows: Int { get }
  /// V, the vectors per row: NR = V·W columns.
  static var vectors: Int { get }
  init()
  /// Adds `a[r · rowStride] · b[0..<NR]` to row r, for every row: one step of the reduction.
  mutating func addProducts(_ a: UnsafePointer<Float>, _ rowStride: Int, _ b: UnsafeRawPointer)
  /// Writes (or adds, with `accumulate`) the tile into `c`, whose rows are `rowStride` apart.
  func store(_ c: UnsafeMutablePointer<Float>, rowStride: Int, accumulate: Bool)
}

extension RegisterTile {
  @inline(__always)
  static func load(_ b: UnsafeRawPointer, _ index: Int) -> Vector {
    b.loadUnaligned(fromByteOffset: index &* Vector.scalarCount &* 4, as: Vector.self)
  }

  @inline(__always)
  static func store(_ v: Vector, _ c: UnsafeMutablePointer<Float>, _ index: Int, _ accumulate: Bool) {
    let raw = UnsafeMutableRawPointer(c)
    let offset = index &* Vector.scalarCount &* 4
    if accumulate {
      raw.storeBytes(
        of: raw.loadUnaligned(fromByteOffset: offset, as: Vector.self) + v, toByteOffset: offset, as: Vector.self)
    } else {
      raw.storeBytes(of: v, toByteOffset: offset, as: Vector.self)
    }
  }

  @inline(__always)
  static func storeRow(_ lo: Vector, _ hi: Vector, _ c: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
    store(lo, c, 0, accumulate)
    store(hi, c, 1, accumulate)
  }
}

/// 8 rows × 2 vectors: 16 accumulators (AVX-512: 8 × 32 floats in 16 of the 32 zmm registers).
struct Tile8<Vector: SIMD & Sendable, Rule: Accumulation>: RegisterTile where Vector.Scalar == Float {
  var c0, c1, c2, c3, c4, c5, c6, c7: Vector
  var d0, d1, d2, d3, d4, d5, d6, d7: Vector

  static var rows: Int { 8 }
  static var vectors: Int { 2 }

  init() {
    (c0, c1, c2, c3, c4, c5, c6, c7) = (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
    (d0, d1, d2, d3, d4, d5, d6, d7) = (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
  }

  @inline(__always)
  mutating func addProducts(_ a: UnsafePointer<Float>, _ rs: Int, _ b: UnsafeRawPointer) {
    let (b0, b1) = (Self.load(b, 0), Self.load(b, 1))
    var x = Vector(repeating: a[0])
    c0 = Rule.add(c0, x, b0)
    d0 = Rule.add(d0, x, b1)
    x = Vector(repeating: a[rs])
    c1 = Rule.add(c1, x, b0)
    d1 = Rule.add(d1, x, b1)
    x = Vector(repeating: a[2 * rs])
    c2 = Rule.add(c2, x, b0)
    d2 = Rule.add(d2, x, b1)
    x = Vector(repeating: a[3 * rs])
    c3 = Rule.add(c3, x, b0)
    d3 = Rule.add(d3, x, b1)
    x = Vector(repeating: a[4 * rs])
    c4 = Rule.add(c4, x, b0)
    d4 = Rule.add(d4, x, b1)
    x = Vector(repeating: a[5 * rs])
    c5 = Rule.add(c5, x, b0)
    d5 = Rule.add(d5, x, b1)
    x = Vector(repeating: a[6 * rs])
    c6 = Rule.add(c6, x, b0)
    d6 = Rule.add(d6, x, b1)
    x = Vector(repeating: a[7 * rs])
    c7 = Rule.add(c7, x, b0)
    d7 = Rule.add(d7, x, b1)
  }

  @inline(__always)
  func store(_ c: UnsafeMutablePointer<Float>, rowStride: Int, accumulate: Bool) {
    Self.storeRow(c0, d0, c, accumulate)
    Self.storeRow(c1, d1, c + rowStride, accumulate)
    Self.storeRow(c2, d2, c + 2 * rowStride, accumulate)
    Self.storeRow(c3, d3, c + 3 * rowStride, accumulate)
    Self.storeRow(c4, d4, c + 4 * rowStride, accumulate)
    Self.storeRow(c5, d5, c + 5 * rowStride, accumulate)
    Self.storeRow(c6, d6, c + 6 * rowStride, accumulate)
    Self.storeRow(c7, d7, c + 7 * rowStride, accumulate)
  }
}

/// 6 rows × 2 vectors: 12 accumulators, for ISAs with 16 vector registers (AVX2: 6 × 16
/// floats; SSE: 6 × 8).
struct Tile6<Vector: SIMD & Sendable, Rule: Accumulation>: RegisterTile where Vector.Scalar == Float {
  var c0, c1, c2, c3, c4, c5: Vector
  var d0, d1, d2, d3, d4, d5: Vector

  static var rows: Int { 6 }
  static var vectors: Int { 2 }

  init() {
    (c0, c1, c2, c3, c4, c5) = (.zero, .zero, .zero, .zero, .zero, .zero)
    (d0, d1, d2, d3, d4, d5) = (.zero, .zero, .zero, .zero, .zero, .zero)
  }

  @inline(__always)
  mutating func addProducts(_ a: UnsafePointer<Float>, _ rs: Int, _ b: UnsafeRawPointer) {
    let (b0, b1) = (Self.load(b, 0), Self.load(b, 1))
    var x = Vector(repeating: a[0])
    c0 = Rule.add(c0, x, b0)
    d0 = Rule.add(d0, x, b1)
    x = Vector(repeating: a[rs])
    c1 = Rule.add(c1, x, b0)
    d1 = Rule.add(d1, x, b1)
    x = Vector(repeating: a[2 * rs])
    c2 = Rule.add(c2, x, b0)
    d2 = Rule.add(d2, x, b1)
    x = Vector(repeating: a[3 * rs])
    c3 = Rule.add(c3, x, b0)
    d3 = Rule.add(d3, x, b1)
    x = Vector(repeating: a[4 * rs])
    c4 = Rule.add(c4, x, b0)
    d4 = Rule.add(d4, x, b1)
    x = Vector(repeating: a[5 * rs])
    c5 = Rule.add(c5, x, b0)
    d5 = Rule.add(d5, x, b1)
  }

  @inline(__always)
  func store(_ c: UnsafeMutablePointer<Float>, rowStride: Int, accumulate: Bool) {
    Self.storeRow(c0, d0, c, accumulate)
    Self.storeRow(c1, d1, c + rowStride, accumulate)
    Self.storeRow(c2, d2, c + 2 * rowStride, accumulate)
    Self.storeRow(c3, d3, c + 3 * rowStride, accumulate)
    Self.storeRow(c4, d4, c + 4 * rowStride, accumulate)
    Self.storeRow(c5, d5, c + 5 * rowStride, accumulate)
  }
}

/// 4 rows × 4 vectors: 16 accumulators (AVX-512: 4 × 64 floats), four broadcasts and four
/// loads per step. Fewer rows per step than the dense tile, so that more steps of a sparse A
/// are all zero and skipped.
struct Tile4x4<Vector: SIMD & Sendable, Rule: Accumulation>: RegisterTile where Vector.Scalar == Float {
  var c0, c1, c2, c3, d0, d1, d2, d3: Vector
  var e0, e1, e2, e3, f0, f1, f2, f3: Vector

  static var rows: Int { 4 }
  static var vectors: Int { 4 }

  init() {
    (c0, c1, c2, c3, d0, d1, d2, d3) = (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
    (e0, e1, e2, e3, f0, f1, f2, f3) = (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
  }

  @inline(__always)
  mutating func addProducts(_ a: UnsafePointer<Float>, _ rs: Int, _ b: UnsafeRawPointer) {
    let (b0, b1, b2, b3) = (Self.load(b, 0), Self.load(b, 1), Self.load(b, 2), Self.load(b, 3))
    var x = Vector(repeating: a[0])
    (c0, c1, c2, c3) = (Rule.add(c0, x, b0), Rule.add(c1, x, b1), Rule.add(c2, x, b2), Rule.add(c3, x, b3))
    x = Vector(repeating: a[rs])
    (d0, d1, d2, d3) = (Rule.add(d0, x, b0), Rule.add(d1, x, b1), Rule.add(d2, x, b2), Rule.add(d3, x, b3))
    x = Vector(repeating: a[2 * rs])
    (e0, e1, e2, e3) = (Rule.add(e0, x, b0), Rule.add(e1, x, b1), Rule.add(e2, x, b2), Rule.add(e3, x, b3))
    x = Vector(repeating: a[3 * rs])
    (f0, f1, f2, f3) = (Rule.add(f0, x, b0), Rule.add(f1, x, b1), Rule.add(f2, x, b2), Rule.add(f3, x, b3))
  }

  @inline(__always)
  func store(_ c: UnsafeMutablePointer<Float>, rowStride: Int, accumulate: Bool) {
    Self.storeRow(c0, c1, c, accumulate)
    Self.store(c2, c, 2, accumulate)
    Self.store(c3, c, 3, accumulate)
    Self.storeRow(d0, d1, c + rowStride, accumulate)
    Self.store(d2, c + rowStride, 2, accumulate)
    Self.store(d3, c + rowStride, 3, accumulate)
    Self.storeRow(e0, e1, c + 2 * rowStride, accumulate)
    Self.store(e2, c + 2 * rowStride, 2, accumulate)
    Self.store(e3, c + 2 * rowStride, 3, accumulate)
    Self.storeRow(f0, f1, c + 3 * rowStride, accumulate)
    Self.store(f2, c + 3 * rowStride, 2, accumulate)
    Self.store(f3, c + 3 * rowStride, 3, accumulate)
  }
}

/// 2 rows × 8 vectors: 16 accumulators (AVX-512: 2 × 128 floats), two broadcasts and eight
/// loads per step; for the sparsest operands, where pairs of rows skip the most steps.
struct Tile2x8<Vector: SIMD & Sendable, Rule: Accumulation>: RegisterTile where Vector.Scalar == Float {
  var c0, c1, c2, c3, c4, c5, c6, c7: Vector
  var d0, d1, d2, d3, d4, d5, d6, d7: Vector

  static var rows: Int { 2 }
  static var vectors: Int { 8 }

  init() {
    (c0, c1, c2, c3, c4, c5, c6, c7) = (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
    (d0, d1, d2, d3, d4, d5, d6, d7) = (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
  }

  @inline(__always)
  mutating func addProducts(_ a: UnsafePointer<Float>, _ rs: Int, _ b: UnsafeRawPointer) {
    let x = Vector(repeating: a[0])
    let y = Vector(repeating: a[rs])
    var v = Self.load(b, 0)
    (c0, d0) = (Rule.add(c0, x, v), Rule.add(d0, y, v))
    v = Self.load(b, 1)
    (c1, d1) = (Rule.add(c1, x, v), Rule.add(d1, y, v))
    v = Self.load(b, 2)
    (c2, d2) = (Rule.add(c2, x, v), Rule.add(d2, y, v))
    v = Self.load(b, 3)
    (c3, d3) = (Rule.add(c3, x, v), Rule.add(d3, y, v))
    v = Self.load(b, 4)
    (c4, d4) = (Rule.add(c4, x, v), Rule.add(d4, y, v))
    v = Self.load(b, 5)
    (c5, d5) = (Rule.add(c5, x, v), Rule.add(d5, y, v))
    v = Self.load(b, 6)
    (c6, d6) = (Rule.add(c6, x, v), Rule.add(d6, y, v))
    v = Self.load(b, 7)
    (c7, d7) = (Rule.add(c7, x, v), Rule.add(d7, y, v))
  }

  @inline(__always)
  func store(_ c: UnsafeMutablePointer<Float>, rowStride: Int, accumulate: Bool) {
    let d = c + rowStride
    Self.storeRow(c0, c1, c, accumulate)
    Self.store(c2, c, 2, accumulate)
    Self.store(c3, c, 3, accumulate)
    Self.store(c4, c, 4, accumulate)
    Self.store(c5, c, 5, accumulate)
    Self.store(c6, c, 6, accumulate)
    Self.store(c7, c, 7, accumulate)
    Self.storeRow(d0, d1, d, accumulate)
    Self.store(d2, d, 2, accumulate)
    Self.store(d3, d, 3, accumulate)
    Self.store(d4, d, 4, accumulate)
    Self.store(d5, d, 5, accumulate)
    Self.store(d6, d, 6, accumulate)
    Self.store(d7, d, 7, accumulate)
  }
}

/// The micro-kernel: `C[MR × NR] (=|+=) Σₚ A[·, p] ⊗ B[row(p), ·]` over `count` steps.
///
/// A is read in place: the value of row r at step p is `a[r · rowStride + p · stepStride]`
/// (a packed panel has rowStride 1 and stepStride MR). `b` is a packed panel of NR
/// floats per row. Step p is step p itself, or `steps[p]` when a list of steps is given
/// (the steps whose A values are all zero are skipped that way). Every element is summed
/// from zero in step order by multiply-adds and then stored or added to C, so the result
/// never depends on the tile shape or on the thread that computes it.
@inline(__always)
func multiplyTileRun<Tile: RegisterTile>(
  _ tile: Tile.Type, count: Int, a: UnsafePointer<Float>, rowStride: Int, stepStride: Int,
  b: UnsafePointer<Float>, steps: UnsafePointer<Int32>?, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
  let rowBytes = Tile.vectors * Tile.Vector.scalarCount * 4
  let base = UnsafeRawPointer(b)
  var acc = Tile()
  if let steps {
    for p in 0..<count {
      let step = Int(steps[p])
      acc.addProducts(a + step * stepStride, rowStride, base + step * rowBytes)
    }
  } else {
    var row = base
    var pa = a
    for _ in 0..<count {
      acc.addProducts(pa, rowStride, row)
      pa += stepStride
      row += rowBytes
    }
  }
  acc.store(c, rowStride: ldc, accumulate: accumulate)
}

/// The kernel of tile type `Tile`, with its relative speed per multiply-add.
@inline(__always)
func tileKernel<Tile: RegisterTile>(_ tile: Tile.Type, speed: Double) -> TileKernel {
  TileKernel(rows: Tile.rows, columns: Tile.vectors * Tile.Vector.scalarCount, speed: speed) {
    count, a, rowStride, stepStride, b, steps, c, ldc, accumulate in
    multiplyTileRun(
      Tile.self, count: count, a: a, rowStride: rowStride, stepStride: stepStride, b: b, steps: steps, c: c, ldc: ldc,
      accumulate: accumulate)
  }
}

// MARK: - This module's instances

/// The register-tile multiply for this module's dense tile (see `ISA`).
let denseTileKernel = tileKernel(ISA.Tile.self, speed: 1)

/// Narrower tiles for a sparse A (see `ISA.sparseTiles`). Their speeds per multiply-add
/// kept, relative to the dense tile, were measured on Zen 4 with MNIST-like operands: the
/// 4 × 4 tile keeps up with the dense one (four broadcasts and four loads per sixteen
/// multiply-adds), the 2 × 8 tile loads twice as much per multiply-add and runs at 75%.
let sparseTileKernels: [TileKernel] =
  ISA.sparseTiles
  ? [
    tileKernel(Tile4x4<ISA.Tile.Vector, ISA.Tile.Rule>.self, speed: 1),
    tileKernel(Tile2x8<ISA.Tile.Vector, ISA.Tile.Rule>.self, speed: 0.75),
  ] : []
