// Register-tiled GEMM micro-kernels, written once over a generic SIMD vector and compiled
// by each ISA module (KernelsAVX512, KernelsAVX2, KernelsBaseline) with its own flags:
// these bodies are `@inline(__always)`, so they become AVX-512 or AVX2 code
// in the module that instantiates them.
//
// The accumulators are stored properties of a struct rather than an array: LLVM keeps
// struct fields in registers, while an array (or an InlineArray indexed in a loop) is
// left in memory for some tile sizes.

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

/// An MR × 2W block of accumulators (W = the vector's lane count).
protocol RegisterTile: Sendable {
  associatedtype Vector: SIMD & Sendable where Vector.Scalar == Float
  /// MR, the number of rows of A the tile covers.
  static var rows: Int { get }
  init()
  /// Adds `a[r · rowStride] · (b0, b1)` to row r, for every row: one step of the reduction.
  mutating func addProducts(_ a: UnsafePointer<Float>, _ rowStride: Int, _ b0: Vector, _ b1: Vector)
  /// Writes (or adds, with `accumulate`) the tile into `c`, whose rows are `rowStride` apart.
  func store(_ c: UnsafeMutablePointer<Float>, rowStride: Int, accumulate: Bool)
}

extension RegisterTile {
  @inline(__always)
  static func storeRow(_ lo: Vector, _ hi: Vector, _ c: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
    let raw = UnsafeMutableRawPointer(c)
    let offset = Vector.scalarCount * 4
    if accumulate {
      raw.storeBytes(of: raw.loadUnaligned(as: Vector.self) + lo, as: Vector.self)
      raw.storeBytes(
        of: raw.loadUnaligned(fromByteOffset: offset, as: Vector.self) + hi, toByteOffset: offset, as: Vector.self)
    } else {
      raw.storeBytes(of: lo, as: Vector.self)
      raw.storeBytes(of: hi, toByteOffset: offset, as: Vector.self)
    }
  }
}

/// 8 rows × 2 vectors: 16 accumulators (AVX-512: 8 × 32 floats in 16 of the 32 zmm registers).
struct Tile8<Vector: SIMD & Sendable, Rule: Accumulation>: RegisterTile where Vector.Scalar == Float {
  var c0, c1, c2, c3, c4, c5, c6, c7: Vector
  var d0, d1, d2, d3, d4, d5, d6, d7: Vector

  static var rows: Int { 8 }

  init() {
    (c0, c1, c2, c3, c4, c5, c6, c7) = (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
    (d0, d1, d2, d3, d4, d5, d6, d7) = (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
  }

  @inline(__always)
  mutating func addProducts(_ a: UnsafePointer<Float>, _ rs: Int, _ b0: Vector, _ b1: Vector) {
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

  init() {
    (c0, c1, c2, c3, c4, c5) = (.zero, .zero, .zero, .zero, .zero, .zero)
    (d0, d1, d2, d3, d4, d5) = (.zero, .zero, .zero, .zero, .zero, .zero)
  }

  @inline(__always)
  mutating func addProducts(_ a: UnsafePointer<Float>, _ rs: Int, _ b0: Vector, _ b1: Vector) {
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

/// The micro-kernel: `C[MR × NR] (=|+=) Σₚ A[·, p] ⊗ B[row(p), ·]` over `count` steps.
///
/// A is read in place: the value of row r at step p is `a[r · rowStride + p · stepStride]`
/// (a packed panel has rowStride 1 and stepStride MR). `b` is a packed panel of NR = 2W
/// floats per row. Step p is step p itself, or `steps[p]` when a list of steps is given
/// (the steps whose A values are all zero are skipped that way). Every element is summed
/// from zero in step order by multiply-adds and then stored or added to C, so the result
/// never depends on the tile shape or on the thread that computes it.
@inline(__always)
func multiplyTileRun<Tile: RegisterTile>(
  _ tile: Tile.Type, count: Int, a: UnsafePointer<Float>, rowStride: Int, stepStride: Int,
  b: UnsafePointer<Float>, steps: UnsafePointer<Int32>?, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
  let width = Tile.Vector.scalarCount
  let rowBytes = 2 * width * 4
  let base = UnsafeRawPointer(b)
  var acc = Tile()
  if let steps {
    for p in 0..<count {
      let step = Int(steps[p])
      let row = base + step * rowBytes
      acc.addProducts(
        a + step * stepStride, rowStride, row.loadUnaligned(as: Tile.Vector.self),
        row.loadUnaligned(fromByteOffset: width * 4, as: Tile.Vector.self))
    }
  } else {
    var row = base
    var pa = a
    for _ in 0..<count {
      acc.addProducts(
        pa, rowStride, row.loadUnaligned(as: Tile.Vector.self),
        row.loadUnaligned(fromByteOffset: width * 4, as: Tile.Vector.self))
      pa += stepStride
      row += rowBytes
    }
  }
  acc.store(c, rowStride: ldc, accumulate: accumulate)
}

// MARK: - This module's instance

/// The register-tile multiply for this module's tile (see `ISA`).
let multiplyTileKernel:
  @Sendable (
    Int, UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, UnsafePointer<Int32>?, UnsafeMutablePointer<Float>, Int,
    Bool
  ) -> Void = { count, a, rowStride, stepStride, b, steps, c, ldc, accumulate in
    multiplyTileRun(
      ISA.Tile.self, count: count, a: a, rowStride: rowStride, stepStride: stepStride, b: b, steps: steps, c: c,
      ldc: ldc, accumulate: accumulate)
  }
